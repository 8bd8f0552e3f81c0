"""``workbench eval-denoise``, ``import-weights`` and ``denoise``: results, run records, bad input."""
import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from engines.models import load_trained_model
from tests.helpers import save_tiny_dncnn
from workbench.cli import main
from workbench.store import RunStore


@pytest.fixture
def weights(tmp_path):
    """A tiny DnCNN saved in KAIR's state_dict layout."""
    return save_tiny_dncnn(tmp_path / "dncnn_25.pth")


@pytest.fixture
def images(tmp_path):
    import skimage.data

    folder = tmp_path / "images"
    folder.mkdir()
    camera = skimage.data.camera()
    Image.fromarray(camera[100:164, 100:164]).save(folder / "gray.png")
    Image.fromarray(np.stack([camera[200:248, 200:264]] * 3, -1)).save(folder / "rgb.jpg")
    return folder


def _last_json(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])


def test_eval_denoise_prints_per_image_and_mean_json(images, capsys):
    assert main(["eval-denoise", "--images", str(images), "--sigma", "25", "--method", "tv", "--json"]) == 0
    result = _last_json(capsys.readouterr().out)
    assert result["count"] == 2 and result["sigma"] == 25 and result["method"] == "tv"
    assert [i["name"] for i in result["images"]] == ["gray.png", "rgb.jpg"]
    assert result["mean_psnr"] == pytest.approx(np.mean([i["psnr"] for i in result["images"]]), abs=1e-3)
    assert all(i["psnr"] > i["noisy_psnr"] for i in result["images"])


def test_import_weights_records_a_finished_run_the_app_can_load(weights, images, capsys):
    assert main(["import-weights", str(weights), "--name", "published", "--json"]) == 0
    info = _last_json(capsys.readouterr().out)
    with RunStore() as store:
        run = store.get_run(info["run_id"])
        artifacts = store.artifacts(run.id)
    assert (run.status, run.task, run.name, run.params) == ("finished", "denoise", "published", info["params"])
    assert run.config["sigma"] == 25.0 and run.config["model_options"]["depth"] == 3
    assert ("imported_weights", str(weights.resolve())) in artifacts
    model = load_trained_model(run.checkpoint)
    assert model.depth == 3 and not model.batchnorm
    assert main(["eval-denoise", "--images", str(images), "--sigma", "25", "--run", str(run.id), "--json"]) == 0
    assert _last_json(capsys.readouterr().out)["count"] == 2


def test_an_imported_run_can_be_fine_tuned(weights, tmp_path):
    from engines.core.events import Finished
    from engines.core.tasks import get_task
    from tests.helpers import final_event
    from workbench.labs.denoise.service import import_weights
    from workbench.runner import config_for_run

    imported = import_weights(weights)
    with RunStore() as store:
        config = config_for_run(store, imported.run_id, epochs=1, max_steps=2, batch_size=4,
                                data_options={"max_patches": 8})
    final = final_event(get_task("denoise").fit(config, checkpoint_dir=tmp_path / "ft",
                                                resume_from=imported.checkpoint))
    assert isinstance(final, Finished) and final.step == 2


def test_denoise_processes_every_file_and_reports_bad_ones(weights, images, tmp_path, capsys):
    (images / "notes.png").write_text("not an image")
    before = {p.name: p.read_bytes() for p in images.iterdir()}
    out = tmp_path / "out"
    code = main(["denoise", str(images), str(tmp_path / "missing.png"), "--out", str(out), "--sigma", "25",
                 "--weights", str(weights), "--add-noise", "--json"])
    captured = capsys.readouterr()
    assert code == 1
    result = _last_json(captured.out)
    assert (result["done"], result["failed"]) == (2, 2)
    assert sorted(p.name for p in out.iterdir()) == ["gray.dncnn.png", "rgb.dncnn.png"]
    assert "notes.png: not a recognised image" in captured.err and "missing.png: no such file" in captured.err
    assert {p.name: p.read_bytes() for p in images.iterdir()} == before  # originals untouched
    assert Image.open(out / "rgb.dncnn.png").mode == "RGB"


def test_denoise_keeps_bit_depth_and_never_overwrites_inputs(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    deep = (np.random.default_rng(0).random((32, 32)) * 65535).astype(np.uint16)
    Image.fromarray(deep).save(folder / "deep.png")
    (folder / "deep.nlm.png").write_bytes((folder / "deep.png").read_bytes())  # a name the output would take
    protected = (folder / "deep.nlm.png").read_bytes()
    assert main(["denoise", str(folder / "deep.png"), str(folder / "deep.nlm.png"), "--out", str(folder),
                 "--sigma", "10", "--method", "nlm"]) == 0
    assert (folder / "deep.nlm.png").read_bytes() == protected
    written = Image.open(folder / "deep.nlm-1.png")
    assert written.mode.startswith("I;16") or written.mode == "I"
    assert (folder / "deep.nlm.nlm.png").exists()


@pytest.mark.parametrize("args, needle", [
    (["eval-denoise", "--images", "{images}", "--sigma", "-5", "--method", "tv"], "--sigma -5"),
    (["eval-denoise", "--images", "{images}", "--sigma", "nan", "--method", "tv"], "--sigma nan"),
    (["eval-denoise", "--images", "{images}", "--sigma", "25"], "--weights FILE or --run RUN_ID"),
    (["eval-denoise", "--images", "{images}", "--sigma", "25", "--method", "median"], "median"),
    (["eval-denoise", "--images", "{tmp}/nowhere", "--sigma", "25", "--method", "tv"], "nowhere"),
    (["eval-denoise", "--images", "{images}", "--sigma", "25", "--run", "4242"], "4242"),
    (["eval-denoise", "--images", "{images}", "--sigma", "25", "--weights", "{tmp}/bad.pth"], "bad.pth"),
    (["eval-denoise", "--images", "{images}", "--sigma", "25", "--weights", "{weights}", "--run", "1"],
     "not allowed with"),
    (["import-weights", "{tmp}/bad.pth"], "bad.pth"),
    (["import-weights", "{tmp}/nope.mat"], "no such file"),
    (["denoise", "{images}", "--out", "{weights}", "--sigma", "25", "--method", "tv"], "not a folder"),
    (["denoise", "{images}", "--out", "{tmp}/o", "--sigma", "25", "--method", "tv", "--weights", "{weights}"],
     "--weights/--run apply to method dncnn"),
])
def test_bad_input_exits_2_with_one_line_naming_it(args, needle, tmp_path, images, weights, capsys):
    (tmp_path / "bad.pth").write_bytes(b"\x00not torch")
    args = [a.format(images=images, tmp=tmp_path, weights=weights) for a in args]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and len(err.splitlines()) == 1


def test_a_classify_run_is_not_a_denoiser(images, capsys):
    with RunStore() as store:
        run_id = store.create_run(task="classify", model="small_cnn", dataset="digits", config={})
    assert main(["eval-denoise", "--images", str(images), "--sigma", "25", "--run", str(run_id)]) == 2
    assert "not a denoising model" in capsys.readouterr().err


@pytest.mark.slow
def test_denoise_cli_module_imports_nothing_heavy_and_no_qt():
    code = ("import sys, workbench.labs.denoise.cli;"
            "assert 'torch' not in sys.modules, 'torch imported';"
            "import engines.labs.denoise.methods, engines.labs.denoise.weights, engines.labs.denoise.images, engines.labs.denoise.task, workbench.labs.denoise.service,"
            " workbench.labs.denoise.bench, engines.labs.denoise.data;"
            "assert 'PySide6' not in sys.modules and 'pyqtgraph' not in sys.modules, 'Qt imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_denoise_runs_in_the_precision_asked_for_and_refuses_emulated_bf16(weights, images, tmp_path, capsys,
                                                                           monkeypatch):
    import engines.core.device as device_module
    from engines.labs.denoise import methods
    from workbench.labs.denoise import cli as denoise_cli

    assert denoise_cli.INFERENCE_PRECISIONS == methods.INFERENCE_PRECISIONS  # kept in step without importing torch
    monkeypatch.setattr(device_module, "native_bf16", lambda _device: False)
    base = ["denoise", str(images / "gray.png"), "--sigma", "25", "--weights", str(weights), "--json"]
    assert main([*base, "--out", str(tmp_path / "a")]) == 0
    assert _last_json(capsys.readouterr().out)["precision"] == "fp32"  # auto, where bf16 would be emulated
    assert main([*base, "--out", str(tmp_path / "b"), "--precision", "bf16"]) == 2
    err = capsys.readouterr().err.strip()
    assert "--precision bf16" in err and "needs native bf16" in err and len(err.splitlines()) == 1
    if methods._bf16_kernels():
        monkeypatch.setattr(device_module, "native_bf16", lambda _device: True)
        assert main([*base, "--out", str(tmp_path / "c")]) == 0
        assert _last_json(capsys.readouterr().out)["precision"] == "bf16"
        assert main([*base, "--out", str(tmp_path / "d"), "--precision", "fp32"]) == 0
        assert _last_json(capsys.readouterr().out)["precision"] == "fp32"
        # Evaluation stays fp32 unless asked: its scores do not depend on the machine.
        eval_args = ["eval-denoise", "--images", str(images), "--sigma", "25", "--weights", str(weights), "--json"]
        assert main(eval_args) == 0
        assert not _last_json(capsys.readouterr().out)["model"].endswith("bf16")
        assert main([*eval_args, "--precision", "auto"]) == 0
        assert _last_json(capsys.readouterr().out)["model"].endswith(", bf16")
