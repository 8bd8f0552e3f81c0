"""The paper's numbers from the published weights, through the evaluation protocol of REFERENCE.md.

They read ../shared/data only through the ``shared_data`` fixture (skipped where it is absent; CI has it).
Speed: inference mode, channels-last, BN folded (prepare_model), whole-image passes, all CPU threads.
"""
import os

import pytest
import torch

from engines.labs.denoise.images import list_images
from engines.labs.denoise.methods import evaluate_images, prepare_model
from engines.labs.denoise.weights import load_dncnn_weights

# ~2.5 min in all on an idle 2-core CPU; generous limits because CI machines are shared and busy.
pytestmark = [pytest.mark.shared_data, pytest.mark.slow, pytest.mark.timeout(1800)]


@pytest.fixture(scope="module", autouse=True)
def _threads():
    before = torch.get_num_threads()
    torch.set_num_threads(os.cpu_count() or before)
    yield
    torch.set_num_threads(before)


def _mean_psnr(shared_data, weights: str, images: str, sigma: float) -> float:
    model = prepare_model(load_dncnn_weights(shared_data / "dncnn_weights" / weights).model)
    report = evaluate_images(list_images(shared_data / images), sigma=sigma, seed=0, model=model, tile=None)
    return report.mean_psnr


def test_set12_sigma25_dncnn_s(shared_data):
    assert _mean_psnr(shared_data, "dncnn_25.pth", "set12", 25) == pytest.approx(30.43, abs=0.05)


def test_bsd68_sigma25_dncnn_s(shared_data):
    assert _mean_psnr(shared_data, "dncnn_25.pth", "bsd68", 25) == pytest.approx(29.23, abs=0.05)


@pytest.mark.parametrize("sigma, expected", [(15, 32.67), (25, 30.35), (50, 27.18)])
def test_set12_blind_dncnn_b(shared_data, sigma, expected):
    assert _mean_psnr(shared_data, "GD_Gray_Blind.mat", "set12", sigma) == pytest.approx(expected, abs=0.05)
