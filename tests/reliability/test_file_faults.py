"""Bad and hostile files wherever the denoising lab and the shipped weights read one.

Places: ``--weights`` of ``denoise``/``eval-denoise``, ``import-weights``, a run's checkpoint (``--run``),
``pretrained install``, the images of ``denoise`` and of ``eval-denoise --images``. Kinds: the battery's
:data:`BAD_FILE_KINDS`, hostile pickles (zip, legacy, gzip), non-finite weights, decompression bombs.
Every case: no traceback, the documented exit code, a message naming the file or value, earlier runs still
listed, nothing written over.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import save_tiny_dncnn
from tests.reliability.conftest import (
    BAD_FILE_KINDS,
    REPO_ROOT,
    assert_clean,
    assert_no_marker,
    hostile_pickle_bytes,
    png_bytes,
    write_bad_file,
    write_gzip_bomb,
    write_hostile_gzip_torch_file,
    write_hostile_torch_file,
    write_png_bomb,
)

SIGMA = ("--sigma", "25")


# -- helpers -----------------------------------------------------------------------------------------------
def _image(path: Path, size: int | tuple[int, int] = 24) -> Path:
    from PIL import Image

    height, width = (size, size) if isinstance(size, int) else size
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.random.default_rng(1).integers(0, 256, (height, width), dtype=np.uint8)).save(path)
    return path


def _good_weights(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return save_tiny_dncnn(folder / "good.pth")


def _run_ids() -> list[int]:
    from workbench.store import RunStore

    with RunStore() as store:
        return sorted(run.id for run in store.list_runs())


def _earlier_run(cli, folder: Path) -> int:
    """A recorded run (imported weights) that every store case must leave listed."""
    result = cli("import-weights", _good_weights(folder), "--json")
    assert_clean(result, 0)
    return json.loads(result.out.strip().splitlines()[-1])["run_id"]


def _checkpoint_state(nonfinite: bool = False) -> dict:
    """A workbench checkpoint of the tiny DnCNN (as a denoise run writes it)."""
    import torch

    from engines.models import build_model

    torch.manual_seed(0)
    model = build_model("dncnn", depth=3, features=4, batchnorm=False)
    state = {k: v.clone() for k, v in model.state_dict().items()}
    if nonfinite:
        state["body.2.weight"][0, 0, 0, 0] = float("nan")
    return {"task": "denoise", "model_spec": {"name": "dncnn", "options": {"depth": 3, "features": 4,
                                                                           "batchnorm": False}},
            "model": state, "epoch": 1, "step": 1}


def _strict_json(line: str):
    def refuse(token):
        raise AssertionError(f"non-JSON token {token} in {line[:200]}")

    return json.loads(line, parse_constant=refuse)


def _manifest(folder: Path, file: Path | str, sha256: str, *, name: str = "shipped", task: str = "denoise") -> None:
    entry = {"name": name, "file": Path(file).name, "sha256": sha256, "task": task, "model": "dncnn",
             "dataset": "synthetic", "config": {"task": task, "model": "dncnn"}, "seed": 0, "epochs": 1,
             "command": "workbench train --task denoise"}
    (folder / "manifest.json").write_text(json.dumps({"format_version": 1, "entries": [entry]}), encoding="utf-8")


def _sha(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "0" * 64
    except OSError:
        return "0" * 64


def _written(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


# -- bad files as weights ----------------------------------------------------------------------------------
WEIGHT_PLACES = ("denoise --weights", "eval-denoise --weights", "import-weights")


def _use_weights(cli, place: str, weights: Path, tmp_path: Path):
    image = _image(tmp_path / "in" / "a.png")
    if place == "denoise --weights":
        return cli("denoise", image, "--out", tmp_path / "out", "--weights", weights, *SIGMA)
    if place == "eval-denoise --weights":
        return cli("eval-denoise", "--images", image.parent, "--weights", weights, *SIGMA)
    return cli("import-weights", weights)


@pytest.mark.parametrize("place", WEIGHT_PLACES)
@pytest.mark.parametrize("kind", BAD_FILE_KINDS)
def test_bad_weights_file_is_refused_naming_it(cli, tmp_path, kind, place):
    earlier = _earlier_run(cli, tmp_path / "good") if place == "import-weights" else None
    bad = write_bad_file(kind, tmp_path / "bad", "weights.pth", good=(_good_weights(tmp_path / "g2")).read_bytes())
    result = _use_weights(cli, place, bad, tmp_path)
    assert_clean(result, 2, bad.name)
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert not (tmp_path / "out").exists() or not _written(tmp_path / "out")
    if earlier is not None:
        assert _run_ids() == [earlier]


@pytest.mark.parametrize("run", ["99999999999999999999", "0", "-3", "x"])
def test_a_run_id_out_of_range_is_refused_naming_it(cli, tmp_path, run):
    result = cli("denoise", _image(tmp_path / "in" / "a.png"), "--out", tmp_path / "out", "--run", run, *SIGMA)
    assert_clean(result, 2, run)
    assert not (tmp_path / "out").exists()


def test_a_protocol_4_pickle_with_code_is_named_as_such(cli, tmp_path, marker):
    import pickle

    from tests.reliability.conftest import _Plant

    evil = tmp_path / "evil4.pt"
    evil.write_bytes(pickle.dumps({"model.0.weight": _Plant(marker)}, protocol=4))
    result = _use_weights(cli, "denoise --weights", evil, tmp_path)
    assert_clean(result, 2, "evil4.pt", "would run code")
    assert_no_marker(marker)


def test_plain_text_weights_name_the_file_and_say_what_it_is(cli, tmp_path):
    text = tmp_path / "x.pth"
    text.write_text("these are not weights\n" * 5, encoding="utf-8")
    result = _use_weights(cli, "denoise --weights", text, tmp_path)
    assert_clean(result, 2, "x.pth", "not a PyTorch file", "text file")


HOSTILE = {
    "zip": lambda path, marker: write_hostile_torch_file(path.with_suffix(".pth"), marker),
    "legacy_pickle": lambda path, marker: (path.with_suffix(".pt").write_bytes(hostile_pickle_bytes(marker)),
                                           path.with_suffix(".pt"))[1],
    "gzip": lambda path, marker: write_hostile_gzip_torch_file(path.with_suffix(".pt.gz"), marker),
}


@pytest.mark.parametrize("place", WEIGHT_PLACES)
@pytest.mark.parametrize("form", sorted(HOSTILE))
def test_hostile_weights_never_run_code(cli, tmp_path, marker, form, place):
    evil = HOSTILE[form](tmp_path / "evil", marker)
    result = _use_weights(cli, place, evil, tmp_path)
    assert_clean(result, 2, evil.name, "refused", "would run code")
    assert_no_marker(marker)


@pytest.mark.parametrize("value", ["nan", "inf"])
@pytest.mark.parametrize("place", ("denoise --weights", "import-weights"))
def test_nonfinite_weights_are_refused_naming_the_tensor(cli, tmp_path, value, place):
    import torch

    path = save_tiny_dncnn(tmp_path / "odd.pth")
    state = torch.load(path, weights_only=True)
    state["model.2.weight"].fill_(float(value))
    torch.save(state, path)
    result = _use_weights(cli, place, path, tmp_path)
    assert_clean(result, 2, "odd.pth", "model.2.weight", "NaN or infinite")
    assert _run_ids() == []


def test_nonfinite_weights_in_a_gzip_checkpoint_are_refused(cli, tmp_path):
    from engines.core.checkpoint import save_checkpoint

    path = save_checkpoint(_checkpoint_state(nonfinite=True), tmp_path / "odd.pt.gz", compress=True)
    result = _use_weights(cli, "denoise --weights", path, tmp_path)
    assert_clean(result, 2, "odd.pt.gz", "body.2.weight", "NaN or infinite")


def test_a_gzip_workbench_checkpoint_is_accepted_as_weights(cli, tmp_path):
    from engines.core.checkpoint import save_checkpoint

    path = save_checkpoint(_checkpoint_state(), tmp_path / "shipped.pt.gz", compress=True)
    assert path.read_bytes()[:2] == b"\x1f\x8b"
    result = _use_weights(cli, "denoise --weights", path, tmp_path)
    assert_clean(result, 0, "a.dncnn.png")
    assert _written(tmp_path / "out") == ["a.dncnn.png"]
    assert_clean(cli("import-weights", path), 0, "run 1")


def test_a_gzip_bomb_as_weights_is_refused(cli, tmp_path):
    bomb = write_gzip_bomb(tmp_path / "bomb.pt.gz", inflated_gib=0.5)
    result = _use_weights(cli, "denoise --weights", bomb, tmp_path)
    assert_clean(result, 2, "bomb.pt.gz", "decompression bomb")


_BOMB_CHILD = """
import resource, sys
from pathlib import Path
import torch  # part of the baseline: every caller has it loaded
from engines.core.checkpoint import CheckpointError, load_checkpoint
from tests.reliability.conftest import write_gzip_bomb

def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

bomb = write_gzip_bomb(Path(sys.argv[1]))
before = peak()
try:
    load_checkpoint(bomb)
    print("loaded")
except CheckpointError as exc:
    print("refused", peak() - before, exc)
"""


@pytest.mark.slow
def test_rejecting_a_gzip_bomb_costs_little_memory(tmp_path):
    """A 3 MB file inflating to 3 GiB is refused in a stream: the peak RSS grows by well under 0.3 GB."""
    proc = subprocess.run([sys.executable, "-c", _BOMB_CHILD, str(tmp_path / "bomb.pt.gz")], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    verdict, growth, message = proc.stdout.strip().splitlines()[-1].split(" ", 2)
    assert verdict == "refused" and "bomb.pt.gz" in message and "decompression bomb" in message
    assert int(growth) < 0.3e9, f"refusing the bomb grew the process by {int(growth) / 1e9:.2f} GB"


# -- a run's checkpoint ------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["hostile", "hostile_gzip", "nonfinite", "garbage", "empty"])
def test_damaged_run_checkpoint_is_refused_and_the_run_kept(cli, tmp_path, marker, kind):
    from engines.core.checkpoint import save_checkpoint
    from workbench.store import RunStore

    run_id = _earlier_run(cli, tmp_path / "good")
    with RunStore() as store:
        checkpoint = Path(store.get_run(run_id).checkpoint)
    if kind == "hostile":
        write_hostile_torch_file(checkpoint, marker)
    elif kind == "hostile_gzip":
        write_hostile_gzip_torch_file(checkpoint, marker)
    elif kind == "nonfinite":
        save_checkpoint(_checkpoint_state(nonfinite=True), checkpoint)
    else:
        write_bad_file(kind, checkpoint.parent, checkpoint.name)
    result = cli("denoise", _image(tmp_path / "in" / "a.png"), "--out", tmp_path / "out", "--run", run_id, *SIGMA)
    assert_clean(result, 2, f"run {run_id}", "last.pt")
    assert_no_marker(marker)
    assert _run_ids() == [run_id] and not _written(tmp_path / "out")


# -- pretrained install ------------------------------------------------------------------------------------
@pytest.fixture
def weights_folder(tmp_path, monkeypatch):
    folder = tmp_path / "weights"
    folder.mkdir()
    monkeypatch.setenv("WORKBENCH_WEIGHTS", str(folder))
    return folder


PRETRAINED_KINDS = ("empty", "truncated", "garbage", "text", "png_as_other", "fifo", "symlink_loop", "directory",
                    "hostile", "hostile_gzip", "nonfinite", "wrong_task", "gzip_bomb")


@pytest.mark.parametrize("kind", PRETRAINED_KINDS)
def test_pretrained_install_load_checks_before_recording(cli, tmp_path, weights_folder, marker, kind):
    from engines.core.checkpoint import save_checkpoint

    earlier = _earlier_run(cli, tmp_path / "good")
    good = save_checkpoint(_checkpoint_state(), tmp_path / "good.pt")
    if kind == "hostile":
        path = write_hostile_torch_file(weights_folder / "shipped.pt", marker)
    elif kind == "hostile_gzip":
        path = write_hostile_gzip_torch_file(weights_folder / "shipped.pt.gz", marker)
    elif kind == "nonfinite":
        path = save_checkpoint(_checkpoint_state(nonfinite=True), weights_folder / "shipped.pt")
    elif kind == "wrong_task":
        path = save_checkpoint({**_checkpoint_state(), "task": "classify"}, weights_folder / "shipped.pt")
    elif kind == "gzip_bomb":
        path = write_gzip_bomb(weights_folder / "shipped.pt.gz", inflated_gib=0.5)
    else:
        path = write_bad_file(kind, weights_folder, "shipped.pt", good=good.read_bytes())
    _manifest(weights_folder, path, _sha(path))  # the manifest vouches for the file: it must still load
    result = cli("pretrained", "install", "shipped")
    assert_clean(result, (1, 2), path.name)
    assert "run" not in result.out
    assert_no_marker(marker)
    assert _run_ids() == [earlier]


def test_pretrained_install_of_a_good_gzip_checkpoint_still_works(cli, tmp_path, weights_folder):
    from engines.core.checkpoint import save_checkpoint

    path = save_checkpoint(_checkpoint_state(), weights_folder / "shipped.pt.gz", compress=True)
    _manifest(weights_folder, path, _sha(path))
    assert_clean(cli("pretrained", "install", "shipped"), 0, "shipped: run 1")


# -- bad files as images -----------------------------------------------------------------------------------
IMAGE_KINDS = BAD_FILE_KINDS + ("hostile_pickle", "png_bomb", "tiff_named_png")


def _bad_image(kind: str, folder: Path, marker: Path) -> Path:
    if kind == "hostile_pickle":
        path = folder / "evil.png"
        folder.mkdir(parents=True, exist_ok=True)
        path.write_bytes(hostile_pickle_bytes(marker))
        return path
    if kind == "png_bomb":
        folder.mkdir(parents=True, exist_ok=True)
        return write_png_bomb(folder / "bomb.png")
    if kind == "tiff_named_png":  # PNG bytes under a TIFF name: the wrong format for the suffix
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "photo.tif"
        path.write_bytes(png_bytes())
        return path
    name = "photo.tif" if kind == "png_as_other" else "photo.png"
    return write_bad_file(kind, folder, name, good=png_bytes(32, 32))


@pytest.mark.parametrize("kind", IMAGE_KINDS)
def test_bad_image_to_denoise_is_named_and_nothing_is_written(cli, tmp_path, marker, kind):
    bad = _bad_image(kind, tmp_path / "in", marker)
    out = tmp_path / "out"
    result = cli("denoise", bad, "--out", out, "--method", "tv", *SIGMA)
    assert_clean(result, 1, bad.name)
    assert "failed" in result.err and _written(out) == []
    assert_no_marker(marker)


@pytest.mark.parametrize("kind", IMAGE_KINDS)
def test_eval_denoise_scores_the_good_image_and_names_the_bad_one(cli, tmp_path, marker, kind):
    folder = tmp_path / "images"
    _image(folder / "good.png", 32)
    bad = _bad_image(kind, folder, marker)
    result = cli("eval-denoise", "--images", folder, "--method", "tv", *SIGMA, "--json")
    if kind == "directory":  # a sub-folder is not an image: not listed, not an error
        assert_clean(result, 0)
    else:
        assert_clean(result, 1, bad.name, "skipped")
    report = _strict_json(result.out.strip().splitlines()[-1])
    assert [i["name"] for i in report["images"]] == ["good.png"]
    assert [s["name"] for s in report["skipped"]] == ([] if kind == "directory" else [bad.name])
    assert_no_marker(marker)


# -- tiny images, tiles, unbounded scores --------------------------------------------------------------------
@pytest.fixture
def tiny_set(tmp_path) -> Path:
    folder = tmp_path / "tiny"
    _image(folder / "a_good.png", 32)
    _image(folder / "b_3x3.png", 3)
    _image(folder / "c_1x1.png", 1)
    _image(folder / "d_2x9.png", (2, 9))
    return folder


@pytest.mark.parametrize("output", ["text", "json"])
def test_tiny_images_get_a_result_with_ssim_undefined(cli, tmp_path, tiny_set, output):
    weights = _good_weights(tmp_path / "w")
    result = cli("eval-denoise", "--images", tiny_set, "--weights", weights, *SIGMA,
                 *(("--json",) if output == "json" else ()))
    assert_clean(result, 0, "a_good.png", "b_3x3.png", "c_1x1.png", "d_2x9.png")
    if output == "text":
        assert "SSIM n/a" in result.out and "7×7" in result.out
        return
    report = _strict_json(result.out.strip().splitlines()[-1])
    by_name = {i["name"]: i for i in report["images"]}
    assert by_name["a_good.png"]["ssim"] is not None and "ssim_note" not in by_name["a_good.png"]
    for name in ("b_3x3.png", "c_1x1.png", "d_2x9.png"):
        assert by_name[name]["ssim"] is None and "7×7" in by_name[name]["ssim_note"]
        # a pixel restored exactly has an unbounded PSNR: null, and the note says why
        assert by_name[name]["psnr"] is not None or "unbounded" in by_name[name]["psnr_note"]
    assert report["mean_ssim"] == by_name["a_good.png"]["ssim"]


def test_tiny_image_denoised_with_noise_added_reports_ssim_undefined(cli, tmp_path):
    image = _image(tmp_path / "in" / "dot.png", 3)
    result = cli("denoise", image, "--out", tmp_path / "out", "--weights", _good_weights(tmp_path / "w"),
                 "--add-noise", *SIGMA, "--json")
    assert_clean(result, 0)
    (item,) = _strict_json(result.out.strip().splitlines()[-1])["files"]
    assert item["ssim"] is None and "7×7" in item["ssim_note"]


@pytest.mark.parametrize("tile", ["1", "8", "31", "-1"])
def test_tile_below_the_bound_is_refused_naming_the_value(cli, tiny_set, tmp_path, tile):
    result = cli("eval-denoise", "--images", tiny_set, "--weights", _good_weights(tmp_path / "w"), *SIGMA,
                 "--tile", tile)
    assert_clean(result, 2, f"--tile {tile}")


@pytest.mark.parametrize("command", ["eval-denoise", "denoise"])
def test_sigma_zero_json_is_strict_with_a_note(cli, tmp_path, command):
    image = _image(tmp_path / "in" / "a.png", 16)
    if command == "eval-denoise":
        result = cli("eval-denoise", "--images", image.parent, "--method", "nlm", "--sigma", "0", "--json")
    else:
        result = cli("denoise", image, "--out", tmp_path / "out", "--method", "nlm", "--add-noise", "--sigma", "0",
                     "--json")
    assert_clean(result, (0, 1))
    assert "Infinity" not in result.out and "NaN" not in result.out
    data = _strict_json(result.out.strip().splitlines()[-1])
    item = (data["images"] if command == "eval-denoise" else data["files"])[0]
    assert item["noisy_psnr"] is None and item["noisy_psnr_note"] == "no noise added: PSNR is unbounded"


# -- multi-page TIFF -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["eval-denoise", "denoise"])
def test_multi_page_tiff_says_which_page_was_used(cli, tmp_path, command):
    import tifffile

    folder = tmp_path / "in"
    folder.mkdir()
    for page in np.random.default_rng(0).integers(0, 256, (3, 16, 16), dtype=np.uint8):
        tifffile.imwrite(folder / "stack.tif", page, append=True)  # three pages of one gray image each
    for json_flag in ((), ("--json",)):
        if command == "eval-denoise":
            result = cli("eval-denoise", "--images", folder, "--method", "tv", *SIGMA, *json_flag)
        else:
            result = cli("denoise", folder / "stack.tif", "--out", tmp_path / f"out{len(json_flag)}", "--method",
                         "tv", *SIGMA, *json_flag)
        assert_clean(result, 0, "page 1 of 3 used")
        if json_flag:
            data = _strict_json(result.out.strip().splitlines()[-1])
            (item,) = data["images"] if command == "eval-denoise" else data["files"]
            assert "page 1 of 3 used" in item["notes"]


# -- outputs: never overwrite, unwritable folders ------------------------------------------------------------
@pytest.mark.parametrize("existing", ["file", "dangling_link", "link_loop", "folder"])
def test_denoise_never_overwrites_what_is_in_the_output_folder(cli, tmp_path, existing):
    image = _image(tmp_path / "in" / "a.png", 16)
    out = tmp_path / "out"
    out.mkdir()
    taken = out / "a.tv.png"
    if existing == "file":
        taken.write_bytes(b"the user's own file")
    elif existing == "dangling_link":
        taken.symlink_to(tmp_path / "nowhere.png")
    elif existing == "link_loop":
        taken.symlink_to(out / "loop.png")
        (out / "loop.png").symlink_to(taken)
    else:
        taken.mkdir()
    before = sorted(os.listdir(out))
    result = cli("denoise", image, "--out", out, "--method", "tv", *SIGMA, "--json")
    assert_clean(result, 0)
    (item,) = _strict_json(result.out.strip().splitlines()[-1])["files"]
    assert item["output"] == str(out / "a.tv-1.png")
    assert any("a.tv.png already exists" in note for note in item["notes"])
    assert sorted(os.listdir(out)) == sorted(before + ["a.tv-1.png"])
    if existing == "file":
        assert taken.read_bytes() == b"the user's own file"
    text = cli("denoise", image, "--out", out, "--method", "tv", *SIGMA)
    assert_clean(text, 0, "a.tv-2.png", "already exists")


def test_total_variation_at_sigma_zero_is_a_named_skip(cli, tmp_path):
    image = _image(tmp_path / "in" / "a.png", 16)
    result = cli("eval-denoise", "--images", image.parent, "--method", "tv", "--sigma", "0", "--json")
    assert_clean(result, 1, "a.png", "total variation needs σ > 0")
    assert _strict_json(result.out.strip().splitlines()[-1])["skipped"][0]["name"] == "a.png"


def test_a_file_appearing_under_the_chosen_name_is_kept(tmp_path, monkeypatch):
    """Between choosing a name and writing it another process creates the file: it is kept, the next name used."""
    from engines.labs.denoise import images
    from workbench.labs.denoise import service

    image = _image(tmp_path / "in" / "a.png", 16)
    out = tmp_path / "out"
    out.mkdir()
    real_save = images.save_image

    def racing_save(path, *args, **kwargs):
        if Path(path).name == "a.tv.png":
            Path(path).write_bytes(b"written by someone else")
        return real_save(path, *args, **kwargs)

    monkeypatch.setattr(images, "save_image", racing_save)
    (result,) = service.denoise_files([image], out, method="tv", sigma=25)
    assert result.ok and result.output == str(out / "a.tv-1.png")
    assert (out / "a.tv.png").read_bytes() == b"written by someone else"


@pytest.fixture
def read_only_folder(tmp_path):
    """A read-only tmpfs (root ignores permission bits, not a read-only mount)."""
    folder = tmp_path / "ro"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.decode().strip()[:200]}")
    try:
        remount = subprocess.run(["mount", "-o", "remount,ro", str(folder)], capture_output=True)
        if remount.returncode != 0:
            pytest.skip(f"cannot remount the tmpfs read-only: {remount.stderr.decode().strip()[:200]}")
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], capture_output=True)


def _under_a_file(tmp_path: Path) -> Path:
    blocker = tmp_path / "plain-file"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    return blocker / "out"


@pytest.mark.parametrize("where", ["read_only_mount", "under_a_file"])
def test_denoise_into_an_unwritable_folder_is_one_line(cli, tmp_path, request, where):
    out = request.getfixturevalue("read_only_folder") if where == "read_only_mount" else _under_a_file(tmp_path)
    result = cli("denoise", _image(tmp_path / "in" / "a.png", 16), "--out", out, "--method", "tv", *SIGMA)
    assert_clean(result, 1, str(out), "cannot write to the output folder")
    assert len(result.err.strip().splitlines()) == 1


@pytest.mark.parametrize("where", ["read_only_mount", "under_a_file"])
def test_ship_weights_into_an_unwritable_folder_is_one_line(cli, tmp_path, request, where):
    run_id = _earlier_run(cli, tmp_path / "good")
    folder = request.getfixturevalue("read_only_folder") if where == "read_only_mount" else _under_a_file(tmp_path)
    result = cli("ship-weights", run_id, "--name", "tiny", "--command", "workbench import-weights good.pth",
                 "--folder", folder)
    assert_clean(result, 1, str(folder), "cannot write")
    assert len(result.err.strip().splitlines()) == 1
    assert _run_ids() == [run_id]
