"""Scores of a hyperspectral classification: OA, AA, Cohen's kappa, per-class accuracy, confusion matrix.

Everything derives from the confusion matrix (scikit-learn), so sums over batches and processes add up.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np


def confusion(y_true, y_pred, num_classes: int) -> np.ndarray:
    from sklearn.metrics import confusion_matrix

    return confusion_matrix(np.asarray(y_true), np.asarray(y_pred), labels=np.arange(num_classes)).astype(np.int64)


def kappa_from_confusion(cm: np.ndarray) -> float:
    """Cohen's kappa of the pairs a confusion matrix counts (scikit-learn, with the counts as weights)."""
    from sklearn.metrics import cohen_kappa_score

    n = cm.shape[0]
    if cm.sum() == 0:
        return float("nan")
    truth, pred = np.repeat(np.arange(n), n), np.tile(np.arange(n), n)
    weights = cm.ravel().astype(np.float64)
    if np.count_nonzero(weights) == 1 and truth[weights > 0][0] == pred[weights > 0][0]:
        return 1.0  # one class only, all right: sklearn would divide 0 by 0
    return float(cohen_kappa_score(truth, pred, labels=np.arange(n), sample_weight=weights))


AA_ABSENT = ("skip", "zero")


def scores_from_confusion(cm: np.ndarray, class_names: Sequence[str] | None = None, *,
                          aa_absent: str = "skip") -> dict[str, Any]:
    """``overall_accuracy``, ``average_accuracy``, ``kappa``, ``per_class`` (name → recall, NaN-free: absent
    classes are left out) and ``confusion``.

    AA is the mean recall over the classes present in the truth. A class that is *predicted* but has no true
    pixel has no recall: ``aa_absent="skip"`` leaves it out (scikit-learn's ``balanced_accuracy_score``);
    ``"zero"`` counts it as 0, as the authors' code does (``np.nan_to_num`` of the per-class accuracies before
    the mean). Classes neither true nor predicted never count.
    """
    if aa_absent not in AA_ABSENT:
        raise ValueError(f"unknown aa_absent {aa_absent!r}; valid choices: {', '.join(AA_ABSENT)}")
    cm = np.asarray(cm, dtype=np.int64)
    n = cm.shape[0]
    names = list(class_names) if class_names is not None else [str(i) for i in range(n)]
    total = cm.sum()
    support = cm.sum(axis=1)
    present = support > 0
    recall = np.divide(np.diag(cm), support, out=np.zeros(n), where=present)
    return {
        "overall_accuracy": float(np.trace(cm) / total) if total else float("nan"),
        "average_accuracy": _average_accuracy(recall, present, cm.sum(axis=0) > 0, aa_absent),
        "kappa": kappa_from_confusion(cm),
        "per_class": {names[i]: float(recall[i]) for i in range(n) if present[i]},
        "confusion": cm.tolist(),
    }


def _average_accuracy(recall: np.ndarray, present: np.ndarray, predicted: np.ndarray, aa_absent: str) -> float:
    counted = present | predicted if aa_absent == "zero" else present
    return float(recall[counted].mean()) if present.any() else float("nan")


def scores(y_true, y_pred, num_classes: int, class_names: Sequence[str] | None = None, *,
           aa_absent: str = "skip") -> dict[str, Any]:
    return scores_from_confusion(confusion(y_true, y_pred, num_classes), class_names, aa_absent=aa_absent)
