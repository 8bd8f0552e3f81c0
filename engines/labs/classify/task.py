"""Image classification: cross-entropy training, accuracy on the test split."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Mapping

import torch
import torch.nn.functional as F

from engines.core.config import TrainConfig, opt
from engines.core.data import load_dataset
from engines.core.events import Event
from engines.core.loop import EpochWeights, Problem, run_training
from engines.core.tasks import TaskSpec, register_task
from engines.models import build_model


@dataclass
class ClassifyConfig(TrainConfig):
    task: str = opt("classify", "Task to run.", choices=("classify",))
    batch_size: int = opt(16, "Samples per optimisation step (per process under DDP).", min=1)
    lr: float = opt(2e-3, "Initial learning rate.", min=0.0)
    scheduler: str = opt("cosine", "Learning-rate schedule over the epochs.", choices=("none", "cosine", "step"))
    label_smoothing: float = opt(0.0, "Cross-entropy label smoothing.", min=0.0, max=1.0)
    keep_epoch_weights: bool = opt(False, "Also keep the model weights of every epoch (epoch_N.pt), "
                                          "for inspecting earlier checkpoints.")


def _train_loss(smoothing: float):
    def loss_fn(model, batch, device):
        x, y = batch
        return F.cross_entropy(model(x), y, label_smoothing=smoothing), len(y)

    return loss_fn


def _eval_sums(model, batch, device) -> Mapping[str, float]:
    x, y = batch
    out = model(x)
    return {
        "loss": float(F.cross_entropy(out, y, reduction="sum")),
        "correct": float((out.argmax(1) == y).sum()),
        "count": float(len(y)),
    }


def _finalize(sums: Mapping[str, float]) -> dict[str, float]:
    n = max(sums.get("count", 0.0), 1.0)
    return {"test_loss": sums["loss"] / n, "test_accuracy": sums["correct"] / n}


def build_problem(config: ClassifyConfig) -> Problem:
    data_options = dict(config.data_options)
    data_options.setdefault("seed", config.seed)
    splits = load_dataset(config.data, **data_options)
    options = {"num_classes": splits.num_classes, **config.model_options}
    model = build_model(config.model, **options)
    return Problem(
        model=model,
        train_set=splits.train,
        test_set=splits.test,
        input_shape=splits.input_shape,
        dataset_name=splits.name,
        train_loss=_train_loss(config.label_smoothing),
        eval_sums=_eval_sums,
        finalize=_finalize,
        primary_metric="test_accuracy",
        model_spec={"name": config.model, "options": options},
        hooks=[EpochWeights()] if config.keep_epoch_weights else [],
    )


def fit(config: ClassifyConfig, **kwargs) -> Iterator[Event]:
    """Train a classifier; see :func:`engines.core.loop.run_training` for the keywords."""
    return run_training(config, build_problem, **kwargs)


def predict(model: torch.nn.Module, images: torch.Tensor) -> torch.Tensor:
    model.eval()
    with torch.no_grad():
        return model(images).softmax(1)


register_task(
    TaskSpec(
        name="classify",
        title="Image classification",
        config_cls=ClassifyConfig,
        fit=fit,
        primary_metric="test_accuracy",
    )
)
