"""Subcommands of the classification lab: ``workbench summary MODEL`` and ``workbench recipes``.

Registered through ``workbench.cli.COMMAND_MODULES``; torch is imported inside the handlers only.
"""
from __future__ import annotations

import json
import sys


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


def _options(items: list[str], builder) -> dict:
    from engines.core.config import parse_literal
    from workbench.cli import UsageError

    aliases = getattr(builder, "option_aliases", {})
    options = {}
    for item in items:
        for part in item.split(","):
            key, sep, text = part.partition("=")
            key = key.strip().replace("-", "_")
            if not sep or not key:
                raise UsageError(f"--set expects KEY=VALUE, got {item!r}")
            options[aliases.get(key, key)] = parse_literal(text)
    return options


def cmd_summary(args) -> int:
    from engines.core.model_summary import summarize
    from engines.core.registry import UnknownName
    from engines.models import MODELS, build_model
    from workbench.cli import UsageError

    try:
        builder = MODELS.get(args.model).builder
    except UnknownName as exc:
        raise UsageError(str(exc)) from None
    try:
        model = build_model(args.model, **_options(args.options, builder))
        summary = summarize(model, (3, args.size, args.size))
    except (ValueError, TypeError, RuntimeError) as exc:
        raise UsageError(f"model {args.model!r}: {exc}") from None
    print(json.dumps(summary.to_dict()) if args.json else summary.format())
    return 0


def cmd_recipes(args) -> int:
    from engines.labs.classify.recipes import RECIPES

    if args.json:
        print(json.dumps({name: r.values for name, r in RECIPES.items()}))
        return 0
    for name, recipe in RECIPES.items():
        print(f"{name:<8} {recipe.title}", file=sys.stdout)
        print(f"         --set recipe={name}  →  " + " ".join(f"{k}={v}" for k, v in recipe.values.items()))
    return 0
