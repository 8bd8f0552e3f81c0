"""Subcommands for shipped models: ``pretrained list|install``, ``ship-weights``, ``reproduce``.

Registered through ``workbench.cli.COMMAND_MODULES``; nothing heavy is imported at module level.
"""
from __future__ import annotations

import sys

from workbench.jsonout import dumps


def add_commands(sub) -> dict:
    from workbench.cli import run_id

    pre = sub.add_parser("pretrained", help="list the shipped pretrained models and the authors' published weights, "
                                            "or install them as runs (published ones are downloaded on demand)")
    pre.add_argument("action", choices=("list", "install"))
    pre.add_argument("names", nargs="*", metavar="NAME", help="entries to install (see `pretrained list`)")
    pre.add_argument("--all", action="store_true", help="install every shipped model (published ones by name)")
    pre.add_argument("--json", action="store_true")

    ship = sub.add_parser("ship-weights", help="copy a finished run's weights into assets/weights with a manifest "
                                                "entry (maintainers)")
    ship.add_argument("run_id", type=run_id)
    ship.add_argument("--name", required=True, help="entry name and file stem, e.g. dncnn_s_sigma25")
    ship.add_argument("--command", required=True, dest="train_command",
                      help="the exact command that trained the run (recorded in the manifest)")
    ship.add_argument("--title", default="", help="a readable title (default: the run's name)")
    ship.add_argument("--dtype", default="auto", choices=("auto", "float32", "float16"),
                      help="auto: fp32, or fp16 when fp32 would exceed 10 MB (gzip-compressed if still over)")
    ship.add_argument("--notes", default="")
    ship.add_argument("--folder", help="weights folder (default: $WORKBENCH_WEIGHTS or the package's assets/weights)")
    ship.add_argument("--replace", action="store_true", help="replace an entry of the same name")
    ship.add_argument("--json", action="store_true")

    rep = sub.add_parser("reproduce", help="evaluate the shipped (and the authors') weights against the published "
                                           "numbers")
    rep.add_argument("--published-weights", metavar="DIR",
                     help="folder with the authors' DnCNN files (dncnn_25.pth, sigma=15.mat, GD_Gray_Blind.mat …)")
    rep.add_argument("--data-dir", metavar="DIR",
                     help="folder holding set12/ and bsd68/ (default: $WORKBENCH_SHARED_DATA)")
    rep.add_argument("--set12", metavar="DIR", help="folder of the Set12 images")
    rep.add_argument("--bsd68", metavar="DIR", help="folder of the BSD68 images")
    rep.add_argument("--threads", type=int, default=0, help="CPU threads for PyTorch (0 = all cores)")
    rep.add_argument("--full", action="store_true",
                     help="also BSD68 at σ=15 and 50 (default: σ=25 only, to stay under 10 minutes on 2 CPU cores)")
    rep.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    rep.add_argument("--json", action="store_true", help="print one JSON object")
    return {"pretrained": cmd_pretrained, "ship-weights": cmd_ship_weights, "reproduce": cmd_reproduce}


def _usage(message: str) -> Exception:
    from workbench.cli import UsageError

    return UsageError(message)


def _fail(message: str) -> int:
    """A failed operation (not a usage error): one line on stderr, exit 1."""
    print(f"workbench: error: {message}", file=sys.stderr, flush=True)
    return 1


def _published_modules() -> list:
    """Each lab's module of published weights fetched on demand (``LabInfo.published``)."""
    import importlib

    from workbench.labs import LABS

    return [importlib.import_module(lab.published) for lab in LABS if lab.published]


def _published_entries() -> dict:
    """name → (module, entry) of every published entry."""
    return {entry.name: (module, entry) for module in _published_modules() for entry in module.PUBLISHED}


def _install_published(names: list[str], as_json: bool) -> int:
    """Download, check and install published entries; one line per entry (or one JSON list)."""
    published = _published_entries()
    live = not as_json and sys.stderr.isatty()  # a progress line only where it can be redrawn in place
    done = []
    for name in names:
        module, entry = published[name]

        def progress(received: int, total: int, name=name) -> None:
            if live:
                of = f" of {total / 1e6:.1f}" if total else ""
                print(f"\r{name}: {received / 1e6:.1f}{of} MB", end="", file=sys.stderr, flush=True)

        try:
            run_id, created = module.install(name, progress=progress)
        except module.PublishedError as exc:
            if live:
                print(file=sys.stderr)
            return _fail(str(exc))
        if live:
            print(file=sys.stderr)
        done.append({"name": name, "run_id": run_id, "created": created, "sha256": entry.sha256,
                     "source": entry.source, "licence": entry.licence})
    if as_json:
        print(dumps(done))
    else:
        for d in done:
            print(f"{d['name']}: run {d['run_id']}" + ("" if d["created"] else " (already installed)"))
    return 0


def cmd_pretrained(args) -> int:
    from workbench import pretrained

    try:
        shipped = pretrained.entries()
    except pretrained.PretrainedError as exc:
        raise _usage(str(exc)) from None
    published = _published_entries()
    if args.action == "install" and args.names and all(n in published for n in args.names):
        return _install_published(args.names, args.json)
    if args.action == "install" and any(n in published for n in args.names):
        raise _usage("install shipped and published entries in separate commands")
    if args.action == "list":
        if args.names or args.all:
            raise _usage("`pretrained list` takes no names")
        rows = []
        for entry in shipped:
            try:
                pretrained.verify(entry)
                check = "ok"
            except pretrained.PretrainedError as exc:
                check = str(exc)
            rows.append({**entry.to_json(), "path": str(entry.path), "check": check})
        offered = [{**entry.to_json(), "published": True} for _module, entry in published.values()]
        if args.json:
            print(dumps(rows + offered))
            return 1 if any(r["check"] != "ok" for r in rows) else 0
        for row in offered:
            print(f"{row['name']:<28} download  {row['title']}; {row['source']}, licence: {row['licence']}")
        if not rows:
            print("no pretrained models shipped")
        else:
            for row in rows:
                shown = {k: round(v, 4) for k, v in row["evaluation"].items()
                         if k in ("test_accuracy", "overall_accuracy", "val_psnr")}
                print(f"{row['name']:<28} {row['task']:<9} {row['model']:<14} {row['dataset']:<13} "
                      f"{row['bytes'] / 1e6:5.1f} MB {row['dtype']:<8} {dumps(shown)}  sha256 {row['check']}")
        return 1 if any(r["check"] != "ok" for r in rows) else 0
    if args.all == bool(args.names):
        raise _usage("`pretrained install` takes NAME … or --all")
    try:
        done = pretrained.install_all(None if args.all else args.names)
    except pretrained.PretrainedWriteError as exc:
        return _fail(str(exc))
    except pretrained.PretrainedError as exc:
        raise _usage(str(exc)) from None
    if args.json:
        print(dumps([d.__dict__ for d in done]))
    else:
        for d in done:
            print(f"{d.name}: run {d.run_id}" + ("" if d.created else " (already installed)"))
    return 0


def cmd_ship_weights(args) -> int:
    from engines.core.checkpoint import CheckpointError
    from workbench import pretrained

    try:
        entry = pretrained.ship_run(args.run_id, name=args.name, command=args.train_command, title=args.title,
                                    dtype=args.dtype, notes=args.notes, directory=args.folder,
                                    replace=args.replace)
    except pretrained.PretrainedWriteError as exc:
        return _fail(str(exc))
    except (pretrained.PretrainedError, CheckpointError) as exc:
        raise _usage(str(exc)) from None
    if args.json:
        print(dumps(entry.to_json()))
    else:
        print(f"shipped run {args.run_id} as {entry.path} ({entry.bytes / 1e6:.2f} MB, {entry.dtype}, "
              f"sha256 {entry.sha256})")
    return 0


def cmd_reproduce(args) -> int:
    from workbench import reproduce

    if args.threads < 0:
        raise _usage(f"invalid --threads {args.threads}: must be ≥ 0")
    for option in ("set12", "bsd68", "data_dir", "published_weights"):
        value = getattr(args, option)
        if value is not None:
            from pathlib import Path

            if not Path(value).expanduser().is_dir():
                raise _usage(f"--{option.replace('_', '-')} {value}: not a folder")
    data = reproduce.DataPaths.find(set12=args.set12, bsd68=args.bsd68, data_dir=args.data_dir)

    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    report = reproduce.reproduce(data=data, published_weights=args.published_weights, progress=progress,
                                 threads=args.threads, full=args.full)
    if args.json:
        print(dumps(report.to_json()), flush=True)
    else:
        print(reproduce.format_table(report, markdown=args.markdown), flush=True)
    failed = [r for r in report.rows if r.met is False]
    return 1 if failed else 0
