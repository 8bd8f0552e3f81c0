"""What a trained classifier does on the test split, and what its SE blocks attend to.

Result objects for the Classification lab (and scripts): predicted probabilities, the
confusion matrix, accuracy per class, most-confident mistakes, and channel excitations of
squeeze-and-excitation blocks captured with forward hooks (no model code changes).
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, Subset

from engines.models.attention import channel_gates


class Cancelled(Exception):
    """``should_stop`` asked the evaluation to end early."""


class ImageInputError(ValueError):
    """A file given as a model input is not a usable image; the message names it."""


@dataclass
class Evaluation:
    probs: np.ndarray  # N×K predicted probabilities
    labels: np.ndarray  # N true classes
    class_names: list[str]
    indices: np.ndarray  # position of each row in the evaluated dataset
    confusion: np.ndarray = field(init=False)  # K×K, rows = true class, columns = predicted

    def __post_init__(self) -> None:
        from sklearn.metrics import confusion_matrix

        k = len(self.class_names)
        self.confusion = confusion_matrix(self.labels, self.preds, labels=list(range(k)))

    @property
    def preds(self) -> np.ndarray:
        return self.probs.argmax(1)

    @property
    def accuracy(self) -> float:
        return float((self.preds == self.labels).mean()) if len(self.labels) else 0.0

    def per_class_accuracy(self) -> np.ndarray:
        totals = self.confusion.sum(1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(totals > 0, np.diag(self.confusion) / np.maximum(totals, 1), np.nan)

    def cell(self, true_class: int, predicted: int) -> np.ndarray:
        """Rows (positions in this evaluation) whose true class and prediction are these."""
        return np.flatnonzero((self.labels == true_class) & (self.preds == predicted))

    def most_confident_mistakes(self, k: int = 16) -> np.ndarray:
        wrong = np.flatnonzero(self.preds != self.labels)
        confidence = self.probs[wrong, self.preds[wrong]]
        return wrong[np.argsort(-confidence, kind="stable")[:k]]


def _output_probs(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    out = model(x)
    # Models with an output activation already return probabilities or log-probabilities.
    total = out.sum(1)
    if (out >= 0).all() and torch.allclose(total, torch.ones_like(total), atol=1e-4):
        return out
    if (out <= 0).all() and torch.allclose(out.exp().sum(1), torch.ones_like(total), atol=1e-4):
        return out.exp()
    return out.softmax(1)


def evaluate_classifier(model: nn.Module, dataset: Dataset, *, class_names: Sequence[str] | None = None,
                        batch_size: int = 256, limit: int = 0,
                        should_stop: Callable[[], bool] | None = None,
                        progress: Callable[[int, int], None] | None = None) -> Evaluation:
    """Predicted probabilities for (the first ``limit`` items of) ``dataset``."""
    n = len(dataset) if not limit else min(limit, len(dataset))
    subset = Subset(dataset, range(n)) if n < len(dataset) else dataset
    loader = DataLoader(subset, batch_size=batch_size, shuffle=False)
    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    model.eval()
    probs, labels = [], []
    done = 0
    with torch.no_grad():
        for x, y in loader:
            if should_stop is not None and should_stop():
                raise Cancelled()
            probs.append(_output_probs(model, x.to(device)).float().cpu().numpy())
            labels.append(np.asarray(y))
            done += len(y)
            if progress is not None:
                progress(done, n)
    k = probs[0].shape[1] if probs else len(class_names or [])
    names = list(class_names) if class_names else [str(i) for i in range(k)]
    return Evaluation(np.concatenate(probs) if probs else np.zeros((0, k), np.float32),
                      np.concatenate(labels).astype(np.int64) if labels else np.zeros(0, np.int64),
                      names, np.arange(n))


def display_images(dataset: Dataset, indices: Sequence[int]) -> list[np.ndarray]:
    """The dataset's items as H×W×3 uint8 arrays for showing (unaugmented where the dataset can)."""
    images = []
    for i in indices:
        i = int(i)
        if hasattr(dataset, "raw_image"):
            images.append(dataset.raw_image(i))
            continue
        x = dataset[i][0].float()
        lo, hi = float(x.min()), float(x.max())
        x = (x - lo) / (hi - lo) if hi > lo else torch.zeros_like(x)
        images.append((x.permute(1, 2, 0).numpy() * 255).round().astype(np.uint8))
    return images


# -- SE channel excitations ---------------------------------------------------------------------
def se_block_names(model: nn.Module) -> list[str]:
    return [name for name, _ in channel_gates(model)]


def se_block_channels(model: nn.Module) -> dict[str, int]:
    return {name: gate.fc2.out_channels for name, gate in channel_gates(model)}


@contextmanager
def capture_excitations(model: nn.Module, blocks: Sequence[str] | None = None) -> Iterator[dict[str, list]]:
    """Within the block, every forward pass appends each SE block's excitations (N×C arrays).

    The hook sits on the gate's ``scale_activation`` (its sigmoid), whose output is the
    excitation vector s that multiplies the channels.
    """
    captured: dict[str, list] = {}
    handles = []
    for name, gate in channel_gates(model):
        if blocks is not None and name not in blocks:
            continue
        captured[name] = []

        def hook(_module, _inputs, output, name=name):
            captured[name].append(output.detach().flatten(1).float().cpu().numpy())

        handles.append(gate.scale_activation.register_forward_hook(hook))
    try:
        yield captured
    finally:
        for handle in handles:
            handle.remove()


def excitations(model: nn.Module, images: torch.Tensor, blocks: Sequence[str] | None = None) -> dict[str, np.ndarray]:
    """Excitations of every (or the named) SE block for a batch of images: name → N×C."""
    if not channel_gates(model):
        raise ValueError("this model has no channel squeeze-and-excitation blocks")
    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    model.eval()
    with torch.no_grad(), capture_excitations(model, blocks) as captured:
        model(images.to(device))
    return {name: np.concatenate(chunks) for name, chunks in captured.items()}


def early_middle_late(names: Sequence[str]) -> list[str]:
    if not names:
        return []
    picks = [names[0], names[len(names) // 2], names[-1]]
    return list(dict.fromkeys(picks))


def class_mean_excitations(model: nn.Module, dataset: Dataset, classes: Sequence[int], *,
                           blocks: Sequence[str] | None = None, per_class: int = 64, batch_size: int = 128,
                           should_stop: Callable[[], bool] | None = None) -> dict[str, dict[int, np.ndarray]]:
    """Mean excitation per class (the SENet paper's class-specificity analysis): block → class → C vector.

    Uses up to ``per_class`` test images of each class, taken in dataset order.
    """
    blocks = list(blocks) if blocks is not None else early_middle_late(se_block_names(model))
    wanted = {int(c): [] for c in classes}
    labels = _labels_of(dataset)
    for i, label in enumerate(labels):
        if label in wanted and len(wanted[label]) < per_class:
            wanted[label].append(i)
    result: dict[str, dict[int, np.ndarray]] = {b: {} for b in blocks}
    for cls, idx in wanted.items():
        if not idx:
            continue
        chunks: dict[str, list] = {b: [] for b in blocks}
        for start in range(0, len(idx), batch_size):
            if should_stop is not None and should_stop():
                raise Cancelled()
            batch = torch.stack([dataset[i][0] for i in idx[start:start + batch_size]])
            for name, values in excitations(model, batch, blocks).items():
                chunks[name].append(values)
        for name in blocks:
            result[name][cls] = np.concatenate(chunks[name]).mean(0)
    return result


def _labels_of(dataset: Dataset) -> list[int]:
    labels = getattr(dataset, "labels", None)
    if labels is None and hasattr(dataset, "tensors"):
        labels = dataset.tensors[1]
    if labels is not None:
        return [int(v) for v in labels]
    return [int(dataset[i][1]) for i in range(len(dataset))]


# -- user images --------------------------------------------------------------------------------
def load_input_image(path: str | Path, *, dataset: str, size: int = 32) -> tuple[torch.Tensor, np.ndarray, list[str]]:
    """A file as a model input for a model trained on ``dataset``: (3×size×size tensor, display array, notices).

    Other sizes and modes are converted (resized, RGB or grey as the dataset needs) and
    each conversion is listed in the notices; a file that is not an image raises
    :class:`ImageInputError` naming it.
    """
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    notes = []
    try:
        with Image.open(path) as opened:
            opened.load()
            image = opened.copy()
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        reason = "it is not an image PIL can read" if isinstance(exc, UnidentifiedImageError) else str(exc)
        raise ImageInputError(f"cannot use {path.name} as an input image: {reason}") from None
    if image.mode != "RGB":
        notes.append(f"converted from {image.mode} to RGB")
        image = image.convert("RGB")
    if image.size != (size, size):
        notes.append(f"resized from {image.size[0]}×{image.size[1]} to {size}×{size}")
        image = image.resize((size, size), Image.Resampling.BILINEAR)
    array = np.asarray(image, dtype=np.uint8).copy()
    x = torch.from_numpy(array).permute(2, 0, 1).float() / 255.0
    if dataset == "cifar10":
        from engines.labs.classify.cifar10 import MEAN, STD

        x = (x - torch.tensor(MEAN).view(3, 1, 1)) / torch.tensor(STD).view(3, 1, 1)
    elif dataset == "digits":
        # The digits set is light ink on dark ground, one channel copied three times, centred as in its loader.
        grey = x.mean(0, keepdim=True)
        x = ((grey - 0.3) / 0.4).expand(3, -1, -1).contiguous()
    else:
        x = (x - 0.5) / 0.25
    return x, array, notes
