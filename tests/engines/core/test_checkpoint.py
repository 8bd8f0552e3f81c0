import os
import pickle

import pytest
import torch

from engines.core.checkpoint import FORMAT_VERSION, CheckpointError, load_checkpoint, save_checkpoint
from engines.core.seeding import capture_rng_state, restore_rng_state, seed_everything


def test_round_trip_with_rng_state_loads_weights_only(tmp_path):
    seed_everything(1)
    state = {"model": {"w": torch.randn(3)}, "rng": capture_rng_state(), "epoch": 2}
    expected = torch.rand(4)  # what the RNG yields after the captured state
    path = save_checkpoint(state, tmp_path / "c.pt")
    loaded = load_checkpoint(path)
    assert loaded["format_version"] == FORMAT_VERSION and loaded["epoch"] == 2
    torch.manual_seed(999)
    restore_rng_state(loaded["rng"])
    torch.testing.assert_close(torch.rand(4), expected)


def test_save_is_atomic_and_leaves_no_temp_files(tmp_path):
    tmp_path = tmp_path / "ckpt"
    path = tmp_path / "c.pt"
    save_checkpoint({"epoch": 1}, path)

    class Unpicklable:
        def __reduce__(self):
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        save_checkpoint({"epoch": 2, "bad": Unpicklable()}, path)
    assert load_checkpoint(path)["epoch"] == 1  # the old checkpoint is intact
    assert os.listdir(tmp_path) == ["c.pt"]


class _Payload:
    def __reduce__(self):
        return (os.system, ("echo should-not-run",))


def test_pickled_code_is_refused(tmp_path):
    path = tmp_path / "evil.pt"
    with open(path, "wb") as fh:
        pickle.dump({"format_version": 1, "x": _Payload()}, fh)
    with pytest.raises(CheckpointError, match="evil.pt"):
        load_checkpoint(path)


def test_corrupt_missing_and_future_checkpoints(tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="bad.pt"):
        load_checkpoint(bad)
    with pytest.raises(CheckpointError, match="not found"):
        load_checkpoint(tmp_path / "missing.pt")
    future = tmp_path / "future.pt"
    torch.save({"format_version": FORMAT_VERSION + 1}, future)
    with pytest.raises(CheckpointError, match="format"):
        load_checkpoint(future)
    plain = tmp_path / "plain.pt"
    torch.save({"w": torch.zeros(1)}, plain)
    with pytest.raises(CheckpointError, match="not a workbench checkpoint"):
        load_checkpoint(plain)


def test_trained_model_is_rebuilt_from_its_checkpoint(tmp_path):
    from engines.core.tasks import get_task
    from engines.models import load_trained_model
    from tests.helpers import final_event, tiny_config

    final_event(get_task("classify").fit(tiny_config(epochs=1, max_steps=2), checkpoint_dir=tmp_path))
    model = load_trained_model(tmp_path / "last.pt")
    state = load_checkpoint(tmp_path / "last.pt")
    assert state["model_spec"] == {"name": "small_cnn", "options": {"num_classes": 10, "width": 8}}
    for key, value in model.state_dict().items():
        torch.testing.assert_close(value, state["model"][key])
    assert not model.training


def test_gzip_compressed_checkpoint_round_trips_and_a_bomb_is_refused(tmp_path, monkeypatch):
    import gzip

    from engines.core import checkpoint as ck

    state = {"model": {"w": torch.arange(1000, dtype=torch.float32)}, "epoch": 3}
    packed = ck.save_checkpoint(state, tmp_path / "packed.pt", compress=True)
    plain = ck.save_checkpoint(state, tmp_path / "plain.pt")
    assert packed.read_bytes()[:2] == b"\x1f\x8b" and packed.stat().st_size < plain.stat().st_size
    again = ck.save_checkpoint(state, tmp_path / "again.pt", compress=True)
    assert again.read_bytes() == packed.read_bytes()  # deterministic bytes, so a stable sha256
    loaded = ck.load_checkpoint(packed)
    assert loaded["epoch"] == 3 and torch.equal(loaded["model"]["w"], state["model"]["w"])
    monkeypatch.setattr(ck, "MAX_INFLATED_BYTES", 100)
    with pytest.raises(ck.CheckpointError, match="packed.pt unpacks to more than"):
        ck.load_checkpoint(packed)
    (tmp_path / "broken.pt").write_bytes(gzip.compress(b"not a checkpoint"))
    with pytest.raises(ck.CheckpointError, match="cannot read checkpoint .*broken.pt"):
        ck.load_checkpoint(tmp_path / "broken.pt")


def test_gzip_cap_follows_the_packed_size_and_a_bomb_streams_through(tmp_path, monkeypatch):
    import gzip

    from engines.core import checkpoint as ck

    assert ck.inflate_limit(1000) == ck.MIN_INFLATE_ALLOWANCE
    assert ck.inflate_limit(10 << 20) == ck.MAX_INFLATE_RATIO * (10 << 20)
    assert ck.inflate_limit(1 << 30) == ck.MAX_INFLATED_BYTES
    monkeypatch.setattr(ck, "MIN_INFLATE_ALLOWANCE", 1 << 20)
    (tmp_path / "zeros.pt.gz").write_bytes(gzip.compress(bytes(8 << 20)))  # 8 MiB from ~8 kB
    with pytest.raises(ck.CheckpointError, match="zeros.pt.gz unpacks to more than 1 MiB .*decompression bomb"):
        ck.load_checkpoint(tmp_path / "zeros.pt.gz")
    (tmp_path / "cut.pt.gz").write_bytes(gzip.compress(os.urandom(5000))[:100])
    with pytest.raises(ck.CheckpointError, match="cut.pt.gz: truncated or corrupt gzip"):
        ck.load_checkpoint(tmp_path / "cut.pt.gz")


def test_non_files_are_refused_from_their_stat(tmp_path):
    os.mkfifo(tmp_path / "pipe.pt")  # opening a FIFO would block until a writer comes: never opened
    with pytest.raises(CheckpointError, match="pipe.pt: a FIFO"):
        load_checkpoint(tmp_path / "pipe.pt")
    (tmp_path / "dir.pt").mkdir()
    with pytest.raises(CheckpointError, match="dir.pt: a folder, not a file"):
        load_checkpoint(tmp_path / "dir.pt")
    os.symlink(tmp_path / "b.pt", tmp_path / "a.pt")
    os.symlink(tmp_path / "a.pt", tmp_path / "b.pt")
    with pytest.raises(CheckpointError, match="a.pt: symbolic link loop"):
        load_checkpoint(tmp_path / "a.pt")
    (tmp_path / "empty.pt").write_bytes(b"")
    with pytest.raises(CheckpointError, match="empty.pt: empty file"):
        load_checkpoint(tmp_path / "empty.pt")


def test_what_a_file_is_and_pickled_code_are_said_in_one_line(tmp_path):
    from engines.core.checkpoint import UnsafePickleError

    (tmp_path / "notes.pt").write_text("hello\n" * 10, encoding="utf-8")
    with pytest.raises(CheckpointError, match="notes.pt: not a PyTorch file .it is a text file"):
        load_checkpoint(tmp_path / "notes.pt")
    (tmp_path / "image.pt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    with pytest.raises(CheckpointError, match="it is a PNG image"):
        load_checkpoint(tmp_path / "image.pt")
    with open(tmp_path / "evil.pt", "wb") as fh:
        pickle.dump({"format_version": 1, "x": _Payload()}, fh)
    with pytest.raises(UnsafePickleError, match="evil.pt: refused.*posix.system.*would run code") as info:
        load_checkpoint(tmp_path / "evil.pt")
    assert "\n" not in str(info.value)


def test_non_finite_weights_are_refused_naming_the_tensor(tmp_path):
    save_checkpoint({"model": {"a": torch.zeros(2), "b": torch.tensor([1.0, float("inf")]),
                               "steps": torch.tensor(3)}}, tmp_path / "c.pt")
    with pytest.raises(CheckpointError, match="c.pt: tensor 'b' holds NaN or infinite values"):
        load_checkpoint(tmp_path / "c.pt")
    save_checkpoint({"model": {"a": torch.zeros(2, dtype=torch.float16)}}, tmp_path / "ok.pt")
    assert load_checkpoint(tmp_path / "ok.pt")["model"]["a"].dtype == torch.float16
