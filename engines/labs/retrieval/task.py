"""Cross-modal retrieval with DSCMR: J1/J2/J3 training, mAP both ways, and the analysis the lab shows.

Each epoch logs the training means of the three loss terms separately (``j1_loss``, ``j2_loss``,
``j3_loss``: unweighted values, also for a term switched off, so the ablation's curves stay comparable)
and scores the test split: every item of one modality queries all items of the other by cosine similarity
(``map_a2b``, ``map_b2a`` and their mean ``map_average``, the primary metric). When training finishes the
summary gains precision@k, the precision–recall curves and the mAP a random ranking would get.

mAP is not a sum over batches, so the test split is handed to the shared loop as a single item holding the
whole split (:class:`WholeSplit`): ``eval_sums`` then sees every test pair at once and the loop's additive
reduction stays exact (under DDP the ranks other than the first get no item and add zeros).

The authors train with Adam betas (0.5, 0.999); the shared loop's Adam uses PyTorch's defaults
(0.9, 0.999).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping

import numpy as np
import torch
from torch.utils.data import Dataset

from engines.core.config import ConfigError, TrainConfig, opt
from engines.core.data import dataset_names, load_dataset
from engines.core.events import Event
from engines.core.loop import LoopHook, LoopState, Problem, run_training
from engines.core.tasks import TaskSpec, register_task
from engines.labs.retrieval.metrics import retrieval_scores
from engines.models import build_model
from engines.models.dscmr import LOSS_TERMS, dscmr_losses

PRECISION_KS = (1, 5, 10, 50)
# The ablation of the paper (Table 5) as values of ``losses``, in the paper's order.
ABLATION = (("full", "j1+j2+j3"), ("without J1", "j2+j3"), ("without J2", "j1+j3"), ("without J3", "j1+j2"),
            ("J1 only", "j1"))


def parse_losses(text: str) -> tuple[str, ...]:
    """``"j1+j3"`` → ``("j1", "j3")``; the terms in canonical order, at least one."""
    parts = [p.strip().lower() for p in str(text).replace(",", "+").split("+") if p.strip()]
    unknown = sorted(set(parts) - set(LOSS_TERMS))
    if unknown or not parts:
        raise ConfigError(f"invalid losses {text!r}: give the terms to train with joined by +, from j1, j2, j3 "
                          "(e.g. j1+j2+j3, or j1+j3 to switch J2 off)")
    return tuple(t for t in LOSS_TERMS if t in parts)


@dataclass
class RetrievalConfig(TrainConfig):
    task: str = opt("retrieval", "Task to run.", choices=("retrieval",))
    model: str = opt("dscmr", "Cross-modal model: dscmr (two FC branches, a shared layer, a shared classifier).")
    data: str = opt("indian_pines_views", "Paired features: indian_pines_views (offline two-view benchmark), "
                                          "pascal_sentence / wikipedia / nus_wide_10k / xmedianet or dscmr_mat "
                                          "(the authors' .mat files, data.path=FOLDER), image_text (your images "
                                          "and captions).")
    epochs: int = opt(20, "Passes over the training pairs (the authors: up to 500).", min=1)
    batch_size: int = opt(100, "Pairs per optimisation step (the authors: 100).", min=2)
    lr: float = opt(1e-4, "Adam learning rate (the authors: 1e-4).", min=0.0)
    channels_last: str = opt("off", "NHWC layout applies to images, not to feature vectors.",
                             choices=("auto", "on", "off"))
    losses: str = opt("j1+j2+j3", "Loss terms trained with, joined by +: j1 (label space), j2 (common space), "
                                  "j3 (modality invariance).")
    lam: float = opt(1e-3, "λ, the weight of J2 (the authors: 1e-3).", min=0.0)
    eta: float = opt(0.1, "η, the weight of J3 (the authors: 0.1).", min=0.0)

    def validate(self) -> "RetrievalConfig":
        super().validate()
        self.losses = "+".join(parse_losses(self.losses))
        return self


def _train_loss_for(config: RetrievalConfig, num_classes: int, terms_log: dict):
    active = set(parse_losses(config.losses))
    weights = {"j1": 1.0, "j2": config.lam, "j3": config.eta}

    def train_loss(model, batch, device):
        x, y = batch
        u, v, p_u, p_v = model(x)
        terms = dscmr_losses(u, v, p_u, p_v, y, num_classes)
        total = sum(weights[t] * terms[t] for t in LOSS_TERMS if t in active)
        n = len(y)
        for t in LOSS_TERMS:  # the epoch's means of every term, trained with or not
            terms_log[t] = terms_log.get(t, 0.0) + float(terms[t].detach()) * n
        terms_log["count"] = terms_log.get("count", 0.0) + n
        return total, n

    return train_loss


class WholeSplit(Dataset):
    """One item: the whole split as ``(features, labels)`` (see the module docstring)."""

    def __init__(self, features: torch.Tensor, labels: torch.Tensor) -> None:
        self.features, self.labels = features, labels

    def __len__(self) -> int:
        return 1

    def __getitem__(self, index: int):
        if index != 0:
            raise IndexError(index)
        return self.features, self.labels


def _test_split(dataset) -> WholeSplit:
    x, y = dataset.tensors
    return WholeSplit(x, y)


def embed(model, features: torch.Tensor, dim_a: int, *, batch_size: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """Common-space vectors (u of modality A, v of modality B) of concatenated features, in eval mode."""
    module = getattr(model, "module", model)  # DDP wraps the model
    device = next(module.parameters()).device
    was_training = module.training
    module.eval()
    us, vs = [], []
    try:
        with torch.no_grad():
            for start in range(0, len(features), batch_size):
                chunk = features[start:start + batch_size].to(device)
                us.append(module.encode_a(chunk[:, :dim_a]).float().cpu().numpy())
                vs.append(module.encode_b(chunk[:, dim_a:]).float().cpu().numpy())
    finally:
        module.train(was_training)
    return np.concatenate(us), np.concatenate(vs)


def _eval_sums_for(dim_a: int, last: dict):
    def eval_sums(model, batch, device) -> Mapping[str, float]:
        x, y = batch
        x, y = x[0], y[0]  # the single WholeSplit item
        u, v = embed(model, x, dim_a)
        labels = y.cpu().numpy()
        scores = retrieval_scores(u, v, labels, labels, ks=())
        last.update(u=u, v=v, labels=labels)
        return {"map_a2b": scores["map_a2b"], "map_b2a": scores["map_b2a"], "count": 1.0}

    return eval_sums


def _finalize_for(terms_log: dict):
    def finalize(sums: Mapping[str, float]) -> dict[str, float]:
        n = max(sums.get("count", 0.0), 1.0)
        metrics = {"map_a2b": sums.get("map_a2b", 0.0) / n, "map_b2a": sums.get("map_b2a", 0.0) / n}
        metrics["map_average"] = (metrics["map_a2b"] + metrics["map_b2a"]) / 2.0
        seen = terms_log.get("count", 0.0)
        if seen:
            for t in LOSS_TERMS:
                metrics[f"{t}_loss"] = terms_log[t] / seen
        terms_log.clear()  # the next epoch starts its own means
        return metrics

    return finalize


def build_problem(config: RetrievalConfig) -> Problem:
    config.validate()  # also refuses a model or dataset that is not registered for retrieval
    data_options = dict(config.data_options)
    data_options.setdefault("seed", config.seed)
    splits = load_dataset(config.data, **data_options)
    if "pair" not in splits.info:
        raise ConfigError(f"dataset {config.data!r} holds no paired features for retrieval; valid choices: "
                          f"{', '.join(dataset_names(task='retrieval'))}")
    dim_a, dim_b = splits.info["dim_a"], splits.info["dim_b"]
    options = {**config.model_options, "num_classes": splits.num_classes, "dim_a": dim_a, "dim_b": dim_b}
    model = build_model(config.model, **options)
    terms_log: dict = {}
    last: dict = {}  # the latest evaluation's embeddings (eval_sums keeps them for RetrievalDetails)
    return Problem(
        model=model,
        train_set=splits.train,
        test_set=_test_split(splits.test),
        input_shape=splits.input_shape,
        dataset_name=splits.name,
        train_loss=_train_loss_for(config, splits.num_classes, terms_log),
        eval_sums=_eval_sums_for(dim_a, last),
        finalize=_finalize_for(terms_log),
        primary_metric="map_average",
        model_spec={"name": config.model, "options": options},
        hooks=[RetrievalDetails(splits.info["pair"], last)],
    )


def chance_map(labels_a, labels_b) -> float:
    """Expected mAP of a random ranking, ≈ the chance that a random database item has the query's class."""
    a = np.bincount(np.asarray(labels_a), minlength=1) / max(len(labels_a), 1)
    b = np.bincount(np.asarray(labels_b), minlength=len(a)) / max(len(labels_b), 1)
    a = np.pad(a, (0, max(0, len(b) - len(a))))
    return float((a * b).sum())


class RetrievalDetails(LoopHook):
    """When training finishes, adds precision@k, the PR curves and chance mAP of the last evaluation.

    ``last`` holds that evaluation's embeddings; it stays empty on DDP ranks that scored no test item.
    """

    def __init__(self, pair, last: dict) -> None:
        self.pair, self.last = pair, last

    def on_finish(self, state: LoopState) -> dict:
        last, pair = self.last, self.pair
        if not last:
            return {}
        scores = retrieval_scores(last["u"], last["v"], last["labels"], last["labels"], ks=PRECISION_KS,
                                  curve_points=50)
        return {
            "metrics": {"map_chance": chance_map(last["labels"], last["labels"])},
            "retrieval": {
                "precision_at_k": {d: {str(k): v for k, v in p.items()} for d, p in scores["precision_at_k"].items()},
                "pr_curve": scores["pr_curve"], "modalities": list(pair.modalities), "features": pair.description,
                "split": {"train": len(pair.train_labels), "test": len(pair.test_labels)},
            },
        }


def fit(config: RetrievalConfig, **kwargs) -> Iterator[Event]:
    """Train DSCMR; the final summary adds precision@k, PR curves and chance mAP of the last evaluation
    (:class:`RetrievalDetails`). See :func:`engines.core.loop.run_training` for the keywords."""
    return run_training(config, build_problem, **kwargs)


def _paired_features(problem: Problem):
    """The paired features a retrieval problem was built from (its :class:`RetrievalDetails` holds them)."""
    return next(hook.pair for hook in problem.hooks if isinstance(hook, RetrievalDetails))


# -- analysis of a trained run (the lab's browser and embedding) ------------------------------------------------
@dataclass
class RetrievalAnalysis:
    """Test-split embeddings of a run before and after training, with the features they came from."""

    pair: Any  # engines.labs.retrieval.data.PairedFeatures
    after: tuple[np.ndarray, np.ndarray]
    before: tuple[np.ndarray, np.ndarray]
    scores: dict
    scores_before: dict

    def similarities(self, query_modality: int, index: int) -> np.ndarray:
        """Cosine similarity of one test item of ``query_modality`` (0 = A, 1 = B) to every item of the other."""
        from engines.labs.retrieval.metrics import cosine_similarity

        query, database = self.after[query_modality], self.after[1 - query_modality]
        return cosine_similarity(query[index:index + 1], database)[0]

    def ranking(self, query_modality: int, index: int, top: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(indices, similarities, same-class flags) of the other modality's items, most similar first."""
        sims = self.similarities(query_modality, index)
        order = np.argsort(-sims, kind="stable")
        if top:
            order = order[:top]
        labels = self.pair.test_labels
        return order, sims[order], labels[order] == labels[index]


def config_from_values(values: Mapping[str, Any]) -> RetrievalConfig:
    fields = RetrievalConfig.__dataclass_fields__
    return RetrievalConfig.from_dict({k: v for k, v in values.items() if k in fields}).validate()


ANALYSIS_STAGES = 5  # data, embedding before, embedding after, scores after, scores before


def _problem_and_pair(config: RetrievalConfig):
    """The run's data and its initial model (the loop seeds torch with ``config.seed`` right before building
    the problem), with the paired test features; the caller's random state is left as it was."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        problem = build_problem(config)
    return problem, _paired_features(problem)


def analyse(config: RetrievalConfig, checkpoint: str | None, *, should_stop=None,
            progress: Callable[[int, int], None] | None = None) -> RetrievalAnalysis:
    """Rebuild the run's data and model; embed the test split with its initial and its trained weights.

    The initial weights are those the run started from: the loop seeds torch with ``config.seed`` right
    before building the problem, and the data loaders draw nothing from torch's generator. ``progress``
    hears (stage, :data:`ANALYSIS_STAGES`) after each stage; ``should_stop`` is asked between them and
    stops with :class:`InterruptedError`.
    """
    from engines.core.checkpoint import load_checkpoint

    def stage(done: int) -> None:
        if progress is not None:
            progress(done, ANALYSIS_STAGES)
        if should_stop is not None and should_stop():
            raise InterruptedError("stopped")

    problem, pair = _problem_and_pair(config)
    stage(1)
    model = problem.model
    x = problem.test_set.features
    dim_a = pair.dims[0]
    before = embed(model, x, dim_a)
    stage(2)
    if checkpoint:
        state = load_checkpoint(checkpoint)
        model.load_state_dict(state["model"])
    after = embed(model, x, dim_a)
    stage(3)
    labels = pair.test_labels
    scores = retrieval_scores(*after, labels, labels, ks=PRECISION_KS, curve_points=50)
    stage(4)
    scores_before = retrieval_scores(*before, labels, labels, ks=())
    stage(5)
    return RetrievalAnalysis(pair=pair, after=after, before=before, scores=scores, scores_before=scores_before)


def test_split_scores(config: RetrievalConfig, model) -> dict[str, float]:
    """mAP in both directions and their average on the run's test split, for a model already loaded (a shipped
    file, say): the numbers :func:`analyse` reports after training, without the untrained embedding."""
    problem, pair = _problem_and_pair(config)
    after = embed(model, problem.test_set.features, pair.dims[0])
    labels = pair.test_labels
    scores = retrieval_scores(*after, labels, labels, ks=())
    return {key: float(scores[key]) for key in ("map_a2b", "map_b2a", "map_average")}


def common_space_2d(analysis: RetrievalAnalysis, *, method: str = "pca", max_points: int = 1000,
                    seed: int = 0) -> dict[str, np.ndarray]:
    """2-D projections of the common space (both modalities together) before and after training.

    PCA by default (instant); t-SNE on request (seconds to minutes). At most ``max_points`` pairs, a
    seeded sample. Returns ``before``/``after`` arrays (2n, 2) — rows 0…n−1 modality A, n…2n−1 B — with
    ``labels`` (n,) and ``index`` (the test items used).
    """
    from sklearn.decomposition import PCA

    n = len(analysis.pair.test_labels)
    index = np.arange(n)
    if max_points and n > max_points:
        index = np.sort(np.random.default_rng(seed).choice(n, max_points, replace=False))
    out: dict[str, np.ndarray] = {"labels": analysis.pair.test_labels[index], "index": index}
    for key, (u, v) in (("before", analysis.before), ("after", analysis.after)):
        points = np.concatenate([u[index], v[index]]).astype(np.float64)
        norms = np.linalg.norm(points, axis=1, keepdims=True)
        points = points / np.where(norms > 0, norms, 1.0)  # retrieval ranks by cosine: project directions
        if method == "tsne":
            from sklearn.manifold import TSNE

            out[key] = TSNE(n_components=2, init="pca", random_state=seed,
                            perplexity=min(30.0, max(5.0, len(points) / 10))).fit_transform(points)
        elif method == "pca":
            # ARPACK finds the two leading components alone: as exact as the full SVD, ~20× faster at 2,000 × 1,024
            out[key] = PCA(n_components=2, svd_solver="arpack", random_state=seed).fit_transform(points)
        else:
            raise ValueError(f"unknown projection {method!r}; valid choices: pca, tsne")
    return out


register_task(
    TaskSpec(
        name="retrieval",
        title="Cross-modal retrieval",
        config_cls=RetrievalConfig,
        fit=fit,
        primary_metric="map_average",
    )
)
