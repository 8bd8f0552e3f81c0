"""Whole-scene classification maps of hyperspectral runs, cached on disk beside each run.

A map is the class probabilities of every pixel, (rows, cols, classes) float32, computed from one
checkpoint; it is cached as ``runs/<id>/hsi_maps/<checkpoint>-<mtime>.npy`` so reopening a run (or the
lab) costs a file read instead of minutes of inference. No Qt here: the CLI and the lab's worker share it.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from workbench import paths

SVM_MAP = "svm.npy"


class MapError(ValueError):
    """A map cannot be made for this run: the message says why (no checkpoint, wrong scene, …)."""


@dataclass
class RunScene:
    """A run's prepared scene (the same PCA, window and split it was trained with)."""

    prepared: Any  # engines.labs.hsi.patches.PreparedScene
    config: Any  # engines.labs.hsi.task.HsiConfig
    other_scene: bool = False  # a scene other than the run's own: its maps are not cached


def prepare_for_run(run, *, scene: str | None = None) -> RunScene:
    """Rebuild the scene a run was trained on (or ``scene``, which must fit the run's model)."""
    from engines.core.data import DataError, load_dataset
    from engines.labs.hsi.task import PREPARATION_KEYS, HsiConfig, split_seed

    if run.task != "hsi":
        raise MapError(f"run {run.id} is a {run.task!r} run, not a hyperspectral one")
    values = {k: v for k, v in run.config.items() if k in HsiConfig.__dataclass_fields__}
    config = HsiConfig.from_dict(values)
    data_options = {k: v for k, v in config.data_options.items() if k not in PREPARATION_KEYS}
    try:
        splits = load_dataset(scene or config.data, **data_options, seed=config.seed, split_seed=split_seed(config),
                              components=config.components, window=config.window, train_ratio=config.train_ratio,
                              pca_fit=config.pca_fit, eval_max=0)
    except DataError as exc:
        raise MapError(str(exc)) from None
    return RunScene(splits.info["prepared"], config, other_scene=bool(scene) and scene != config.data)


def cache_path(run_id: int, checkpoint: str | os.PathLike) -> Path:
    checkpoint = Path(checkpoint)
    stamp = checkpoint.stat().st_mtime_ns if checkpoint.exists() else 0
    return paths.run_dir(run_id) / "hsi_maps" / f"{checkpoint.stem}-{stamp}.npy"


def cached_map(run_id: int, checkpoint: str | os.PathLike | None) -> np.ndarray | None:
    if checkpoint is None:
        path = paths.run_dir(run_id) / "hsi_maps" / SVM_MAP
    else:
        path = cache_path(run_id, checkpoint)
    if path.is_file():
        try:
            return np.load(path, allow_pickle=False)
        except (OSError, ValueError):
            path.unlink(missing_ok=True)  # a damaged cache is recomputed
    return None


def save_map(path: Path, probs: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    with os.fdopen(fd, "wb") as fh:
        np.save(fh, probs)
    os.replace(tmp, path)
    return path


def check_labels_path(path: str | os.PathLike) -> Path:
    """Where ``hsi-map --out`` may write: a new ``.npy`` file in an existing folder (checked before minutes of work)."""
    path = Path(path)
    if path.suffix.lower() != ".npy":
        raise MapError(f"{path}: the class map is written as a NumPy array; give a file name ending in .npy")
    if os.path.lexists(path):
        raise MapError(f"{path} exists; it is never replaced: choose another name or delete it first")
    if not path.parent.is_dir():
        raise MapError(f"{path.parent}: no such folder")
    return path


def save_labels(path: str | os.PathLike, probs: np.ndarray) -> Path:
    """The predicted class of every pixel, 1-based as in the ground truth, as a (rows, cols) integer array."""
    from engines.core.files import write_new_file

    labels = (probs.argmax(-1) + 1).astype(np.int16 if probs.shape[-1] < 32767 else np.int32)
    try:
        return write_new_file(path, lambda fh: np.save(fh, labels, allow_pickle=False))
    except FileExistsError:
        raise MapError(f"{path} exists; it is never replaced: choose another name or delete it first") from None
    except OSError as exc:
        raise MapError(f"cannot write {path}: {exc.strerror or exc}") from None


def checkpoint_for_epoch(run, epoch: int | None) -> str | None:
    """``epoch_N.pt`` when the run kept per-epoch weights and one exists for ``epoch``; else the last checkpoint."""
    if not run.checkpoint:
        return None
    if epoch is not None and epoch < run.epoch:  # the last epoch's weights are last.pt itself
        candidate = Path(run.checkpoint).with_name(f"epoch_{epoch}.pt")
        if candidate.is_file():
            return str(candidate)
    return run.checkpoint


def compute_map(run, checkpoint: str, *, run_scene: RunScene | None = None, batch_size: int = 256,
                progress: Callable[[int, int], None] | None = None,
                should_stop: Callable[[], bool] | None = None, use_cache: bool = True) -> np.ndarray:
    """Class probabilities of every pixel from ``checkpoint`` (cached per run and checkpoint)."""
    from engines.core.checkpoint import CheckpointError, load_checkpoint
    from engines.core.data import DataError
    from engines.labs.hsi.patches import check_model_fits, predict_scene
    from engines.models import load_trained_model

    use_cache = use_cache and (run_scene is None or not run_scene.other_scene)
    if use_cache:
        cached = cached_map(run.id, checkpoint)
        if cached is not None:
            return cached
    run_scene = run_scene or prepare_for_run(run)
    try:
        state = load_checkpoint(checkpoint)
        check_model_fits(state.get("model_spec"), run_scene.prepared, trained_on=run.dataset)
        model = load_trained_model(checkpoint)
    except (CheckpointError, DataError) as exc:
        raise MapError(str(exc)) from None
    probs = predict_scene(model, run_scene.prepared, batch_size=batch_size, progress=progress,
                          should_stop=should_stop)
    if use_cache:
        save_map(cache_path(run.id, checkpoint), probs)
    return probs


def map_scores(predicted: np.ndarray, gt: np.ndarray, num_classes: int,
               pixels: np.ndarray | None = None, *, aa_absent: str = "skip") -> dict[str, Any]:
    """OA, AA and Cohen's kappa of a map against the ground truth, over its labelled pixels.

    ``predicted``: (rows, cols) classes from 0; ``gt``: (rows, cols), 1-based, 0 = unlabelled; ``pixels``: a
    mask of the pixels to score (the run's test pixels), None for every labelled pixel. The scores come from
    the confusion matrix (scikit-learn), as the run's own evaluation does; ``pixels_scored`` is their count
    and ``errors`` how many of them are misclassified. ``aa_absent``: the run's AA convention for a class
    predicted but absent from the truth (:func:`engines.labs.hsi.metrics.scores_from_confusion`).
    """
    from engines.labs.hsi.metrics import scores

    mask = np.asarray(gt) > 0
    if pixels is not None:
        mask &= np.asarray(pixels, dtype=bool)
    truth, pred = np.asarray(gt)[mask] - 1, np.asarray(predicted)[mask]
    result = scores(truth, pred, num_classes, aa_absent=aa_absent)
    return {"overall_accuracy": result["overall_accuracy"], "average_accuracy": result["average_accuracy"],
            "kappa": result["kappa"], "pixels_scored": int(mask.sum()), "errors": int((truth != pred).sum())}
