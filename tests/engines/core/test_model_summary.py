"""Per-layer summaries and depthwise-separable cost ratios."""
from __future__ import annotations

import pytest

from engines.core.model_summary import summarize_registered
from engines.core.summary import count_flops


@pytest.mark.parametrize("name, params", [("mobilenet_v1", 2_142_026), ("mobilenet_v2", 2_296_922)])
def test_rows_add_up_to_the_totals(name, params):
    from engines.models import build_model

    summary = summarize_registered(name)
    assert summary.params == params == sum(r.params for r in summary.rows)
    assert summary.flops == sum(r.flops for r in summary.rows) == count_flops(build_model(name), (3, 32, 32))
    assert summary.rows[-1].output_shape == (10,)
    assert "total" in summary.format()


def test_depthwise_separable_ratio_is_one_over_n_plus_one_over_k_squared():
    summary = summarize_registered("mobilenet_v1")
    assert len(summary.separable) == 9
    first = summary.separable[0]
    assert (first.in_channels, first.out_channels, first.kernel) == (32, 64, 3)
    assert first.formula == pytest.approx(1 / 64 + 1 / 9)
    for cost in summary.separable:
        assert cost.ratio == pytest.approx(cost.formula)
    # MobileNet V2: each block's depthwise conv and its 1×1 projection form one pair.
    assert len(summarize_registered("mobilenet_v2", width_mult=0.25).separable) == 17


def test_output_shapes_follow_the_strides():
    rows = {r.name: r for r in summarize_registered("mobilenet_v1").rows}
    assert rows["stem.0"].output_shape == (32, 32, 32)
    assert rows["layers.1.depthwise"].output_shape == (64, 16, 16)
    assert rows["layers.8.pointwise"].output_shape == (1024, 2, 2)
