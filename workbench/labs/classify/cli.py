"""Subcommands of the classification lab: ``workbench summary MODEL`` and ``workbench recipes``.

Registered through ``workbench.cli.COMMAND_MODULES``; torch is imported inside the handlers only.
"""
from __future__ import annotations

import sys

from workbench.jsonout import dumps


def add_commands(subparsers) -> dict:
    summary = subparsers.add_parser("summary", help="per-layer output shape, parameters and FLOPs of a model")
    summary.add_argument("model", help="registered model name")
    summary.add_argument("--set", dest="options", action="append", default=[], metavar="KEY=VALUE",
                         help="model option, e.g. width_mult=0.5 or attention=se,r=16")
    summary.add_argument("--size", type=int, default=32, help="input height and width (default 32)")
    summary.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    recipes = subparsers.add_parser("recipes", help="list the training recipes usable with --set recipe=NAME")
    recipes.add_argument("--json", action="store_true")
    return {"summary": cmd_summary, "recipes": cmd_recipes}


def _options(items: list[str], model: str, builder) -> dict:
    """``--set KEY=VALUE`` items → the model's options, typed and checked as ``train`` checks them."""
    from engines.core.config import ConfigError, check_options
    from workbench.cli import UsageError

    options = {}
    for item in items:
        for part in item.split(","):
            key, sep, text = part.partition("=")
            key = key.strip().replace("-", "_")
            if not sep or not key:
                raise UsageError(f"--set expects KEY=VALUE, got {item!r}")
            options[key] = text.strip()
    try:
        return check_options(f"model {model!r}", builder, options, aliases=getattr(builder, "option_aliases", {}),
                             choices=getattr(builder, "option_choices", {}))
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


def cmd_summary(args) -> int:
    from engines.core.model_summary import summarize
    from engines.core.registry import UnknownName
    from engines.models import MODELS, build_model
    from workbench.cli import UsageError

    try:
        builder = MODELS.get(args.model).builder
    except UnknownName as exc:
        raise UsageError(str(exc)) from None
    if not 1 <= args.size <= 1024:
        raise UsageError(f"--size must be between 1 and 1024 pixels, got {args.size}")
    try:
        model = build_model(args.model, **_options(args.options, args.model, builder))
        summary = summarize(model, (3, args.size, args.size))
    except (ValueError, TypeError, RuntimeError) as exc:
        raise UsageError(f"model {args.model!r}: {exc}") from None
    print(dumps(summary.to_dict()) if args.json else summary.format())
    return 0


def cmd_recipes(args) -> int:
    from engines.labs.classify.recipes import RECIPES

    if args.json:
        print(dumps({name: r.values for name, r in RECIPES.items()}))
        return 0
    for name, recipe in RECIPES.items():
        print(f"{name:<8} {recipe.title}", file=sys.stdout)
        print(f"         --set recipe={name}  →  " + " ".join(f"{k}={v}" for k, v in recipe.values.items()))
    return 0
