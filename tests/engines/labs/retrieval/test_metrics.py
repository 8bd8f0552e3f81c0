"""mAP, precision@k and the PR curve on a hand-computed example and against direct definitions."""
import numpy as np
import pytest

from engines.labs.retrieval.metrics import (
    average_precisions,
    cosine_similarity,
    mean_average_precision,
    precision_at_k,
    precision_recall_curve,
    retrieval_scores,
)

# Two queries, three database items in 2-D.
#   q0 = (1, 0), class 0 → cosines d0 0.995 (class 0), d1 0.707 (class 1), d2 0.0995 (class 0):
#        relevant at ranks 1 and 3 → AP = (1/1 + 2/3) / 2 = 5/6
#   q1 = (0, 1), class 1 → d2 0.995 (class 0), d1 0.707 (class 1), d0 0.0995 (class 0):
#        relevant at rank 2 → AP = (1/2) / 1 = 1/2
QUERY = np.array([[1.0, 0.0], [0.0, 1.0]])
QUERY_LABELS = np.array([0, 1])
DATABASE = np.array([[1.0, 0.1], [1.0, 1.0], [0.1, 1.0]])
DATABASE_LABELS = np.array([0, 1, 0])


def test_map_on_a_hand_example():
    aps = average_precisions(QUERY, DATABASE, QUERY_LABELS, DATABASE_LABELS)
    np.testing.assert_allclose(aps, [5 / 6, 1 / 2])
    assert mean_average_precision(QUERY, DATABASE, QUERY_LABELS, DATABASE_LABELS) == pytest.approx(2 / 3)
    # Top 2 only (the authors' k): q0 finds d0 at rank 1 → 1; q1 finds d1 at rank 2 → 1/2.
    np.testing.assert_allclose(average_precisions(QUERY, DATABASE, QUERY_LABELS, DATABASE_LABELS, k=2), [1, 0.5])


def test_precision_at_k_and_pr_curve_on_the_hand_example():
    p = precision_at_k(QUERY, DATABASE, QUERY_LABELS, DATABASE_LABELS, ks=(1, 2, 3))
    assert p == pytest.approx({1: 0.5, 2: 0.5, 3: 0.5})
    recall, precision = precision_recall_curve(QUERY, DATABASE, QUERY_LABELS, DATABASE_LABELS, points=3)
    # cut 1: q0 1/1 (recall 1/2), q1 0/1 (recall 0); cut 2: 1/2 and 1/2 (recall 1/2, 1); cut 3: 2/3, 1/3.
    np.testing.assert_allclose(precision, [0.5, 0.5, 0.5])
    np.testing.assert_allclose(recall, [0.25, 0.75, 1.0])


def test_cosine_similarity_and_zero_vectors():
    sim = cosine_similarity(QUERY, DATABASE)
    assert sim[0, 0] == pytest.approx(1 / np.sqrt(1.01)) and sim[1, 1] == pytest.approx(1 / np.sqrt(2))
    assert cosine_similarity(np.zeros((1, 2)), DATABASE).tolist() == [[0.0, 0.0, 0.0]]


def _authors_map(query, database, query_labels, database_labels, k=0):
    """The loop of the authors' fx_calc_map_label (cosine distance, argsort)."""
    from scipy.spatial.distance import cdist

    order = cdist(query, database, "cosine").argsort(kind="stable")
    k = k or len(database)
    result = []
    for i in range(len(query)):
        p = r = 0.0
        for j in range(k):
            if query_labels[i] == database_labels[order[i][j]]:
                r += 1
                p += r / (j + 1)
        result.append(p / r if r > 0 else 0.0)
    return float(np.mean(result))


@pytest.mark.parametrize("k", [0, 7])
def test_map_matches_the_authors_loop_and_sklearn(k):
    from sklearn.metrics import average_precision_score

    rng = np.random.default_rng(0)
    query, database = rng.normal(size=(30, 5)), rng.normal(size=(40, 5))
    ql, dl = rng.integers(0, 4, 30), rng.integers(0, 4, 40)
    assert mean_average_precision(query, database, ql, dl, k=k) == pytest.approx(_authors_map(query, database, ql, dl, k))
    if k == 0:
        sim = cosine_similarity(query, database)
        expected = [average_precision_score(dl == ql[i], sim[i]) for i in range(30)]
        np.testing.assert_allclose(average_precisions(query, database, ql, dl), expected)


def test_scores_both_ways_and_bad_input():
    scores = retrieval_scores(QUERY, DATABASE[:2], QUERY_LABELS, DATABASE_LABELS[:2], ks=(1,), curve_points=5)
    assert scores["map_a2b"] == pytest.approx(1.0)  # each query's own class ranks first
    assert scores["map_average"] == pytest.approx((scores["map_a2b"] + scores["map_b2a"]) / 2)
    assert set(scores["pr_curve"]) == {"a2b", "b2a"}
    with pytest.raises(ValueError, match="labels"):
        mean_average_precision(QUERY, DATABASE, QUERY_LABELS, DATABASE_LABELS[:2])


def test_one_ranking_per_direction_gives_the_separate_functions_numbers():
    """retrieval_scores ranks each direction once; its numbers equal the one-metric functions', ties included
    (rounded embeddings make equal similarities) and across query chunks."""
    from engines.labs.retrieval import metrics

    rng = np.random.default_rng(3)
    a = rng.normal(size=(700, 4)).round(0)
    b = rng.normal(size=(650, 4)).round(0)
    la, lb = rng.integers(0, 5, 700), rng.integers(0, 5, 650)
    scores = retrieval_scores(a, b, la, lb, ks=(1, 5, 10), curve_points=7)
    for name, (q, d, ql, dl) in {"a2b": (a, b, la, lb), "b2a": (b, a, lb, la)}.items():
        assert scores[f"map_{name}"] == pytest.approx(metrics.mean_average_precision(q, d, ql, dl), abs=1e-12)
        expected = precision_at_k(q, d, ql, dl, ks=(1, 5, 10))
        assert scores["precision_at_k"][name] == pytest.approx(expected, abs=1e-12)
        recall, precision = precision_recall_curve(q, d, ql, dl, points=7)
        np.testing.assert_allclose(scores["pr_curve"][name]["recall"], recall, atol=1e-12)
        np.testing.assert_allclose(scores["pr_curve"][name]["precision"], precision, atol=1e-12)
