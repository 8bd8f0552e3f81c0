"""Retrieval commands: ``retrieval-features`` (check a feature set) and ``retrieval-eval`` (score a run).

Nothing heavy is imported at module level (the window's start-up builds this parser too).
"""
from __future__ import annotations

from workbench.jsonout import dumps


def add_commands(sub) -> dict:
    from workbench.cli import run_id

    features = sub.add_parser("retrieval-features",
                              help="load a paired feature set for retrieval and describe it (shapes, classes)")
    features.add_argument("--data", default="indian_pines_views", help="dataset name (default: indian_pines_views)")
    features.add_argument("--set", dest="overrides", action="append", default=[], metavar="data.KEY=VALUE",
                          help="data options, e.g. data.path=FOLDER")
    features.add_argument("--json", action="store_true")

    evaluate = sub.add_parser("retrieval-eval", help="mAP both ways, precision@k of a retrieval run's checkpoint")
    evaluate.add_argument("run_id", type=run_id)
    evaluate.add_argument("--json", action="store_true")
    return {"retrieval-features": cmd_features, "retrieval-eval": cmd_eval}


def cmd_features(args) -> int:
    from engines.core.data import DataError, dataset_names, load_dataset
    from engines.labs.retrieval.task import chance_map
    from workbench.cli import UsageError, parse_data_options

    choices = dataset_names(task="retrieval")
    if args.data not in choices:
        raise UsageError(f"unknown retrieval dataset {args.data!r}; valid choices: {', '.join(choices)}")
    try:
        splits = load_dataset(args.data, **parse_data_options(args.overrides, "retrieval-features",
                                                              dataset=args.data))
    except (DataError, TypeError) as exc:  # TypeError: an option the loader does not take
        raise UsageError(str(exc)) from None
    pair = splits.info["pair"]
    out = {"data": args.data, "modalities": list(pair.modalities), "dims": list(pair.dims),
           "train": len(pair.train_labels), "test": len(pair.test_labels), "classes": pair.num_classes,
           "chance_map": chance_map(pair.test_labels, pair.test_labels), "features": pair.description}
    if args.json:
        print(dumps(out))
    else:
        print(f"{args.data}: {out['features']}\n  {pair.modalities[0]} {pair.dims[0]}-d, {pair.modalities[1]} "
              f"{pair.dims[1]}-d; {out['train']} train / {out['test']} test pairs; {out['classes']} classes; "
              f"chance mAP {out['chance_map']:.3f}")
    return 0


def cmd_eval(args) -> int:
    from engines.core.checkpoint import CheckpointError
    from engines.core.data import DataError
    from engines.labs.retrieval.task import analyse, config_from_values
    from workbench.cli import UsageError
    from workbench.store import RunStore

    with RunStore() as store:
        run = store.get_run(args.run_id)
    if run.task != "retrieval":
        raise UsageError(f"run {run.id} is a {run.task} run, not a retrieval run")
    if not run.checkpoint:
        raise UsageError(f"run {run.id} has no checkpoint yet")
    try:
        analysis = analyse(config_from_values(run.config), run.checkpoint)
    except (DataError, CheckpointError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    scores = analysis.scores
    out = {"run_id": run.id, "modalities": list(analysis.pair.modalities),
           **{k: scores[k] for k in ("map_a2b", "map_b2a", "map_average")},
           "map_untrained": analysis.scores_before["map_average"],
           "precision_at_k": {d: {str(k): v for k, v in p.items()} for d, p in scores["precision_at_k"].items()}}
    if args.json:
        print(dumps(out))
    else:
        a, b = analysis.pair.modalities
        print(f"run {run.id}: mAP {a}→{b} {out['map_a2b']:.4f}, {b}→{a} {out['map_b2a']:.4f}, average "
              f"{out['map_average']:.4f} (untrained {out['map_untrained']:.4f})")
        for direction, values in out["precision_at_k"].items():
            print(f"  precision@k {direction}: " + ", ".join(f"@{k} {v:.3f}" for k, v in values.items()))
    return 0
