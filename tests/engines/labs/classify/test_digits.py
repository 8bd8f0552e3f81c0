import torch

from engines.core.data import load_dataset


def test_digits_split_is_stratified_seeded_and_shaped():
    a = load_dataset("digits", seed=0)
    b = load_dataset("digits", seed=0)
    c = load_dataset("digits", seed=1)
    assert a.input_shape == (3, 32, 32) and a.num_classes == 10
    assert len(a.train) + len(a.test) == 1797
    xa, ya = a.test.tensors
    xb, yb = b.test.tensors
    assert torch.equal(ya, yb) and torch.equal(xa, xb)
    assert not torch.equal(c.test.tensors[1], ya)
    counts = torch.bincount(ya, minlength=10)
    assert counts.min() >= 34 and counts.max() <= 37  # 20 % of each class (~180 per class)
    assert xa.shape[1:] == (3, 32, 32)
