"""``denoise_batch``: the one batch pipeline of the denoising lab (CLI and window)."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from tests.helpers import save_tiny_dncnn
from workbench.labs.denoise.service import BatchMethod, denoise_batch, load_denoiser


def _camera(size=40, offset=100):
    import skimage.data

    return skimage.data.camera()[offset:offset + size, offset:offset + size]


@pytest.fixture
def folder(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    Image.fromarray(_camera()).save(folder / "a.png")
    (folder / "b.png").write_text("not an image")
    Image.fromarray(_camera(offset=150)).save(folder / "c.png")
    return folder


def test_every_file_gets_one_result_with_each_methods_output_and_bad_files_their_message(folder, tmp_path):
    out = tmp_path / "out"
    (out / "a.tv.png").parent.mkdir()
    Image.fromarray(_camera(8)).save(out / "a.tv.png")  # an existing file: never overwritten
    existing = (out / "a.tv.png").read_bytes()
    methods = [BatchMethod("tv"), BatchMethod("nlm", tag="means", label="NLM")]
    progress = []
    items = list(denoise_batch([folder], methods, sigma=25, out_dir=out, add_noise=True, seed=1, ssim_maps=True,
                               progress=lambda done, total: progress.append((done, total))))
    assert [i.source for i in items] == [str(folder / n) for n in ("a.png", "b.png", "c.png")]
    bad = items[1]
    assert not bad.ok and "b.png" in bad.error and not bad.results
    for item in (items[0], items[2]):
        assert item.ok and item.noisy_psnr is not None and item.clean is not None
        assert [r.method.file_tag for r in item.results] == ["tv", "means"]
        for result in item.results:
            assert result.psnr > item.noisy_psnr and result.ssim_map.shape == item.noisy.shape
            assert result.restoration.restored.shape == item.noisy.shape
    assert items[0].outputs == [str(out / "a.tv-1.png"), str(out / "a.means.png")]
    assert (out / "a.tv.png").read_bytes() == existing
    assert sorted(p.name for p in folder.iterdir()) == ["a.png", "b.png", "c.png"]  # originals untouched
    assert progress[-1] == (6, 6)


def test_a_failing_method_is_listed_and_the_others_go_on(folder, tmp_path):
    def broken():
        raise ValueError("cannot load run 7")

    methods = [BatchMethod("dncnn", label="run 7", load=broken), BatchMethod("tv")]
    (item,) = denoise_batch([folder / "a.png"], methods, sigma=25, out_dir=tmp_path / "out")
    assert item.failures == ["run 7: cannot load run 7"] and not item.ok
    assert [r.method.method for r in item.results] == ["tv"]
    assert item.outputs == [str(tmp_path / "out" / "a.tv.png")]


def test_an_output_folder_that_cannot_be_made_is_reported_for_every_file(folder, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    items = list(denoise_batch([folder], [BatchMethod("tv")], sigma=25, out_dir=blocker / "out"))
    assert len(items) == 3 and all("cannot create the output folder" in i.error for i in items)


def test_stop_is_honoured_between_files_and_between_tiles(folder, tmp_path):
    calls = {"n": 0}

    def stop_after_first_file():
        calls["n"] += 1
        return calls["n"] > 2  # the first file's checks pass; the second file is never started

    items = list(denoise_batch([folder / "a.png", folder / "c.png"], [BatchMethod("tv")], sigma=25,
                               should_stop=stop_after_first_file))
    assert [i.source for i in items] == [str(folder / "a.png")] and items[0].results

    denoiser = load_denoiser(weights=save_tiny_dncnn(tmp_path / "dncnn_25.pth"))
    tiles = []

    def stop_after_a_tile():
        return len(tiles) >= 1

    items = list(denoise_batch([folder / "a.png", folder / "c.png"],
                               [BatchMethod("dncnn", model=denoiser.model), BatchMethod("tv")], sigma=25, tile=8,
                               should_stop=stop_after_a_tile, progress=lambda done, total: tiles.append(done)))
    # The network stopped part-way through the first file: it is reported without results and the batch ends.
    assert len(items) == 1 and items[0].ok and items[0].results == []


def test_sigma_is_estimated_from_the_image_only_when_asked(folder):
    (plain,) = denoise_batch([folder / "a.png"], [BatchMethod("tv")], sigma=0)
    (estimated,) = denoise_batch([folder / "a.png"], [BatchMethod("tv")], sigma=0, estimate_unknown_sigma=True)
    assert plain.sigma == 0 and estimated.sigma >= 1
    assert plain.failures and plain.failures[0].startswith("tv: ")  # TV has no weight at σ = 0: a message
    assert estimated.ok and not np.array_equal(estimated.results[0].restoration.restored, estimated.noisy)
