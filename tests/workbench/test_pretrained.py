"""Shipped pretrained models: the manifest's sha256s, refusing tampered files, installing as runs, shipping runs."""
from __future__ import annotations

import json
import shutil
import time

import pytest
import torch

from workbench import paths, pretrained
from workbench.store import RunStore

SHIPPED = pretrained.entries(paths.assets_dir() / "weights")


@pytest.mark.parametrize("entry", SHIPPED, ids=[e.name for e in SHIPPED])
def test_every_shipped_file_matches_its_manifest_sha256_and_loads(entry):
    assert entry.path.is_file(), f"{entry.path} is listed in the manifest but missing"
    assert pretrained.file_sha256(entry.path) == entry.sha256
    assert entry.path.stat().st_size == entry.bytes <= pretrained.MAX_SHIPPED_BYTES
    assert entry.command.startswith("workbench ") and entry.evaluation, "how it was made must be recorded"
    model = pretrained.load_model(entry)
    assert sum(p.numel() for p in model.parameters()) == entry.params
    assert all(p.dtype == torch.float32 for p in model.parameters())


def test_shipped_manifest_has_the_attention_view_models():
    by_name = {e.name: e for e in SHIPPED}
    se = [e for e in SHIPPED if e.task == "classify" and e.config["model_options"].get("attention") == "se"]
    plain = [e for e in SHIPPED if e.task == "classify" and "attention" not in e.config["model_options"]]
    assert se and plain, sorted(by_name)
    assert all(e.dataset == "digits" and e.evaluation["test_accuracy"] > 0.9 for e in se + plain)


def _fake_run(store, tmp_path, *, name="tiny", seed=3):
    """A finished classify run of a tiny CNN with a full loop checkpoint (optimizer state included)."""
    from engines.core.checkpoint import save_checkpoint
    from engines.models import build_model

    torch.manual_seed(seed)
    spec = {"name": "small_cnn", "options": {"num_classes": 10, "width": 4}}
    model = build_model(spec["name"], **spec["options"])
    optimizer = torch.optim.Adam(model.parameters())
    config = {"task": "classify", "model": "small_cnn", "data": "digits", "epochs": 1, "seed": seed, "batch_size": 512,
              "model_options": {"width": 4}, "data_options": {"size": 16}}
    run_id = store.create_run(task="classify", model="small_cnn", dataset="digits", config=config, seed=seed,
                              name=name)
    checkpoint = paths.checkpoint_dir(run_id) / "last.pt"
    save_checkpoint({"task": "classify", "config": config, "model_spec": spec, "model": model.state_dict(),
                     "optimizer": optimizer.state_dict(), "epoch": 1, "step": 5}, checkpoint)
    store.update_run(run_id, checkpoint=str(checkpoint), epoch=1, step=5, params=sum(p.numel() for p in
                                                                                    model.parameters()),
                     summary={"metrics": {"test_accuracy": 0.25}})
    store.set_status(run_id, "finished")
    return run_id


@pytest.fixture
def weights_dir(tmp_path, monkeypatch):
    folder = tmp_path / "weights"
    monkeypatch.setenv(paths.ENV_WEIGHTS, str(folder))
    return folder


def test_ship_writes_weights_only_file_and_manifest_entry(weights_dir, tmp_path):
    with RunStore() as store:
        run_id = _fake_run(store, tmp_path)
        entry = pretrained.ship_run(run_id, name="tiny_cnn", command="workbench train --model small_cnn",
                                    store=store)
    (listed,) = pretrained.entries()
    assert listed.to_json() == entry.to_json()
    assert entry.path == weights_dir / "tiny_cnn.pt" and entry.dtype == "float32"
    assert entry.sha256 == pretrained.file_sha256(entry.path) and entry.bytes == entry.path.stat().st_size
    assert entry.seed == 3 and entry.epochs == 1 and entry.evaluation == {"test_accuracy": 0.25}
    state = torch.load(entry.path, weights_only=True)
    assert state["optimizer"]["state"] == {} and state["model_spec"]["name"] == "small_cnn"  # fresh, not trained
    with pytest.raises(pretrained.PretrainedError, match="already has an entry"):
        with RunStore() as store:
            pretrained.ship_run(run_id, name="tiny_cnn", command="x", store=store)


def test_ship_fp16_halves_the_file_and_loads_back_as_fp32(weights_dir, tmp_path):
    with RunStore() as store:
        run_id = _fake_run(store, tmp_path)
        full = pretrained.ship_run(run_id, name="full", command="workbench train", store=store)
        half = pretrained.ship_run(run_id, name="half", command="workbench train", dtype="float16", store=store)
    assert half.dtype == "float16" and half.bytes < full.bytes
    stored = torch.load(half.path, weights_only=True)["model"]
    assert {v.dtype for v in stored.values() if v.is_floating_point()} == {torch.float16}
    a, b = pretrained.load_model(full), pretrained.load_model(half)
    assert all(p.dtype == torch.float32 for p in b.parameters())
    x = torch.randn(2, 3, 16, 16)
    assert torch.allclose(a(x), b(x), atol=1e-2)


def test_tampered_or_missing_file_is_refused_naming_it(weights_dir, tmp_path):
    with RunStore() as store:
        run_id = _fake_run(store, tmp_path)
        entry = pretrained.ship_run(run_id, name="tiny_cnn", command="workbench train", store=store)
    data = bytearray(entry.path.read_bytes())
    data[-100] ^= 0xFF
    entry.path.write_bytes(bytes(data))
    with pytest.raises(pretrained.PretrainedError, match=r"tiny_cnn\.pt has sha256 .* refusing to load"):
        pretrained.load_model("tiny_cnn")
    with pytest.raises(pretrained.PretrainedError, match="tiny_cnn.pt"):
        pretrained.install("tiny_cnn")
    with RunStore() as store:
        assert [r.id for r in store.list_runs()] == [run_id]  # nothing half-installed
    entry.path.unlink()
    with pytest.raises(pretrained.PretrainedError, match=r"tiny_cnn\.pt is missing"):
        pretrained.load_model("tiny_cnn")
    with pytest.raises(pretrained.PretrainedError, match="no pretrained model 'nope'; available: tiny_cnn"):
        pretrained.get_entry("nope")


def test_install_records_a_finished_run_once(weights_dir, tmp_path):
    from engines.models import load_trained_model

    with RunStore() as store:
        source = _fake_run(store, tmp_path)
        entry = pretrained.ship_run(source, name="tiny_cnn", command="workbench train", title="Tiny", store=store)
        store.delete_run(source)
        first = pretrained.install("tiny_cnn", store=store)
        second = pretrained.install("tiny_cnn", store=store)
        assert first.created and not second.created and first.run_id == second.run_id
        (run,) = store.list_runs()
    assert run.status == "finished" and run.tags == ["pretrained"] and run.name == "Tiny (pretrained)"
    assert run.task == "classify" and run.dataset == "digits" and run.config["data_options"] == {"size": 16}
    assert run.metrics == {"test_accuracy": 0.25} and run.summary["pretrained"]["sha256"] == entry.sha256
    assert run.checkpoint.startswith(str(paths.run_dir(run.id)))
    assert pretrained.file_sha256(run.checkpoint) == entry.sha256
    load_trained_model(run.checkpoint)


def test_window_installs_what_is_new_once_and_respects_deletions(weights_dir, tmp_path, monkeypatch):
    with RunStore() as store:
        source = _fake_run(store, tmp_path)
        pretrained.ship_run(source, name="tiny_cnn", command="workbench train", store=store)
        store.delete_run(source)
    assert pretrained.install_missing() == []  # the test-suite turns it off by default
    monkeypatch.setenv(pretrained.ENV_AUTO_INSTALL, "on")
    (done,) = pretrained.install_missing()
    assert pretrained.install_missing() == []
    with RunStore() as store:
        store.delete_run(done.run_id)
    assert pretrained.install_missing() == []  # deleted by the user: not installed again
    with RunStore() as store:
        assert store.list_runs() == []
    assert pretrained.install_all(["tiny_cnn"])[0].created  # explicitly: yes


def test_a_store_that_refuses_writes_skips_the_install_and_offers_it_again(weights_dir, tmp_path, monkeypatch):
    from workbench.store import StoreError

    with RunStore() as store:
        source = _fake_run(store, tmp_path)
        pretrained.ship_run(source, name="tiny_cnn", command="workbench train", store=store)
        store.delete_run(source)
    monkeypatch.setenv(pretrained.ENV_AUTO_INSTALL, "on")

    def refuse(*_args, **_kwargs):
        raise StoreError("the run store runs.sqlite3 is read-only")

    writable = RunStore.create_run
    monkeypatch.setattr(RunStore, "create_run", refuse)
    assert pretrained.install_missing() == []  # no exception reaches the window's start
    monkeypatch.setattr(RunStore, "create_run", writable)
    (done,) = pretrained.install_missing()  # not marked as offered: installed once the store takes writes
    assert done.created


def test_damaged_manifest_entry_is_skipped_by_the_window(weights_dir, tmp_path, monkeypatch):
    monkeypatch.setenv(pretrained.ENV_AUTO_INSTALL, "on")
    weights_dir.mkdir()
    (weights_dir / "manifest.json").write_text(json.dumps({"format_version": 1, "entries": [
        {"name": "ghost", "file": "ghost.pt", "sha256": "0" * 64, "task": "classify", "model": "small_cnn",
         "dataset": "digits", "config": {}, "seed": 0, "epochs": 1, "command": "workbench train"}]}))
    assert pretrained.install_missing() == []


def test_cli_list_install_and_ship(weights_dir, tmp_path, capsys):
    from workbench.cli import main

    with RunStore() as store:
        run_id = _fake_run(store, tmp_path)
    assert main(["ship-weights", str(run_id), "--name", "tiny_cnn", "--command", "workbench train x", "--json"]) == 0
    shipped = json.loads(capsys.readouterr().out)
    assert shipped["name"] == "tiny_cnn" and shipped["command"] == "workbench train x"
    assert main(["pretrained", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    (row,) = [r for r in rows if not r.get("published")]  # the authors' weights offered for download follow
    assert row["check"] == "ok" and {r["name"] for r in rows if r.get("published")} >= {"dncnn_s_25", "dncnn_b"}
    assert main(["pretrained", "install", "--all"]) == 0
    assert main(["pretrained", "install", "tiny_cnn"]) == 0
    out = capsys.readouterr().out
    assert "(already installed)" in out
    assert main(["pretrained", "install", "nope"]) == 2
    assert "no pretrained model 'nope'" in capsys.readouterr().err
    shutil.copy(tmp_path / "weights" / "tiny_cnn.pt", tmp_path / "spare.pt")
    (tmp_path / "weights" / "tiny_cnn.pt").write_bytes(b"garbage")
    assert main(["pretrained", "list"]) == 1
    assert "tiny_cnn.pt has sha256" in capsys.readouterr().out


def test_installed_run_can_be_trained_further(weights_dir, tmp_path, capsys):
    from workbench.cli import main

    with RunStore() as store:
        source = _fake_run(store, tmp_path)
        pretrained.ship_run(source, name="tiny_cnn", command="workbench train", store=store)
    run_id = pretrained.install("tiny_cnn").run_id
    assert main(["resume", str(run_id), "--epochs", "2", "--json", "--no-progress"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["status"] == "finished"
    with RunStore() as store:
        assert store.get_run(run_id).epoch == 2


@pytest.mark.slow
def test_listing_and_installing_import_neither_qt_nor_torch():
    import subprocess
    import sys

    code = ("import sys, workbench.pretrained as p, workbench.pretrained_cli, workbench.reproduce; p.entries();"
            "assert not {'PySide6', 'pyqtgraph', 'torch'} & set(sys.modules), sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_file_still_over_the_limit_in_fp16_is_shipped_gzipped_and_loads(weights_dir, tmp_path, monkeypatch):
    with RunStore() as store:
        run_id = _fake_run(store, tmp_path)
        full = pretrained.ship_run(run_id, name="full", command="workbench train", store=store)
        monkeypatch.setattr(pretrained, "MAX_SHIPPED_BYTES", full.bytes // 2 - 1)  # fp16 alone cannot fit
        packed = pretrained.ship_run(run_id, name="packed", command="workbench train", store=store)
    assert packed.dtype == "float16" and packed.path == weights_dir / "packed.pt.gz"
    assert packed.path.read_bytes()[:2] == b"\x1f\x8b" and packed.bytes <= pretrained.MAX_SHIPPED_BYTES
    assert not (weights_dir / "packed.pt").exists()
    x = torch.randn(2, 3, 16, 16)
    assert torch.allclose(pretrained.load_model(full)(x), pretrained.load_model(packed)(x), atol=1e-2)
    with RunStore() as store:  # installed as a run: the labs load the compressed copy through the same loader
        installed = pretrained.install(packed, store=store)
        checkpoint = store.get_run(installed.run_id).checkpoint
    from engines.models import load_trained_model
    assert torch.allclose(load_trained_model(checkpoint)(x), pretrained.load_model(packed)(x))


def test_weights_shipped_elsewhere_merge_in_checked_and_replacing_by_name(weights_dir, tmp_path):
    elsewhere = tmp_path / "gpu-weights"
    with RunStore() as store:
        run_id = _fake_run(store, tmp_path)
        pretrained.ship_run(run_id, name="kept", command="workbench train", store=store)
        pretrained.ship_run(run_id, name="tiny_cnn", command="old command", store=store)
        pretrained.ship_run(run_id, name="tiny_cnn", command="workbench train --epochs 9", store=store,
                            directory=elsewhere)
    merged = pretrained.merge_shipped(elsewhere)
    assert [e.name for e in merged] == ["tiny_cnn"]
    listed = {e.name: e for e in pretrained.entries()}
    assert set(listed) == {"kept", "tiny_cnn"} and listed["tiny_cnn"].command == "workbench train --epochs 9"
    assert pretrained.verify(listed["tiny_cnn"]) == weights_dir / "tiny_cnn.pt"
    # A damaged source file is refused before anything is copied.
    (elsewhere / "tiny_cnn.pt").write_bytes(b"damaged")
    before = pretrained.manifest_path().read_bytes()
    with pytest.raises(pretrained.PretrainedError, match="tiny_cnn"):
        pretrained.merge_shipped(elsewhere)
    assert pretrained.manifest_path().read_bytes() == before


def test_shipped_run_carries_its_metric_history_into_the_installed_run(weights_dir, tmp_path):
    with RunStore() as store:
        source = _fake_run(store, tmp_path)
        t0 = 1_000.0
        recorded = [(1, 0.5, "loss", 2.25, t0 + 1.0), (2, 1.0, "loss", 1.5, t0 + 2.5),
                    (2, 1.0, "test_accuracy", 0.25, t0 + 3.0)]
        store.add_metrics(source, recorded)
        store.update_run(source, started_at=t0, finished_at=t0 + 4.0)
        entry = pretrained.ship_run(source, name="tiny_cnn", command="workbench train", store=store)
        # The manifest stores the points one per line, relative to the first one.
        text = pretrained.manifest_path(weights_dir).read_text()
        assert '[2, 1.0, "test_accuracy", 0.25, 2.0]' in text
        assert entry.history["points"][0] == [1, 0.5, "loss", 2.25, 0.0]
        store.delete_run(source)
        installed = pretrained.install("tiny_cnn", store=store).run_id
        points = store.metrics(installed)
        run = store.get_run(installed)
    assert [(p.step, p.epoch, p.name, p.value) for p in points] == [r[:4] for r in recorded]
    # Wall times keep their spacing and end when the run finished.
    gaps = [b.wall_time - a.wall_time for a, b in zip(points, points[1:])]
    assert gaps == pytest.approx([1.5, 0.5])
    assert run.step == 2 and run.epoch == 1 and run.finished_at >= points[-1].wall_time >= run.started_at


def test_a_damaged_history_is_refused_before_anything_is_recorded(weights_dir, tmp_path):
    with RunStore() as store:
        source = _fake_run(store, tmp_path)
        store.add_metrics(source, [(1, 1.0, "loss", 1.0, 5.0)])
        pretrained.ship_run(source, name="tiny_cnn", command="workbench train", store=store)
        store.delete_run(source)
        manifest = json.loads(pretrained.manifest_path(weights_dir).read_text())
        manifest["entries"][0]["history"]["points"][0] = [1, "one", "loss"]
        pretrained.manifest_path(weights_dir).write_text(json.dumps(manifest))
        with pytest.raises(pretrained.PretrainedError, match=r"tiny_cnn.*history: point 0"):
            pretrained.install("tiny_cnn", store=store)
        assert store.list_runs() == []


def test_every_shipped_entry_with_a_history_ends_at_its_recorded_evaluation():
    for entry in SHIPPED:
        points = pretrained.history_points(entry)
        if not points:
            continue
        last = {}
        for _step, epoch, name, value, _ in points:
            last[name] = (epoch, value)
        assert max(epoch for epoch, _ in last.values()) == entry.epochs, entry.name
        shared = set(last) & set(entry.evaluation) - {"epoch_seconds", "throughput", "lr", "latency_ms"}
        if "eval_pixels" in last and entry.evaluation.get("eval_pixels", 0) > last["eval_pixels"][1]:
            # A hyperspectral run scores a subsample each epoch and every test pixel (with the selected
            # epoch's weights) at the end: those scores are another measurement than the last point's.
            shared -= {"overall_accuracy", "average_accuracy", "kappa", "test_loss", "eval_pixels",
                       "best_overall_accuracy"}
        assert shared, entry.name
        for name in shared:
            assert last[name][1] == pytest.approx(entry.evaluation[name], rel=1e-6), (entry.name, name)


def test_entries_are_read_again_when_the_manifest_changes(weights_dir, tmp_path):
    """The parsed manifest is kept per version of the file: asking twice reads it once, and a manifest that was
    rewritten (a model shipped, merged or edited in place) is read again."""
    with RunStore() as store:
        run_id = _fake_run(store, tmp_path)
        pretrained.ship_run(run_id, name="tiny_a", command="x", store=store)
        first = pretrained.entries()
        assert pretrained.entries() == first and pretrained.entries()[0] is first[0]  # the same parsed entry
        pretrained.ship_run(run_id, name="tiny_b", command="x", store=store)
    assert [e.name for e in pretrained.entries()] == ["tiny_a", "tiny_b"]
    manifest = pretrained.manifest_path()
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace('"tiny_b"', '"tiny_c"'), encoding="utf-8")  # same size, same inode
    assert [e.name for e in pretrained.entries()] == ["tiny_a", "tiny_c"]


def _ship_fake_runs(tmp_path, monkeypatch, *names: str) -> None:
    """Ship a tiny run under each name (its source run deleted) and let install_missing install them."""
    with RunStore() as store:
        for seed, name in enumerate(names, start=3):
            source = _fake_run(store, tmp_path, name=name, seed=seed)
            pretrained.ship_run(source, name=name, command="workbench train", store=store)
            store.delete_run(source)
    monkeypatch.setenv(pretrained.ENV_AUTO_INSTALL, "on")


def test_concurrent_installers_record_each_shipped_model_once(weights_dir, tmp_path, monkeypatch):
    """Two installers at once (the window's preload thread and its GUI thread, say) both found every entry
    missing and both recorded it; one waits for the other now, and then finds nothing left to do."""
    import threading

    _ship_fake_runs(tmp_path, monkeypatch, "tiny_a", "tiny_b")
    real_install = pretrained.install

    def slow_install(entry, **kwargs):
        time.sleep(0.3)  # long enough for the other installer to look at the store meanwhile
        return real_install(entry, **kwargs)

    monkeypatch.setattr(pretrained, "install", slow_install)
    results = []
    threads = [threading.Thread(target=lambda: results.append(pretrained.install_missing())) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(len(r) for r in results) == [0, 2]
    with RunStore() as store:
        assert sorted(run.name for run in store.list_runs()) == ["tiny_a (pretrained)", "tiny_b (pretrained)"]


def test_an_installer_in_another_process_is_waited_for_then_left_alone(weights_dir, tmp_path, monkeypatch):
    from filelock import FileLock

    _ship_fake_runs(tmp_path, monkeypatch, "tiny_cnn")
    monkeypatch.setattr(pretrained, "INSTALL_LOCK_WAIT_S", 0.2)
    other = FileLock(str(paths.home() / "pretrained.lock"))  # its own descriptor, as another process
    with other:
        assert pretrained.install_missing() == []  # the window starts anyway; the other one installs
        with pytest.raises(pretrained.PretrainedError, match="another CNN Workbench is installing"):
            pretrained.install_all(["tiny_cnn"])
    (done,) = pretrained.install_missing()
    assert done.created
