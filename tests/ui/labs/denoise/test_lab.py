"""The Denoising lab in the real window: drops, the triptych's shared zoom and swipe, saving, batches, runs."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image
from PySide6.QtCore import Qt

from tests.helpers import save_tiny_dncnn
from tests.ui.qt_helpers import drop_files, open_lab


@pytest.fixture
def weights(tmp_path):
    """A tiny DnCNN in KAIR's state_dict layout (imported through the lab like published weights)."""
    return save_tiny_dncnn(tmp_path / "dncnn_25.pth")


@pytest.fixture
def lab(window):
    return open_lab(window, "Denoising")


def _camera(size=48, offset=100):
    import skimage.data

    return skimage.data.camera()[offset:offset + size, offset:offset + size]


def test_dropping_two_images_and_a_text_file_gives_two_results_and_one_message(lab, qtbot, tmp_path, weights):
    run_id = lab.import_weights(str(weights))
    assert run_id is not None and f"run:{run_id}" in lab.checked_keys()
    lab.set_checked([f"run:{run_id}", "wavelet"])
    gray, rgb, text = tmp_path / "gray.png", tmp_path / "rgb.png", tmp_path / "notes.txt"
    Image.fromarray(_camera()).save(gray)
    Image.fromarray(np.stack([_camera(offset=200)] * 3, -1)).save(rgb)
    text.write_text("not an image")
    with qtbot.waitSignal(lab.batch_finished, timeout=60_000):
        drop_files(lab.main_window, [gray, text, rgb])  # dropped on the window, not on the lab
    ok = [o for o in lab.outcomes.values() if o.results]
    assert sorted(o.name for o in ok) == ["gray.png", "rgb.png"]
    assert len(lab.errors) == 1 and "notes.txt" in lab.errors[0]
    for outcome in ok:
        assert [c.key for c, _ in outcome.results] == [f"run:{run_id}", "wavelet"]
        for _, result in outcome.results:
            assert result.restored.shape == outcome.noisy.shape
            # residual = what was removed: noisy − output (the output is clipped afterwards)
            assert np.allclose(np.clip(outcome.noisy - result.residual, 0, 1), result.restored, atol=1e-5)
            assert result.psnr is not None and result.ssim_map.shape == outcome.noisy.shape[:2]
    # The file list shows both results and the failure; the last result is on screen.
    assert lab.files.count() == 3
    assert lab.view.data is not None and lab.view.data.name == "rgb.png"
    assert {"noisy", "clean", "residual:0", "restored:0", "error:0", "residual:1"} <= set(lab.view.panes)


def test_panes_share_zoom_and_the_swipe_slider_changes_the_composite(lab, qtbot, tmp_path):
    lab.set_checked(["wavelet", "tv"])
    path = tmp_path / "camera.png"
    Image.fromarray(_camera(64)).save(path)
    with qtbot.waitSignal(lab.batch_finished, timeout=60_000):
        lab.open_paths([str(path)])
    view = lab.view
    views = view.views()
    assert len(views) == 8  # noisy, clean, and three panes for each of the two methods
    qtbot.wait(200)  # let the new panes take their places
    views[4].setRange(xRange=(10, 30), yRange=(5, 25), padding=0)

    def scale(view):  # image pixels per screen pixel
        return (view.viewRange()[1][1] - view.viewRange()[1][0]) / view.height()

    def same_region(view):  # the requested region, centred, at the same scale in every pane
        (x0, x1), (y0, y1) = view.viewRange()
        return (abs((x0 + x1) / 2 - 20) < 1e-6 and abs((y0 + y1) / 2 - 15) < 1e-6
                and abs(min(x1 - x0, y1 - y0) - 20) < 1e-6 and abs(scale(view) / scale(views[4]) - 1) < 1e-6)

    qtbot.waitUntil(lambda: all(same_region(v) for v in views), timeout=2_000)

    restored = view.panes["restored:0"].image
    lab.swipe.setValue(0)  # the line at the left edge: all restored
    after = np.array(restored.image)
    assert np.allclose(after, view.data.methods[0].restored)
    lab.swipe.setValue(1000)  # the line at the right edge: all noisy
    before = np.array(restored.image)
    assert np.allclose(before, np.clip(view.data.noisy, 0, 1))
    lab.swipe.setValue(500)
    half = np.array(restored.image)
    assert np.allclose(half[:, :32], before[:, :32]) and np.allclose(half[:, 32:], after[:, 32:])
    assert not np.allclose(half, after)

    error = view.panes["error:0"].image
    plain = np.array(error.image)
    lab.ssim_toggle.setChecked(True)
    assert np.allclose(error.image, view.data.methods[0].ssim_map) and not np.allclose(error.image, plain)


def test_save_keeps_the_bit_depth_and_never_overwrites_the_original(lab, qtbot, tmp_path):
    lab.set_checked(["wavelet"])
    source = tmp_path / "deep.png"
    original = (_camera(40).astype(np.uint16) * 257)
    Image.fromarray(original).save(source)
    with qtbot.waitSignal(lab.batch_finished, timeout=60_000):
        lab.open_paths([str(source)])
    saved = lab.save()
    assert saved is not None and saved != source and saved.parent == tmp_path
    back = np.array(Image.open(saved))
    assert back.dtype == np.uint16 and back.shape == original.shape
    expected = np.rint(np.clip(lab.current_outcome.results[0][1].restored, 0, 1) * 65535)
    assert np.array_equal(back, expected.astype(np.uint16))
    assert lab.save_to(source) is None  # refused: the original stays intact
    assert np.array_equal(np.array(Image.open(source)), original)
    assert "overwrite" in lab.main_window.property("last_warning")
    # Save again: the first save's file is the user's now; it is kept and the next free name is used.
    first = saved.read_bytes()
    again = lab.save()
    assert again is not None and again != saved and again.parent == tmp_path
    assert saved.read_bytes() == first


def test_a_dropped_folder_runs_as_a_batch_into_the_output_folder_and_cancel_stops_it(lab, qtbot, tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    for i in range(8):
        Image.fromarray(_camera(256, offset=i * 20)).save(folder / f"img{i}.png")
    (folder / "empty.png").write_bytes(b"")
    out = tmp_path / "out"
    lab.set_out_dir(str(out))
    lab.set_checked(["nlm"])
    def cancel_after_first_result():
        if any(o.results for o in lab.outcomes.values()):
            lab.cancel()

    lab.results_changed.connect(cancel_after_first_result)
    with qtbot.waitSignal(lab.batch_finished, timeout=120_000):
        lab.open_paths([str(folder)])
    done = lab._batch_done
    assert 2 <= done < 9  # empty.png (an error) comes first
    written = sorted(p.name for p in out.iterdir())
    assert len(written) == sum(len(o.outputs) for o in lab.outcomes.values())
    assert all(name.endswith(".nlm.png") for name in written)
    assert "Cancelled" in lab.status.text()
    assert sorted(p.name for p in folder.iterdir()) == ["empty.png", *[f"img{i}.png" for i in range(8)]]

    lab.results_changed.disconnect(cancel_after_first_result)
    with qtbot.waitSignal(lab.batch_finished, timeout=120_000):
        lab.set_checked(["wavelet"])
        lab.open_paths([str(folder)])
    assert len(list(out.glob("*.wavelet.png"))) == 8
    assert any("empty.png" in e for e in lab.errors)


def test_selecting_a_denoising_run_previews_it_on_the_built_in_image(lab, qtbot, weights):
    from workbench.labs.denoise.service import import_weights

    imported = import_weights(weights, store=lab.store)
    lab.main_window.browser.refresh()
    with qtbot.waitSignal(lab.batch_finished, timeout=60_000):
        lab.main_window.browser.select([imported.run_id])
    assert lab.checked_keys()[0] == f"run:{imported.run_id}"
    assert lab.view.data is not None and lab.view.data.name.startswith("camera")
    assert lab.view.data.methods[0].label.startswith(f"#{imported.run_id}")


def test_the_preview_follows_a_training_run_started_from_the_window(lab, qtbot, tmp_path):
    from engines.core.tasks import make_config

    folder = tmp_path / "train"
    folder.mkdir()
    for i in range(3):
        Image.fromarray(_camera(48, offset=40 * i)).save(folder / f"{i}.png")
    config = make_config("denoise", model="dncnn", model_options={"depth": 3, "features": 4}, data="image_folder",
                         data_options={"root": str(folder), "max_patches": 32}, batch_size=16, epochs=2,
                         val_data=str(folder), threads=1)
    lab.set_checked(["wavelet"])
    with qtbot.waitSignal(lab.runner.run_finished, timeout=120_000):
        run_id = lab.main_window.start_job(config)
    qtbot.waitUntil(lambda: not lab.busy and lab.view.data is not None, timeout=60_000)
    assert lab.previews >= 2  # one per epoch's checkpoint
    assert lab.checked_keys() == [f"run:{run_id}", "wavelet"]
    shown = lab.view.data
    assert shown.name.startswith("camera") and shown.methods[0].label == f"#{run_id} dncnn"
    assert shown.methods[0].psnr is not None and shown.methods[1].label == "Wavelet"


def test_bad_weights_give_a_message_and_record_nothing(lab, tmp_path):
    pickle = tmp_path / "model.pth"
    torch.save(torch.nn.Conv2d(1, 1, 3), pickle)  # a whole-model pickle: never unpickled
    wrong = tmp_path / "resnet.pth"
    torch.save({"fc.weight": torch.zeros(2, 2)}, wrong)
    before = len(lab.store.list_runs())
    assert lab.import_weights(str(pickle)) is None
    assert "model.pth" in lab.main_window.property("last_warning")
    assert lab.import_weights(str(wrong)) is None
    assert "resnet.pth" in lab.main_window.property("last_warning")
    assert len(lab.store.list_runs()) == before


def test_closing_the_window_mid_batch_stops_the_job_and_leaves_no_thread(lab, qtbot, tmp_path):
    from workbench.ui.shell.worker import running_threads

    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(6):
        Image.fromarray(_camera(256, offset=i * 20)).save(folder / f"img{i}.png")
    out = tmp_path / "out"
    lab.set_out_dir(str(out))
    lab.set_checked(["nlm"])
    lab.open_paths([str(folder)])
    lab.open_paths([str(folder)])  # a second batch waits in the queue
    assert lab.busy and running_threads()
    lab.main_window.close()  # the labs' shutdown(): request stop → quit → wait
    assert not running_threads() and not lab.busy
    assert len(list(out.glob("*.nlm*.png"))) < 12  # stopped before the end; the queued batch never ran


def test_the_get_dncnn_button_installs_the_authors_weights_and_denoises_the_image_again(lab, qtbot, tmp_path,
                                                                                          monkeypatch):
    """The lab offers the authors' weights until they are a run (another DnCNN, ours, does not count); one click downloads them from the mirror (a loopback
    server over a file the test wrote, its sha256 recorded as the entry's), installs a run, makes DnCNN the
    checked method and denoises the current image again."""
    import functools
    import hashlib
    import http.server
    import threading

    from workbench.labs.denoise import published

    mirror = tmp_path / "mirror"
    mirror.mkdir()
    weights = save_tiny_dncnn(mirror / "dncnn_25.pth")
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    monkeypatch.setattr(published, "PUBLISHED", tuple(
        published.Published(e.name, e.url, digest if e.name == "dncnn_s_25" else e.sha256, e.title, e.source,
                            e.licence) for e in published.PUBLISHED))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(mirror))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv(published.MIRROR_ENV, f"http://127.0.0.1:{server.server_address[1]}/")
    try:
        from workbench.labs.denoise.service import import_weights

        ours = save_tiny_dncnn(tmp_path / "ours.pth")
        torch.save({k: v + 0.01 for k, v in torch.load(ours, weights_only=True).items()}, ours)
        import_weights(ours, name="our DnCNN", store=lab.main_window.store)  # a DnCNN, not the authors' file
        lab.refresh_methods()
        lab.set_checked(["wavelet"])
        image = tmp_path / "gray.png"
        Image.fromarray(_camera()).save(image)
        with qtbot.waitSignal(lab.batch_finished, timeout=60_000):
            lab.open_paths([str(image)])
        assert lab.get_dncnn_button.isVisibleTo(lab)  # the authors' DnCNN is not a run yet
        assert [c.key for c, _ in lab.current_outcome.results] == ["wavelet"]
        with qtbot.waitSignal(lab.batch_finished, timeout=60_000):  # installed, then the image again
            with qtbot.waitSignal(lab.weights_installed, timeout=60_000) as installed:
                qtbot.mouseClick(lab.get_dncnn_button, Qt.MouseButton.LeftButton)
        run_id = installed.args[0]
        assert lab.checked_keys() == [f"run:{run_id}"]
        assert [c.key for c, _ in lab.current_outcome.results] == [f"run:{run_id}"]
        assert not lab.get_dncnn_button.isVisibleTo(lab)  # the authors' DnCNN is a run now
        assert lab.main_window.store.get_run(run_id).summary["sha256"] == digest
    finally:
        server.shutdown()
        server.server_close()


def test_the_ssim_window_is_chosen_in_the_lab_and_named_in_the_titles(lab, qtbot, tmp_path):
    """Gaussian 11×11 by default (the papers' SSIM); the uniform 7×7 window is an option, and the scores change."""
    from engines.labs.denoise.methods import score

    lab.set_checked(["wavelet"])
    path = tmp_path / "camera.png"
    Image.fromarray(_camera(64)).save(path)
    assert lab.ssim_window.currentData() == "gaussian"
    with qtbot.waitSignal(lab.batch_finished, timeout=60_000):
        drop_files(lab.main_window, [path])
    gaussian = lab.current.results[0][1]
    expected = score(_camera(64), gaussian.restored)
    assert gaussian.ssim == pytest.approx(expected.ssim)
    assert "11×11 Gaussian" in lab.view.panes["restored:0"].label.text
    lab.ssim_window.setCurrentIndex(lab.ssim_window.findData("uniform"))
    with qtbot.waitSignal(lab.batch_finished, timeout=60_000):
        lab.rerun_current()
    uniform = lab.current.results[0][1]
    assert uniform.ssim == pytest.approx(score(_camera(64), uniform.restored, ssim="uniform").ssim)
    assert uniform.ssim != pytest.approx(gaussian.ssim, abs=1e-4)
    assert "7×7 uniform" in lab.view.panes["restored:0"].label.text
    lab.ssim_toggle.setChecked(True)
    assert "7×7 uniform" in lab.view.panes["error:0"].label.text


def test_a_dncnn_trained_for_another_sigma_is_named_in_the_batch_messages(lab, qtbot, tmp_path, weights):
    """dncnn_25.pth was trained for σ = 25: denoising at σ = 50 with it says so when the batch starts and when it
    ends, naming the model and both σ; at σ = 25 (or within 5 of it), and for a blind model, nothing is added."""
    run_id = lab.import_weights(str(weights))
    blind = tmp_path / "GD_Gray_Blind.pth"
    blind.write_bytes(weights.read_bytes())
    blind_id = lab.import_weights(str(blind))
    choice = lab.choices[f"run:{run_id}"]
    assert choice.trained_sigma == 25.0 and lab.choices[f"run:{blind_id}"].trained_sigma is None
    image = tmp_path / "gray.png"
    Image.fromarray(_camera()).save(image)
    messages: list[str] = []
    lab.message.connect(messages.append)
    lab.set_checked([f"run:{run_id}", f"run:{blind_id}"])
    lab.sigma.setValue(50.0)
    with qtbot.waitSignal(lab.batch_finished, timeout=60_000):
        lab.open_paths([str(image)])
    warned = [m for m in messages if "σ=25" in m and "50" in m and choice.title in m]
    assert len(warned) == 2 and warned[-1].startswith("Done: 1 of 1")  # at the start and in the summary
    assert lab.choices[f"run:{blind_id}"].title not in warned[0].split("—")[1]  # the blind one is not named
    messages.clear()
    lab.sigma.setValue(28.0)
    with qtbot.waitSignal(lab.batch_finished, timeout=60_000):
        lab.open_paths([str(image)])
    assert messages and not any("σ=25" in m for m in messages)


def test_the_dncnn_checked_by_default_is_the_one_for_the_sigma_set_and_follows_it_until_the_user_chooses(
        lab, tmp_path, weights):
    from workbench.labs.denoise.service import import_weights

    ids = {}
    for name in ("dncnn_25.pth", "dncnn_15.pth", "dncnn_50.pth", "GD_Gray_Blind.pth"):  # the blind one is newest
        path = tmp_path / name
        path.write_bytes(weights.read_bytes())
        ids[name] = f"run:{import_weights(path, store=lab.store).run_id}"
    lab.choices = {}  # as when the lab opens on these runs
    lab.refresh_methods()
    assert lab.sigma.value() == 25.0 and lab.checked_keys() == [ids["dncnn_25.pth"]]
    for sigma, expected in ((50.0, "dncnn_50.pth"), (46.0, "dncnn_50.pth"), (0.0, "GD_Gray_Blind.pth"),
                            (18.0, "dncnn_15.pth"), (70.0, "GD_Gray_Blind.pth"), (29.0, "dncnn_25.pth")):
        lab.sigma.setValue(sigma)
        assert lab.checked_keys() == [ids[expected]], sigma
    lab.refresh_methods()  # a finished run refreshes the list; the lab's own choice still follows σ
    lab.sigma.setValue(15.0)
    assert lab.checked_keys() == [ids["dncnn_15.pth"]]
    lab.set_checked([ids["dncnn_15.pth"], "wavelet"])  # the user's choice is kept whatever σ is set
    lab.sigma.setValue(50.0)
    assert lab.checked_keys() == [ids["dncnn_15.pth"], "wavelet"]
    lab.set_checked([ids["dncnn_50.pth"]])
    lab.sigma.setValue(25.0)
    assert lab.checked_keys() == [ids["dncnn_50.pth"]]


def test_the_denoising_precision_follows_preferences_and_is_named_in_the_title(lab, qtbot, tmp_path, weights,
                                                                                monkeypatch):
    """Automatic: bf16 where the CPU has native bf16 (named beside the seconds), else fp32; Preferences ▸ fp32
    everywhere takes effect at the next batch."""
    import engines.core.device as device_module
    from engines.labs.denoise import methods
    from workbench.settings import Settings, save_settings

    if not methods._bf16_kernels():
        pytest.skip("this PyTorch has no oneDNN pointwise bf16 convolution")
    monkeypatch.setattr(device_module, "native_bf16", lambda _device: True)
    run_id = lab.import_weights(str(weights))
    lab.set_checked([f"run:{run_id}"])
    path = tmp_path / "camera.png"
    Image.fromarray(_camera(64)).save(path)
    with qtbot.waitSignal(lab.batch_finished, timeout=60_000):
        drop_files(lab.main_window, [path])
    bf16 = lab.current.results[0][1]
    assert bf16.precision == "bf16" and lab.view.panes["restored:0"].label.text.endswith(" s, bf16")
    save_settings(Settings(inference_precision="fp32"))
    with qtbot.waitSignal(lab.batch_finished, timeout=60_000):
        lab.rerun_current()
    fp32 = lab.current.results[0][1]
    assert fp32.precision == "fp32" and "bf16" not in lab.view.panes["restored:0"].label.text
    assert 0 < np.abs(fp32.restored - bf16.restored).max() < 0.05
    monkeypatch.setattr(device_module, "native_bf16", lambda _device: False)
    save_settings(Settings())  # automatic, on a CPU without native bf16: fp32
    with qtbot.waitSignal(lab.batch_finished, timeout=60_000):
        lab.rerun_current()
    assert lab.current.results[0][1].precision == "fp32"
