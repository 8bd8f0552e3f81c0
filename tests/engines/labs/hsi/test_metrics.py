"""OA, AA and Cohen's kappa against values computed by hand."""
from __future__ import annotations

import numpy as np
import pytest

from engines.labs.hsi.metrics import confusion, scores, scores_from_confusion


def test_scores_match_hand_computed_values():
    truth = [0, 0, 0, 1, 1, 2]
    pred = [0, 0, 1, 1, 1, 0]
    result = scores(truth, pred, 3, ["a", "b", "c"])
    # confusion [[2,1,0],[0,2,0],[1,0,0]]: OA 4/6; recalls 2/3, 1, 0 → AA 5/9;
    # p_e = (3·3 + 2·3 + 1·0) / 36 = 15/36, kappa = (4/6 − 15/36) / (1 − 15/36) = 3/7.
    assert result["confusion"] == [[2, 1, 0], [0, 2, 0], [1, 0, 0]]
    assert result["overall_accuracy"] == pytest.approx(4 / 6)
    assert result["average_accuracy"] == pytest.approx(5 / 9)
    assert result["kappa"] == pytest.approx(3 / 7)
    assert result["per_class"] == pytest.approx({"a": 2 / 3, "b": 1.0, "c": 0.0})


def test_absent_classes_are_left_out_of_the_average():
    cm = confusion([0, 0, 2], [0, 1, 2], 4)
    result = scores_from_confusion(cm)
    assert set(result["per_class"]) == {"0", "2"}
    assert result["average_accuracy"] == pytest.approx((0.5 + 1.0) / 2)


def test_perfect_and_single_class_predictions():
    assert scores([1, 2, 3], [1, 2, 3], 4)["kappa"] == pytest.approx(1.0)
    assert scores([1, 1], [1, 1], 3)["kappa"] == 1.0
    assert np.isnan(scores_from_confusion(np.zeros((2, 2), dtype=int))["overall_accuracy"])
