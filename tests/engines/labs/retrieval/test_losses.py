"""DSCMR's J1, J2, J3 against direct NumPy computations, and the switches of the loss terms."""
import numpy as np
import pytest
import torch

from engines.core.summary import count_flops
from engines.models import build_model
from engines.models.dscmr import dscmr_losses


def _tiny_batch(seed=0, n=5, dim=4, classes=3):
    g = torch.Generator().manual_seed(seed)
    u, v = torch.randn(n, dim, generator=g, dtype=torch.float64), torch.randn(n, dim, generator=g, dtype=torch.float64)
    p_u = torch.randn(n, classes, generator=g, dtype=torch.float64)
    p_v = torch.randn(n, classes, generator=g, dtype=torch.float64)
    labels = torch.tensor([0, 1, 0, 2, 1])[:n]
    return u, v, p_u, p_v, labels


def _numpy_terms(u, v, p_u, p_v, labels, classes):
    u, v, p_u, p_v, labels = (t.numpy() for t in (u, v, p_u, p_v, labels))
    n = len(labels)
    y = np.eye(classes)[labels]
    j1 = np.mean([np.sqrt(((p_u[i] - y[i]) ** 2).sum()) for i in range(n)]) + \
        np.mean([np.sqrt(((p_v[i] - y[i]) ** 2).sum()) for i in range(n)])

    def pairs(x, z):
        total = 0.0
        for i in range(n):
            for j in range(n):
                gamma = 0.5 * x[i] @ z[j] / (np.linalg.norm(x[i]) * np.linalg.norm(z[j]))
                same = 1.0 if labels[i] == labels[j] else 0.0
                total += np.log(1 + np.exp(gamma)) - same * gamma
        return total / (n * n)

    j2 = pairs(u, u) + pairs(u, v) + pairs(v, v)
    j3 = np.mean([np.linalg.norm(u[i] - v[i]) for i in range(n)])
    return {"j1": j1, "j2": j2, "j3": j3}


@pytest.mark.parametrize("seed", [0, 1])
def test_each_loss_matches_a_direct_numpy_computation(seed):
    batch = _tiny_batch(seed)
    terms = dscmr_losses(*batch, num_classes=3)
    expected = _numpy_terms(*batch, classes=3)
    for name in ("j1", "j2", "j3"):
        assert float(terms[name]) == pytest.approx(expected[name], rel=1e-10), name


def test_j3_is_zero_for_identical_views_and_j2_prefers_same_class_agreement():
    u, _, p_u, _, labels = _tiny_batch()
    assert float(dscmr_losses(u, u.clone(), p_u, p_u, labels, 3)["j3"]) == 0.0
    # Embeddings that point one way per class score a lower J2 than random ones.
    aligned = torch.nn.functional.one_hot(labels, 3).double() * 5
    assert float(dscmr_losses(aligned, aligned, p_u, p_u, labels, 3)["j2"]) < \
        float(dscmr_losses(u, u, p_u, p_u, labels, 3)["j2"])


def test_model_defaults_are_the_authors_and_forward_splits_the_modalities():
    model = build_model("dscmr", num_classes=20, dim_a=4096, dim_b=300)
    assert model.branch_a[0].out_features == 2048 and model.shared.out_features == 1024
    assert model.shared is not None and model.classifier.in_features == 1024
    small = build_model("dscmr", num_classes=3, dim_a=6, dim_b=4, hidden=8, common=5)
    x = torch.randn(2, 10)
    u, v, p_u, p_v = small(x)
    torch.testing.assert_close(u, small.encode_a(x[:, :6]))
    torch.testing.assert_close(v, small.encode_b(x[:, 6:]))
    torch.testing.assert_close(p_v, small.classifier(v))
    assert count_flops(small, (10,)) > 0
    with pytest.raises(ValueError, match="6 \\+ 4"):
        small(torch.randn(2, 9))


@pytest.mark.parametrize("losses, expected", [("j1+j2+j3", {"j1": 1, "j2": 1e-3, "j3": 0.1}),
                                              ("j1+j3", {"j1": 1, "j3": 0.1}), ("j2+j3", {"j2": 1e-3, "j3": 0.1}),
                                              ("j1", {"j1": 1})])
def test_switched_off_terms_leave_the_objective_but_are_still_logged(losses, expected):
    from engines.labs.retrieval.task import RetrievalConfig, _train_loss_for

    torch.manual_seed(0)
    model = build_model("dscmr", num_classes=3, dim_a=6, dim_b=4, hidden=8, common=5)
    x, y = torch.randn(5, 10), torch.tensor([0, 1, 0, 2, 1])
    log: dict = {}
    config = RetrievalConfig(losses=losses).validate()
    total, n = _train_loss_for(config, 3, log)((model), (x, y), "cpu")
    terms = dscmr_losses(*model(x), y, 3)
    assert float(total.detach()) == pytest.approx(sum(w * float(terms[t].detach()) for t, w in expected.items()))
    assert n == 5 and set(log) == {"j1", "j2", "j3", "count"}
    assert log["j2"] == pytest.approx(5 * float(terms["j2"].detach()))


def test_losses_setting_is_validated():
    from engines.core.config import ConfigError
    from engines.labs.retrieval.task import RetrievalConfig

    assert RetrievalConfig(losses="J3, j1").validate().losses == "j1+j3"
    for bad in ("", "j4", "j1+jj"):
        with pytest.raises(ConfigError, match="losses"):
            RetrievalConfig(losses=bad).validate()
