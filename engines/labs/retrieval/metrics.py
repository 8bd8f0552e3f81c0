"""Cross-modal retrieval metrics: cosine similarity, mAP over all retrieved items, precision@k, PR curve.

The protocol is DSCMR's (``fx_calc_map_label`` in the authors' code): every item of one modality queries
the whole test set of the other, ranked by cosine similarity; an item is relevant when it has the query's
class. The average precision of a query is the mean of the precision at each relevant rank (within the
top ``k``; ``k = 0`` means all items, the paper's setting); a query with no relevant item scores 0.

Written with NumPy rather than ``sklearn.metrics.average_precision_score``: that function scores one
query at a time from unranked scores and breaks ties differently from the authors' argsort; here one
stable sort serves mAP, precision@k and the precision–recall curve together, in query chunks to bound
memory.
"""
from __future__ import annotations

from typing import Iterator

import numpy as np
import torch

CHUNK = 512  # queries ranked at once: 512 × 10,000 items is ~40 MB of ranks


def cosine_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(len(a), len(b)) cosine similarities; an all-zero vector has similarity 0 with everything."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    na = np.linalg.norm(a, axis=1, keepdims=True)
    nb = np.linalg.norm(b, axis=1, keepdims=True)
    return (a / np.where(na > 0, na, 1.0)) @ (b / np.where(nb > 0, nb, 1.0)).T


def _check(query: np.ndarray, database: np.ndarray, query_labels, database_labels) -> tuple[np.ndarray, np.ndarray]:
    query_labels = np.asarray(query_labels).reshape(-1)
    database_labels = np.asarray(database_labels).reshape(-1)
    if len(query) != len(query_labels) or len(database) != len(database_labels):
        raise ValueError(f"labels do not match the items: {len(query)} queries with {len(query_labels)} labels, "
                         f"{len(database)} database items with {len(database_labels)} labels")
    if len(database) == 0:
        raise ValueError("cannot rank an empty database")
    return query_labels, database_labels


def ranked_relevance(similarity: np.ndarray, query_labels, database_labels) -> np.ndarray:
    """Per query (rows), whether each ranked database item (most similar first) shares the query's class."""
    # torch's stable sort gives numpy's order (ties by database index) and sorts rows on every CPU thread,
    # about twice as fast as np.argsort here (2,000 × 2,000: 0.18 s against 0.30 s on 2 cores).
    order = torch.argsort(torch.from_numpy(-np.asarray(similarity, dtype=np.float64)), dim=1, stable=True).numpy()
    return np.asarray(database_labels)[order] == np.asarray(query_labels)[:, None]


def _chunks(query, database, query_labels, database_labels) -> Iterator[np.ndarray]:
    for start in range(0, len(query), CHUNK):
        sim = cosine_similarity(query[start:start + CHUNK], database)
        yield ranked_relevance(sim, query_labels[start:start + CHUNK], database_labels)


def average_precisions(query, database, query_labels, database_labels, *, k: int = 0) -> np.ndarray:
    """The average precision of every query over the top ``k`` items (0 = all)."""
    query_labels, database_labels = _check(query, database, query_labels, database_labels)
    depth = len(database) if k <= 0 else min(k, len(database))
    out = []
    ranks = np.arange(1, depth + 1)
    for relevant in _chunks(query, database, query_labels, database_labels):
        relevant = relevant[:, :depth]
        hits = np.cumsum(relevant, axis=1)
        found = hits[:, -1]
        precision_sum = (hits / ranks * relevant).sum(axis=1)
        out.append(np.where(found > 0, precision_sum / np.maximum(found, 1), 0.0))
    return np.concatenate(out) if out else np.zeros(0)


def mean_average_precision(query, database, query_labels, database_labels, *, k: int = 0) -> float:
    return float(average_precisions(query, database, query_labels, database_labels, k=k).mean())


def precision_at_k(query, database, query_labels, database_labels, ks=(1, 5, 10)) -> dict[int, float]:
    """Mean over queries of the share of same-class items among the ``k`` most similar."""
    return direction_scores(query, database, query_labels, database_labels, ks=ks)["precision_at_k"]


def precision_recall_curve(query, database, query_labels, database_labels, *,
                           points: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """(recall, precision) averaged over queries at ``points`` rank cut-offs spread over the database.

    At cut-off r, precision is the mean share of relevant items in each query's top r and recall the mean
    share of its relevant items found there (queries with no relevant item are left out of the recall).
    """
    scores = direction_scores(query, database, query_labels, database_labels, ks=(), curve_points=max(2, points))
    return scores["recall_curve"], scores["precision_curve"]


def direction_scores(query, database, query_labels, database_labels, *, ks=(1, 5, 10),
                     curve_points: int = 0) -> dict:
    """mAP, precision@k and (``curve_points`` > 0) the precision–recall curve of one direction (see
    :func:`precision_at_k` and :func:`precision_recall_curve`) from a single ranking of each query chunk: the
    mAP equals :func:`mean_average_precision`'s, with one sort for all three."""
    query_labels, database_labels = _check(query, database, query_labels, database_labels)
    n = len(database)
    ranks = np.arange(1, n + 1)
    ks = [int(k) for k in ks if 1 <= int(k) <= n]
    cuts = np.unique(np.linspace(1, n, num=max(2, curve_points)).round().astype(int)) if curve_points else None
    ap_sum, at_k = 0.0, dict.fromkeys(ks, 0.0)
    precision = np.zeros(0 if cuts is None else len(cuts))
    recall = np.zeros_like(precision)
    counted = 0
    for relevant in _chunks(query, database, query_labels, database_labels):
        hits = np.cumsum(relevant, axis=1)
        found = hits[:, -1]
        precision_sum = (hits / ranks * relevant).sum(axis=1)
        ap_sum += float(np.where(found > 0, precision_sum / np.maximum(found, 1), 0.0).sum())
        for k in ks:
            at_k[k] += float((hits[:, k - 1] / k).sum())
        if cuts is not None:
            cut_hits = hits[:, cuts - 1]
            precision += (cut_hits / cuts).sum(axis=0)
            has = found > 0
            recall += (cut_hits[has] / found[has, None]).sum(axis=0)
            counted += int(has.sum())
    out: dict = {"map": ap_sum / len(query), "precision_at_k": {k: at_k[k] / len(query) for k in ks}}
    if cuts is not None:
        out["recall_curve"], out["precision_curve"] = recall / max(counted, 1), precision / len(query)
    return out


def retrieval_scores(emb_a, emb_b, labels_a, labels_b, *, ks=(1, 5, 10), curve_points: int = 0) -> dict:
    """mAP both ways (A→B: queries from A rank B) and their mean; precision@k and optionally PR curves.

    Each direction is ranked once (:func:`direction_scores`)."""
    both = {"a2b": direction_scores(emb_a, emb_b, labels_a, labels_b, ks=ks, curve_points=curve_points),
            "b2a": direction_scores(emb_b, emb_a, labels_b, labels_a, ks=ks, curve_points=curve_points)}
    scores: dict = {"map_a2b": both["a2b"]["map"], "map_b2a": both["b2a"]["map"]}
    scores["map_average"] = (scores["map_a2b"] + scores["map_b2a"]) / 2.0
    if ks:
        scores["precision_at_k"] = {name: one["precision_at_k"] for name, one in both.items()}
    if curve_points:
        scores["pr_curve"] = {name: {"recall": one["recall_curve"].tolist(),
                                     "precision": one["precision_curve"].tolist()} for name, one in both.items()}
    return scores
