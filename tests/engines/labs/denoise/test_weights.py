"""Weight import: KAIR state_dicts, MatConvNet .mat (v7.3 and v5), workbench checkpoints, refusals."""
import pickle

import pytest
import torch

from engines.core.checkpoint import save_checkpoint
from engines.labs.denoise.weights import WeightsError, file_sha256, load_dncnn_weights, pickle_globals
from engines.models import build_model
from engines.models.dncnn import fold_batchnorm
from tests.helpers import write_matconvnet_v5

# sha256 from ../shared/data/SOURCES.md of every file the denoising tests read.
SHARED_SHA256 = {
    "dncnn_weights/dncnn_25.pth": "0451a70de9b672ae037270498fbb1c17a1c1c4403785df586ff65df5b858e5b0",
    "dncnn_weights/sigma=25.mat": "5a5404c9e3ef14e353760e14b885439408a654618e14f13b2e97b99b9835020b",
    "dncnn_weights/GD_Gray_Blind.mat": "37f76da0b71dd2b2789ce91848fe2f184ab486203c9af9ac1b98199b60ea02b0",
    "dncnn_weights/model.pth": "1cbd0af9c6f83b2f2a8254fb21ad0c09e4771e042805544d7e886f71eb4a8b8c",
    "set12/01.png": "079229e13faff0a262a9d3eb9a7fa60868203f9b8545de6fb75aadf6fbca4296",
    "set12/08.png": "f07124a0b4bb493660210c209070aa9c9187e9e085a9f026a51a2b9f57e25f15",
    "set12/12.png": "f6acd12953db8c1f5a0dda53fef4233be37a61702cd22d5be742cf7c039021f2",
    "bsd68/test001.png": "94ddd662377347ca7b07d5a11c2a83feff658723cf31f79bfa75f65713e94ee4",
}


def _kair_state(model) -> dict:
    """Our folded DnCNN in KAIR's key layout (model.N.weight/bias)."""
    return {k.replace("body.", "model.", 1): v.clone() for k, v in fold_batchnorm(model).state_dict().items()}


_matconvnet_v5 = write_matconvnet_v5


@pytest.fixture
def small():
    torch.manual_seed(0)
    model = build_model("dncnn", depth=4, features=8).eval()
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
    return model


def _outputs_match(a, b):
    x = torch.rand(1, 1, 16, 16)
    with torch.no_grad():
        return (a(x) - b(x)).abs().max().item() < 1e-5


def test_kair_style_state_dict_round_trip(tmp_path, small):
    torch.save(_kair_state(small), tmp_path / "w.pth")
    imported = load_dncnn_weights(tmp_path / "w.pth")
    assert imported.source_format == "kair-state-dict" and imported.model_name == "dncnn"
    assert imported.options == {"depth": 4, "features": 8, "channels": 1, "residual": True, "batchnorm": False}
    assert _outputs_match(imported.model, small)
    assert imported.sha256 == file_sha256(tmp_path / "w.pth")


def test_state_dict_with_batch_norm_is_folded_on_import(tmp_path, small):
    torch.save(small.state_dict(), tmp_path / "bn.pth")
    imported = load_dncnn_weights(tmp_path / "bn.pth")
    assert not imported.model.batchnorm and _outputs_match(imported.model, small)


def test_matconvnet_v5_mat(tmp_path, small):
    _matconvnet_v5(tmp_path / "net.mat", small)
    imported = load_dncnn_weights(tmp_path / "net.mat")
    assert imported.source_format == "matconvnet-v5" and _outputs_match(imported.model, small)


def test_workbench_checkpoint(tmp_path, small):
    save_checkpoint({"model_spec": {"name": "dncnn", "options": small.options()}, "model": small.state_dict()},
                    tmp_path / "last.pt")
    imported = load_dncnn_weights(tmp_path / "last.pt")
    assert imported.source_format == "workbench-checkpoint" and imported.model.batchnorm
    assert _outputs_match(imported.model, small)
    other = build_model("small_cnn")
    save_checkpoint({"model_spec": {"name": "small_cnn", "options": {}}, "model": other.state_dict()},
                    tmp_path / "cnn.pt")
    with pytest.raises(WeightsError, match="not a DnCNN"):
        load_dncnn_weights(tmp_path / "cnn.pt")


def test_other_architectures_are_described_key_by_key(tmp_path, small):
    torch.save(build_model("small_cnn").state_dict(), tmp_path / "cnn.pth")
    with pytest.raises(WeightsError) as info:
        load_dncnn_weights(tmp_path / "cnn.pth")
    assert "cnn.pth" in str(info.value) and "classifier.weight (10, 64)" in str(info.value)
    torch.save(_kair_state(small), tmp_path / "w.pth")
    target = build_model("dncnn", depth=5, features=16, batchnorm=False)
    with pytest.raises(WeightsError) as info:
        load_dncnn_weights(tmp_path / "w.pth", into=target)
    message = str(info.value)
    assert "body.0.weight: file (8, 1, 3, 3), model (16, 1, 3, 3)" in message
    assert "missing in file: body.8.weight, body.8.bias" in message


def test_pickles_that_need_code_are_refused_without_running_it(tmp_path):
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    with open(tmp_path / "evil.pth", "wb") as fh:
        pickle.dump({"model.0.weight": Exploit()}, fh, protocol=2)
    with pytest.raises(WeightsError, match="refused.*builtins.open|refused.*io.open") as info:
        load_dncnn_weights(tmp_path / "evil.pth")
    assert not marker.exists()
    assert "would run code" in str(info.value)
    (tmp_path / "junk.pth").write_bytes(b"\x00garbage")
    with pytest.raises(WeightsError, match="junk.pth"):
        load_dncnn_weights(tmp_path / "junk.pth")
    with pytest.raises(WeightsError, match="no such file"):
        load_dncnn_weights(tmp_path / "nope.pth")


@pytest.mark.shared_data
def test_shared_files_match_their_published_sha256(shared_data):
    for relative, expected in SHARED_SHA256.items():
        assert file_sha256(shared_data / relative) == expected, relative


@pytest.mark.shared_data
def test_matconvnet_v73_converts_to_exactly_the_kair_tensors(shared_data):
    folder = shared_data / "dncnn_weights"
    kair = load_dncnn_weights(folder / "dncnn_25.pth")
    mat = load_dncnn_weights(folder / "sigma=25.mat")
    assert (kair.source_format, mat.source_format) == ("kair-state-dict", "matconvnet-v7.3")
    assert kair.model_name == mat.model_name == "dncnn_s"
    raw = torch.load(folder / "dncnn_25.pth", weights_only=True)
    ours = mat.model.state_dict()
    assert len(raw) == len(ours) == 34
    for key, tensor in raw.items():
        assert torch.equal(ours[key.replace("model.", "body.", 1)], tensor), key
    blind = load_dncnn_weights(folder / "GD_Gray_Blind.mat")
    assert blind.model_name == "dncnn_b" and blind.model.depth == 20


@pytest.mark.shared_data
def test_the_authors_whole_model_pickle_is_refused_with_its_classes(shared_data):
    path = shared_data / "dncnn_weights" / "model.pth"
    assert "__main__.DnCNN" in pickle_globals(path)
    with pytest.raises(WeightsError) as info:
        load_dncnn_weights(path)
    assert "whole-model pickle" in str(info.value) and "__main__.DnCNN" in str(info.value)


@pytest.mark.shared_data
def test_published_weights_into_the_wrong_architecture_list_the_mismatch(shared_data):
    target = build_model("dncnn_s", batchnorm=False)
    with pytest.raises(WeightsError) as info:
        load_dncnn_weights(shared_data / "dncnn_weights" / "GD_Gray_Blind.mat", into=target)
    message = str(info.value)
    assert "body.32.weight: file (64, 64, 3, 3), model (1, 64, 3, 3)" in message
    assert "not in model: body.34.weight" in message
