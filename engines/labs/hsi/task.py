"""Hyperspectral pixel classification (HybridSN and its controls) with OA, AA and Cohen's kappa.

The authors' protocol is the default: PCA with whitening to 30 components fitted on the whole scene,
zero padding, 25×25 windows around labelled pixels only, a stratified split (30 % train), Adam lr 1e-3,
batch 256, 100 epochs. ``split="authors"`` takes their very pixel sets (``random_state=345``) whatever the
run's seed; ``aa_absent`` chooses how AA treats a class predicted but absent from the test truth
(``docs/protocols.md``). Scoring every test pixel after each epoch would cost about a minute per epoch on
two CPU cores, so epochs score a stratified, seeded subsample (``eval_max``) and the whole test split is
scored once training finishes (its OA/AA/kappa, per-class accuracies and confusion matrix land in the
run's summary).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping

import numpy as np
import torch
import torch.nn.functional as F

from engines.core.config import ConfigError, TrainConfig, opt
from engines.core.data import load_dataset
from engines.core.events import Event
from engines.core.loop import EpochWeights, LoopHook, LoopState, Problem, run_training
from engines.core.tasks import TaskSpec, register_task
from engines.labs.hsi.metrics import scores_from_confusion
from engines.models import build_model

PREPARATION_KEYS = ("components", "window", "train_ratio", "pca_fit", "eval_max", "seed", "split_seed")
SPLITS = ("seed", "authors")
# The authors' notebook splits with ``train_test_split(..., random_state=345, stratify=y)``: the same function
# and arguments as :func:`engines.hyperspectral.split_pixels`, so seed 345 gives their very pixel sets.
AUTHORS_SPLIT_SEED = 345
WEIGHT_RULES = ("last", "best_train")
AA_ABSENT = ("skip", "zero")


@dataclass
class HsiConfig(TrainConfig):
    task: str = opt("hsi", "Task to run.", choices=("hsi",))
    model: str = opt("hybridsn", "Patch classifier: hybridsn (3-D→2-D), hybridsn_2d3d, cnn2d or cnn3d.")
    data: str = opt("indian_pines", "Scene: indian_pines (offline), pavia_university, salinas, or hsi_file "
                                    "with data.path=FILE.")
    epochs: int = opt(100, "Number of passes over the training pixels (the authors: 100).", min=1)
    batch_size: int = opt(256, "Patches per optimisation step (the authors: 256).", min=1)
    lr: float = opt(1e-3, "Adam learning rate (the authors: 1e-3).", min=0.0)
    channels_last: str = opt("off", "NHWC layout applies to 2-D images, not to these 3-D patches.",
                             choices=("auto", "on", "off"))
    components: int = opt(30, "PCA components K (the authors: 30 for Indian Pines, 15 for Pavia and Salinas).",
                          min=1)
    window: int = opt(25, "Side of the square window around each pixel (odd; the authors: 25).", min=1, max=255)
    train_ratio: float = opt(0.3, "Share of labelled pixels used for training, stratified by class and seeded "
                                  "(the paper: 0.3; the course: 0.1).", min=0.0, max=1.0)
    split: str = opt("seed", "Train/test pixel sets: seed = stratified split seeded by the run's seed; authors = "
                             f"the authors' split (random_state={AUTHORS_SPLIT_SEED}) whatever the seed (the "
                             "training itself still follows the seed).", choices=SPLITS)
    aa_absent: str = opt("skip", "AA when a class is predicted but has no test pixel: skip = averaged over the "
                                 "classes present in the truth; zero = such a class counts with accuracy 0 (the "
                                 "authors' code).", choices=AA_ABSENT)
    pca_fit: str = opt("scene", "Fit the PCA on the whole scene (as the authors, which lets test pixels shape the "
                                "components) or on the training pixels only.", choices=("scene", "train"))
    eval_max: int = opt(1024, "Test pixels scored after each epoch (stratified, seeded; 0 = all). The whole test "
                              "split is scored once training finishes.", min=0)
    final_eval: bool = opt(True, "Score every test pixel when training finishes (OA, AA, kappa, per class).")
    select_weights: str = opt("last", "The weights the run ends with and is scored with: last = the final "
                                      "epoch's; best_train = those of the epoch with the best training "
                                      "accuracy (the HybridSN authors' rule, Keras ModelCheckpoint on 'acc'). "
                                      "The test split never picks them.", choices=WEIGHT_RULES)
    keep_epoch_weights: bool = opt(False, "Also keep the model weights of every epoch (epoch_N.pt), so the "
                                          "lab's maps can follow the epoch scrubber.")

    def validate(self) -> "HsiConfig":
        super().validate()
        _check(self)
        return self

    def dry_build_options(self) -> dict:
        return {"bands": self.components, "window": self.window}


def _check(config: HsiConfig) -> None:
    if config.select_weights == "best_train" and not config.final_eval:
        raise ConfigError("select_weights=best_train needs final_eval=true: the chosen epoch's weights are "
                          "scored on the test split when training finishes")
    if not 0.0 < config.train_ratio < 1.0:
        raise ConfigError(f"train_ratio must be between 0 and 1 (e.g. 0.1 or 0.3), got {config.train_ratio}")
    clash = sorted(set(config.data_options) & set(PREPARATION_KEYS))
    if clash:
        raise ConfigError(f"set {clash[0]} as a config field (--set {clash[0]}=…), not as data.{clash[0]}")


def _train_loss(model, batch, device):
    x, y = batch
    return F.cross_entropy(model(x), y), len(y)


def _eval_sums_for(num_classes: int):
    def eval_sums(model, batch, device) -> Mapping[str, float]:
        x, y = batch
        out = model(x)
        pred = out.argmax(1)
        cells = torch.bincount(y * num_classes + pred, minlength=num_classes * num_classes).cpu().numpy()
        sums = {f"cm_{i}": float(v) for i, v in enumerate(cells) if v}  # additive over batches and ranks
        sums["loss"] = float(F.cross_entropy(out, y, reduction="sum"))
        sums["count"] = float(len(y))
        return sums

    return eval_sums


def confusion_from_sums(sums: Mapping[str, float], num_classes: int) -> np.ndarray:
    cm = np.zeros(num_classes * num_classes, dtype=np.int64)
    for key, value in sums.items():
        if key.startswith("cm_"):
            cm[int(key[3:])] = int(round(value))
    return cm.reshape(num_classes, num_classes)


def _finalize_for(num_classes: int, class_names: list[str], last: dict, aa_absent: str = "skip"):
    def finalize(sums: Mapping[str, float]) -> dict[str, float]:
        cm = confusion_from_sums(sums, num_classes)
        result = scores_from_confusion(cm, class_names, aa_absent=aa_absent)
        last["scores"] = result
        n = max(sums.get("count", 0.0), 1.0)
        return {"overall_accuracy": result["overall_accuracy"], "average_accuracy": result["average_accuracy"],
                "kappa": result["kappa"], "test_loss": sums.get("loss", 0.0) / n, "eval_pixels": float(n)}

    return finalize


class BestTrainWeights(LoopHook):
    """The authors' checkpoint rule (``select_weights=best_train``): keep the weights of the epoch with the best
    training accuracy, and end the run with them.

    Training accuracy is counted as Keras counts its ``acc``: over the epoch's training batches as they are
    trained (dropout on, weights moving), summed over every process. Each epoch adds ``train_accuracy`` to
    its points. The best epoch's weights are kept in memory and beside ``last.pt`` as ``best_train.pt`` (so a
    resumed run continues the comparison); when training finishes they are loaded into the model before the
    test split is scored (:class:`FullTestScores` comes after this hook) and written into ``last.pt``, so the
    maps, the reproduction report and shipping use the same weights. A tie keeps the earlier epoch, as Keras
    does (``save_best_only`` saves on a strict improvement only).
    """

    FILE = "best_train.pt"

    def __init__(self) -> None:
        self.correct = 0
        self.seen = 0
        self.best: float | None = None
        self.best_epoch = 0
        self.weights: dict[str, torch.Tensor] | None = None
        self.saved_epoch = 0
        self.resumed = False

    def train_loss(self, model, batch, device):
        x, y = batch
        logits = model(x)
        with torch.no_grad():
            self.correct += int((logits.argmax(1) == y).sum())
            self.seen += len(y)
        return F.cross_entropy(logits, y), len(y)

    def _resume(self, state: LoopState) -> None:
        """A resumed run: the best epoch so far comes from ``best_train.pt`` beside the checkpoint."""
        from engines.core.checkpoint import load_checkpoint

        self.resumed = True
        path = state.checkpoint_path.with_name(self.FILE) if state.checkpoint_path is not None else None
        if self.best is None and path is not None and path.is_file():
            saved = load_checkpoint(path)
            self.best, self.best_epoch = float(saved["train_accuracy"]), int(saved["epoch"])
            self.weights, self.saved_epoch = saved["model"], self.best_epoch

    def on_epoch_end(self, state: LoopState, metrics: dict[str, float]) -> None:
        from engines.core.distributed import all_reduce_sum

        if not self.resumed:
            self._resume(state)
        correct, seen = all_reduce_sum([float(self.correct), float(self.seen)], state.device)
        self.correct = self.seen = 0
        if seen <= 0:
            return
        accuracy = correct / seen
        metrics["train_accuracy"] = accuracy
        if self.best is None or accuracy > self.best:
            self.best, self.best_epoch = accuracy, state.epoch
            self.weights = {k: v.detach().to("cpu", copy=True) for k, v in state.model.state_dict().items()}

    def after_checkpoint(self, state: LoopState, path: Path) -> None:
        from engines.core.checkpoint import save_checkpoint

        if self.weights is not None and self.saved_epoch != self.best_epoch:
            save_checkpoint({"task": state.config.task, "config": state.config.to_dict(),
                             "model_spec": state.problem.model_spec, "model": self.weights,
                             "epoch": self.best_epoch, "train_accuracy": self.best}, path.with_name(self.FILE))
            self.saved_epoch = self.best_epoch

    def on_finish(self, state: LoopState) -> dict:
        from engines.core.checkpoint import load_checkpoint, save_checkpoint

        if not self.resumed:
            self._resume(state)
        if self.weights is None:
            return {}
        state.model.load_state_dict(self.weights)
        path = state.checkpoint_path
        if path is not None and path.is_file() and state.info.is_main:
            checkpoint = load_checkpoint(path)
            checkpoint["training_model"] = checkpoint["model"]  # a resume trains on from the last epoch's
            checkpoint["model"] = self.weights
            checkpoint["selected_epoch"] = self.best_epoch
            save_checkpoint(checkpoint, path)
        return {"metrics": {"selected_epoch": float(self.best_epoch), "selected_train_accuracy": self.best},
                "selected_weights": {"rule": "best_train", "epoch": self.best_epoch, "train_accuracy": self.best}}


def split_seed(config: HsiConfig) -> int:
    """The seed of the train/test split: the authors' 345, or the run's seed."""
    return AUTHORS_SPLIT_SEED if config.split == "authors" else config.seed


def _load_splits(config: HsiConfig):
    return load_dataset(config.data, **config.data_options, seed=config.seed, split_seed=split_seed(config),
                        components=config.components, window=config.window, train_ratio=config.train_ratio,
                        pca_fit=config.pca_fit, eval_max=config.eval_max)


def prepared_split(config: HsiConfig):
    """The run's prepared scene (PCA, windows, seeded split) without a model: what ``evaluate_test_split`` scores."""
    _check(config)
    return _load_splits(config).info["prepared"]


def build_problem(config: HsiConfig) -> Problem:
    _check(config)
    splits = _load_splits(config)
    prepared = splits.info["prepared"]
    options = {"num_classes": splits.num_classes, "bands": config.components, "window": config.window,
               **config.model_options}
    model = build_model(config.model, **options)
    last: dict = {}  # the latest epoch's scores (finalize keeps them for FullTestScores)
    hooks: list[LoopHook] = [FullTestScores(config, prepared, last)]
    train_loss = _train_loss
    if config.select_weights == "best_train":
        selector = BestTrainWeights()
        hooks.insert(0, selector)  # before FullTestScores: the chosen weights are the ones scored
        train_loss = selector.train_loss
    if config.keep_epoch_weights:
        hooks.append(EpochWeights())
    return Problem(
        model=model,
        train_set=splits.train,
        test_set=splits.test,
        input_shape=prepared.input_shape,
        dataset_name=splits.name,
        train_loss=train_loss,
        eval_sums=_eval_sums_for(splits.num_classes),
        finalize=_finalize_for(splits.num_classes, list(splits.class_names), last, config.aa_absent),
        primary_metric="overall_accuracy",
        model_spec={"name": config.model, "options": options},
        hooks=hooks,
    )


def evaluate_test_split(model: torch.nn.Module, prepared, *, batch_size: int = 256, should_stop=None,
                        aa_absent: str = "skip") -> dict:
    """OA/AA/kappa, per-class accuracy and confusion matrix over every test pixel (AA by ``aa_absent``)."""
    from engines.labs.hsi.patches import predict_pixels

    device = next(model.parameters()).device
    probs = predict_pixels(model, prepared, prepared.test_pixels, batch_size=batch_size, device=device,
                           should_stop=should_stop)
    from engines.labs.hsi.metrics import confusion

    cm = confusion(prepared.test_labels, probs.argmax(1), prepared.num_classes)
    result = scores_from_confusion(cm, prepared.scene.class_names, aa_absent=aa_absent)
    picked = probs[np.arange(len(probs)), prepared.test_labels]
    result["test_loss"] = float(-np.log(np.clip(picked, 1e-12, None)).mean())
    return result


class FullTestScores(LoopHook):
    """When training finishes, scores every test pixel (``final_eval``) and adds the split's details.

    ``last`` holds the latest epoch's scores (of its ``eval_max`` subsample); they stand when that already
    covered the whole split, when ``final_eval`` is off, or when a stop cuts the final scoring short.
    """

    def __init__(self, config: HsiConfig, prepared, last: dict) -> None:
        self.config, self.prepared, self.last = config, prepared, last

    def on_finish(self, state: LoopState) -> dict:
        from engines.labs.hsi.patches import Cancelled

        config, prepared = self.config, self.prepared
        metrics: dict = {}
        evaluated = int(state.last_metrics.get("eval_pixels", 0))
        scores = self.last.get("scores")
        started = time.perf_counter()
        if config.final_eval and evaluated < len(prepared.test_pixels):
            try:
                scores = evaluate_test_split(state.model, prepared, batch_size=max(config.batch_size, 64),
                                             should_stop=state.control.should_stop, aa_absent=config.aa_absent)
                metrics["test_loss"] = scores["test_loss"]
                evaluated = len(prepared.test_pixels)
            except Cancelled:
                pass  # stopped during the final scoring: the last epoch's subsample scores stay
        if scores is None:
            return {}
        metrics.update(overall_accuracy=scores["overall_accuracy"], average_accuracy=scores["average_accuracy"],
                       kappa=scores["kappa"], eval_pixels=float(evaluated))
        metrics["full_eval_seconds"] = time.perf_counter() - started
        return {"metrics": metrics, "per_class_accuracy": scores["per_class"], "confusion_matrix": scores["confusion"],
                "class_names": list(prepared.scene.class_names),
                "split": {"train": len(prepared.train_pixels), "test": len(prepared.test_pixels),
                          "evaluated": evaluated, "train_ratio": config.train_ratio, "split": config.split,
                          "split_seed": split_seed(config), "aa_absent": config.aa_absent},
                "pca_explained_variance": prepared.explained_variance}


def fit(config: HsiConfig, **kwargs) -> Iterator[Event]:
    """Train a patch classifier; when it finishes, the whole test split is scored into the summary
    (:class:`FullTestScores`). See :func:`engines.core.loop.run_training` for the keywords."""
    return run_training(config, build_problem, **kwargs)


register_task(
    TaskSpec(
        name="hsi",
        title="Hyperspectral pixel classification",
        config_cls=HsiConfig,
        fit=fit,
        primary_metric="overall_accuracy",
    )
)
