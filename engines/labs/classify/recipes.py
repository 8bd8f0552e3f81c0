"""Training recipes: named sets of config values for classification.

``--set recipe=course`` on the command line (or the recipe box of the Classification lab)
applies one as the base; explicit options given with it still win.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Recipe:
    name: str
    title: str
    values: dict[str, Any] = field(default_factory=dict)
    data_options: dict[str, Any] = field(default_factory=dict)


RECIPES: dict[str, Recipe] = {
    # The notes fix only "10 epochs"; the optimiser settings are the plain SGD set-up of the course
    # code's lineage (kuangliu/pytorch-cifar's main.py without its schedule), batch 128.
    "course": Recipe(
        "course",
        "Course notes: 10 epochs, SGD 0.01, momentum 0.9, wd 5e-4, batch 128 (V1 78.14 %, V2 80.10 % on CIFAR-10)",
        {"epochs": 10, "batch_size": 128, "optimizer": "sgd", "lr": 0.01, "momentum": 0.9,
         "weight_decay": 5e-4, "scheduler": "none", "keep_epoch_weights": True},
    ),
    # kuangliu/pytorch-cifar's published set-up (MobileNetV2 94.43 %).
    "full": Recipe(
        "full",
        "Full: 200 epochs, SGD 0.1, momentum 0.9, wd 5e-4, cosine, batch 128 (published V2 94.43 %)",
        {"epochs": 200, "batch_size": 128, "optimizer": "sgd", "lr": 0.1, "momentum": 0.9,
         "weight_decay": 5e-4, "scheduler": "cosine"},
    ),
}


def recipe_names() -> list[str]:
    return list(RECIPES)


def recipe_values(name: str) -> dict[str, Any]:
    """The config values of recipe ``name``; ``ValueError`` names the valid ones."""
    try:
        recipe = RECIPES[name]
    except KeyError:
        raise ValueError(f"unknown recipe {name!r}; valid choices: {', '.join(RECIPES)}") from None
    values = dict(recipe.values)
    if recipe.data_options:
        values["data_options"] = dict(recipe.data_options)
    return values
