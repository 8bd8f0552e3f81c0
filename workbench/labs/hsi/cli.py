"""Hyperspectral commands: ``train --train-ratio/--split/--aa-absent``, ``hsi-download``, ``hsi-svm``, ``hsi-map``.

Nothing heavy is imported at module level (the window's start-up builds this parser too).
"""
from __future__ import annotations

import sys

from workbench.jsonout import dumps

SPLITS = ("seed", "authors")  # engines.labs.hsi.task.SPLITS (not imported: start-up)
AA_ABSENT = ("skip", "zero")  # engines.labs.hsi.task.AA_ABSENT
AUTHORS_SPLIT_SEED = 345  # engines.labs.hsi.task.AUTHORS_SPLIT_SEED


def add_commands(sub) -> dict:
    from workbench.cli import run_id

    commands: dict = {}
    train = sub.choices.get("train")
    if train is not None and "--train-ratio" not in train._option_string_actions:
        train.add_argument("--train-ratio", type=float, dest="train_ratio",
                           help="task hsi: share of labelled pixels used for training (same as --set train_ratio=X)")
        train.add_argument("--split", choices=SPLITS, dest="hsi_split",
                           help="task hsi: seed = stratified split seeded by --seed (default); authors = the "
                                "authors' pixel sets (random_state=345) whatever --seed (same as --set split=…)")
        train.add_argument("--aa-absent", choices=AA_ABSENT, dest="aa_absent",
                           help="task hsi: AA when a class is predicted but absent from the test truth: skip "
                                "(default) or zero (the authors' code) (same as --set aa_absent=…)")
        commands["train"] = cmd_train_with_ratio

    download = sub.add_parser("hsi-download", help="download a hyperspectral scene (pavia_university, salinas)")
    download.add_argument("scene")
    download.add_argument("--folder", help="where to put the files (default: the workbench data folder)")
    commands["hsi-download"] = cmd_download

    svm = sub.add_parser("hsi-svm", help="SVM baseline on raw spectra (the HybridSN paper's); records a run")
    svm.add_argument("--data", default="indian_pines")
    svm.add_argument("--train-ratio", type=float, default=0.3)
    svm.add_argument("--seed", type=int, default=0)
    svm.add_argument("--split", choices=SPLITS, default="seed",
                     help="seed = stratified split seeded by --seed (default); authors = the authors' pixel sets "
                          "(random_state=345)")
    svm.add_argument("--c", type=float, default=100.0, help="SVC regularisation C")
    svm.add_argument("--set", dest="overrides", action="append", default=[], metavar="data.KEY=VALUE",
                     help="data options, e.g. data.crop=0:60,0:60 or data.path=FILE")
    svm.add_argument("--json", action="store_true")
    commands["hsi-svm"] = cmd_svm

    hsi_map = sub.add_parser("hsi-map", help="classify every pixel of a hyperspectral run's scene (cached)")
    hsi_map.add_argument("run_id", type=run_id)
    hsi_map.add_argument("--epoch", type=int, help="use epoch_N.pt when the run kept per-epoch weights")
    hsi_map.add_argument("--scene", help="apply the model to another scene (must fit its classes and settings)")
    hsi_map.add_argument("--out", metavar="FILE.npy",
                         help="also write the predicted class of every pixel (1-based, as in the ground truth) "
                              "as an integer array of the scene's shape; an existing file is never replaced")
    hsi_map.add_argument("--json", action="store_true")
    commands["hsi-map"] = cmd_map
    return commands


def cmd_train_with_ratio(args) -> int:
    from workbench.cli import UsageError, cmd_train

    ratio = getattr(args, "train_ratio", None)
    if ratio is not None:
        if args.task != "hsi":
            raise UsageError(f"--train-ratio applies to --task hsi, not to {args.task!r}")
        args.overrides = [*args.overrides, f"train_ratio={ratio}"]
    for flag, key in (("hsi_split", "split"), ("aa_absent", "aa_absent")):
        value = getattr(args, flag, None)
        if value is not None:
            if args.task != "hsi":
                raise UsageError(f"--{key.replace('_', '-')} applies to --task hsi, not to {args.task!r}")
            args.overrides = [*args.overrides, f"{key}={value}"]
    return cmd_train(args)


def cmd_download(args) -> int:
    from engines.core.data import DataError
    from engines.hyperspectral import download_scene

    last = [-1]

    def progress(name: str, done: int, total: int) -> None:
        percent = int(100 * done / total) if total else -1
        if percent != last[0]:
            last[0] = percent
            size = f"{done / 2**20:.1f} MiB" + (f" of {total / 2**20:.1f} MiB ({percent} %)" if total else "")
            print(f"\r{name}: {size}", end="", file=sys.stderr, flush=True)

    try:
        folder = download_scene(args.scene, data_dir=args.folder, progress=progress)
    except DataError as exc:
        print(f"\nworkbench: error: {exc}", file=sys.stderr)
        return 1
    print(f"\n{args.scene}: files in {folder}")
    return 0


def cmd_svm(args) -> int:
    import time

    import numpy as np

    from engines.core.config import SEED_MAX
    from engines.core.data import DataError, dataset_names
    from engines.hyperspectral import load_scene
    from engines.labs.hsi.svm import fit_svm
    from workbench.cli import UsageError, parse_data_options
    from workbench.labs.hsi import maps as hsi_maps
    from workbench.store import RunStore

    scenes = dataset_names(task="hsi")
    if args.data not in scenes:
        raise UsageError(f"unknown scene {args.data!r}; valid choices: {', '.join(scenes)}")
    if not 0 <= args.seed <= SEED_MAX:
        raise UsageError(f"--seed must be between 0 and {SEED_MAX}, got {args.seed}")
    if not 0.0 < args.train_ratio < 1.0:
        raise UsageError(f"--train-ratio must be between 0 and 1 (e.g. 0.1 or 0.3), got {args.train_ratio}")
    if not (np.isfinite(args.c) and args.c > 0):
        raise UsageError(f"--c must be a positive number, got {args.c}")
    options = parse_data_options(args.overrides, "hsi-svm", dataset=args.data)
    started = time.perf_counter()
    config = {"task": "hsi", "model": "svm", "data": args.data, "seed": args.seed, "train_ratio": args.train_ratio,
              "split": args.split, "data_options": options, "C": args.c}
    split_seed = AUTHORS_SPLIT_SEED if args.split == "authors" else args.seed
    with RunStore() as store:
        run_id = store.create_run(task="hsi", model="svm", dataset=args.data, config=config, seed=args.seed,
                                  device="cpu", name=f"SVM baseline · {args.data} · {args.train_ratio:g}")
        store.claim_run(run_id)
        try:
            scene = load_scene("file" if args.data == "hsi_file" else args.data,
                               **{k: v for k, v in options.items() if k in ("path", "gt_path", "crop", "data_dir")})
            result = fit_svm(scene, train_ratio=args.train_ratio, seed=split_seed, C=args.c)
        except DataError as exc:
            store.set_status(run_id, "failed", str(exc))
            print(f"workbench: error: {exc}", file=sys.stderr)
            return 1
        labels = result.pop("labels")
        onehot = np.eye(scene.num_classes, dtype=np.float32)[labels] if labels is not None else None
        if onehot is not None:
            hsi_maps.save_map(hsi_maps.paths.run_dir(run_id) / "hsi_maps" / hsi_maps.SVM_MAP, onehot)
        store.update_run(run_id, summary=result, epoch=1)
        store.set_status(run_id, "finished")
    seconds = time.perf_counter() - started
    out = {"run_id": run_id, "status": "finished", "metrics": result["metrics"], "seconds": round(seconds, 3)}
    if args.json:
        print(dumps(out))
    else:
        m = result["metrics"]
        print(f"run {run_id} SVM on {args.data}: OA {m['overall_accuracy']:.4f}  AA {m['average_accuracy']:.4f}  "
              f"kappa {m['kappa']:.4f}  ({seconds:.1f} s)")
    return 0


def cmd_map(args) -> int:
    import time

    from workbench.cli import UsageError
    from workbench.labs.hsi import maps as hsi_maps
    from workbench.store import RunStore

    with RunStore() as store:
        try:
            run = store.get_run(args.run_id)
        except KeyError as exc:
            raise UsageError(str(exc)) from None
    checkpoint = hsi_maps.checkpoint_for_epoch(run, args.epoch)
    if checkpoint is None:
        raise UsageError(f"run {args.run_id} has no checkpoint yet")
    try:
        out_path = hsi_maps.check_labels_path(args.out) if args.out else None
    except hsi_maps.MapError as exc:
        raise UsageError(str(exc)) from None
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        print(f"\r{done}/{total} pixels", end="", file=sys.stderr, flush=True)

    try:
        run_scene = hsi_maps.prepare_for_run(run, scene=args.scene)
        probs = hsi_maps.compute_map(run, checkpoint, run_scene=run_scene, progress=progress)
    except hsi_maps.MapError as exc:
        print(f"\nworkbench: error: {exc}", file=sys.stderr)
        return 1
    gt = run_scene.prepared.scene.gt
    labelled = gt > 0
    oa = float((probs.argmax(-1)[labelled] == gt[labelled] - 1).mean())
    out = {"run_id": run.id, "checkpoint": checkpoint, "shape": list(probs.shape[:2]),
           "labelled_accuracy": oa, "seconds": round(time.perf_counter() - started, 3)}
    print(file=sys.stderr)
    if out_path is not None:
        try:
            out["out"] = str(hsi_maps.save_labels(out_path, probs))
        except hsi_maps.MapError as exc:
            print(f"workbench: error: {exc}", file=sys.stderr)
            return 1
        if not args.json:
            print(f"wrote the class of every pixel to {out_path}")
    print(dumps(out) if args.json else
          f"map of run {run.id}: {probs.shape[0]}×{probs.shape[1]} pixels, accuracy over all labelled pixels "
          f"(train and test) {oa:.4f}")
    return 0
