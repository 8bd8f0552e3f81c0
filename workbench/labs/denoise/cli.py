"""Denoising lab subcommands: ``eval-denoise``, ``import-weights``, ``denoise``.

Imports nothing heavy at module level: the window's start-up builds this parser too.
"""
from __future__ import annotations

import argparse
import math
import sys
from typing import Callable

from workbench.jsonout import dumps

EXIT_OK, EXIT_FAILED = 0, 1
METHODS = ("dncnn", "nlm", "tv", "wavelet", "bm3d")
SSIM_WINDOWS = ("gaussian", "uniform")  # engines.labs.denoise.methods.SSIM_WINDOWS (not imported: start-up)
NOISE_MODES = ("seeded", "kair")  # engines.labs.denoise.methods.NOISE_MODES
INFERENCE_PRECISIONS = ("auto", "fp32", "bf16")  # engines.labs.denoise.methods.INFERENCE_PRECISIONS
SSIM_PROTOCOL = {"gaussian": "SSIM 11×11 Gaussian window", "uniform": "SSIM 7×7 uniform window"}
# Smallest --tile: each tile is computed with a margin of the network's receptive radius (17 px for DnCNN-S)
# on every side, so tiles much smaller than that multiply the work (--tile 1 on a 256² image ran for minutes).
MIN_TILE = 32


def _usage(message: str) -> Exception:
    from workbench.cli import UsageError

    return UsageError(message)


def _add_model_options(p: argparse.ArgumentParser, *, precision: str) -> None:
    from workbench.cli import run_id

    source = p.add_mutually_exclusive_group()
    source.add_argument("--weights", metavar="FILE",
                        help="DnCNN weights: KAIR .pth, MatConvNet .mat, workbench .pt or .pt.gz")
    source.add_argument("--run", type=run_id, metavar="RUN_ID", help="a recorded denoise run (trained or imported)")
    p.add_argument("--method", default="dncnn", help=f"{'|'.join(METHODS)} (default dncnn)")
    p.add_argument("--sigma", type=float, required=True, help="noise level σ on the 8-bit scale (0–255)")
    p.add_argument("--seed", type=int, default=0, help="seed of the synthetic noise (default 0)")
    p.add_argument("--tile", type=int, default=512,
                   help=f"tile size for large images (at least {MIN_TILE} pixels); 0 = whole image")
    p.add_argument("--threads", type=int, default=0, help="CPU threads for PyTorch (0 = its default)")
    p.add_argument("--precision", default=precision, choices=INFERENCE_PRECISIONS,
                   help=f"arithmetic of the DnCNN pass: auto = bf16 where the CPU has native bf16 (AVX-512 BF16 "
                        f"or AMX; about 2× fp32's speed, PSNR within 0.01 dB), else fp32 (default {precision})")
    p.add_argument("--json", action="store_true", help="print one final JSON object on the last line")


def _add_protocol_options(parser: argparse.ArgumentParser) -> None:
    """--ssim and --noise: the scoring window and the noise generator (eval-denoise, and denoise --add-noise)."""
    parser.add_argument("--ssim", default="gaussian", choices=SSIM_WINDOWS,
                        help="SSIM window: gaussian = 11×11, σ 1.5, as Wang et al. and DnCNN/KAIR (default); "
                             "uniform = scikit-image's default 7×7")
    parser.add_argument("--noise", default="seeded", choices=NOISE_MODES,
                        help="noise generator: seeded = numpy default_rng(--seed) (default); kair = "
                             "np.random.seed(--seed) then np.random.normal for each image, as KAIR's test "
                             "script (with --seed 0 it gives KAIR's per-image numbers)")


def _check_protocol(args) -> None:
    if args.noise == "kair" and args.seed > 2**32 - 1:
        raise _usage(f"invalid --seed {args.seed}: the kair generator takes 0 … 2³² − 1")


def add_commands(sub) -> dict[str, Callable[[argparse.Namespace], int]]:
    evaluate = sub.add_parser("eval-denoise", help="PSNR/SSIM of a denoiser on a folder of clean images")
    evaluate.add_argument("--images", required=True, metavar="DIR", help="folder of clean images")
    _add_protocol_options(evaluate)
    _add_model_options(evaluate, precision="fp32")  # scores reproducible on any machine

    imp = sub.add_parser("import-weights", help="import published DnCNN weights as a run")
    imp.add_argument("file", metavar="FILE", help="KAIR .pth state_dict, MatConvNet .mat (v7.3 or v5)")
    imp.add_argument("--name", default="", help="a name for the run")
    imp.add_argument("--json", action="store_true", help="print one final JSON object on the last line")

    run = sub.add_parser("denoise", help="denoise image files or folders into an output folder")
    run.add_argument("inputs", nargs="+", metavar="IN", help="image files or folders")
    run.add_argument("--out", required=True, metavar="DIR", help="output folder (created; originals untouched)")
    run.add_argument("--add-noise", action="store_true",
                     help="treat inputs as clean: add σ noise first and report PSNR/SSIM")
    _add_protocol_options(run)
    _add_model_options(run, precision="auto")
    return {"eval-denoise": cmd_eval_denoise, "import-weights": cmd_import_weights, "denoise": cmd_denoise}


def _check_common(args) -> None:
    if not math.isfinite(args.sigma) or not 0.0 <= args.sigma <= 255.0:
        raise _usage(f"invalid --sigma {args.sigma:g}: expected a number from 0 to 255")
    if args.method not in METHODS:
        raise _usage(f"invalid --method {args.method!r}; valid choices: {', '.join(METHODS)}")
    if args.seed < 0:
        raise _usage(f"invalid --seed {args.seed}: must be ≥ 0")
    if args.tile < 0 or 0 < args.tile < MIN_TILE:
        raise _usage(f"invalid --tile {args.tile}: must be 0 (the whole image at once) or at least {MIN_TILE}")
    if args.threads < 0:
        raise _usage(f"invalid --threads {args.threads}: must be ≥ 0")
    if args.method == "dncnn" and args.weights is None and args.run is None:
        raise _usage("method dncnn needs --weights FILE or --run RUN_ID")
    if args.method != "dncnn" and (args.weights is not None or args.run is not None):
        raise _usage(f"--weights/--run apply to method dncnn, not {args.method!r}")
    if args.method != "dncnn":
        from engines.labs.denoise.methods import method_status

        available, reason = method_status(args.method)
        if not available:
            raise _usage(reason)
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    if args.method == "dncnn":
        from engines.labs.denoise.methods import inference_precision

        try:
            inference_precision(args.precision)
        except ValueError as exc:
            raise _usage(f"--precision {args.precision}: {exc}") from None


def _denoiser(args):
    """The model for ``--weights``/``--run`` (None for baselines); bad weights or runs → usage error."""
    if args.method != "dncnn":
        return None, args.method
    from workbench.labs.denoise.service import DenoiseSetupError, load_denoiser

    try:
        denoiser = load_denoiser(weights=args.weights, run_id=args.run, precision=args.precision)
    except DenoiseSetupError as exc:
        raise _usage(str(exc)) from None
    except ValueError as exc:  # WeightsError: bad file, wrong architecture, refused pickle
        raise _usage(str(exc)) from None
    from engines.labs.denoise.methods import model_precision

    precision = model_precision(denoiser.model)
    return denoiser.model, denoiser.label + (f", {precision}" if precision != "fp32" else "")


def _fail(message: str) -> int:
    """A failed operation (not a usage error): one line on stderr, exit 1."""
    print(f"workbench: error: {message}", file=sys.stderr, flush=True)
    return EXIT_FAILED


def _score(value: float | None, spec: str) -> str:
    return "n/a" if value is None or math.isnan(value) else format(value, spec)


def cmd_eval_denoise(args) -> int:
    from pathlib import Path

    _check_common(args)
    _check_protocol(args)
    images_dir = Path(args.images).expanduser()
    if not images_dir.is_dir():
        raise _usage(f"--images {args.images}: not a folder")
    from engines.labs.denoise.images import ImageError, list_images
    from engines.labs.denoise.methods import EvalReport, iter_evaluate

    try:
        paths = list_images(images_dir)
    except ImageError as exc:
        return _fail(str(exc))
    if not paths:
        raise _usage(f"--images {args.images}: no PNG, JPEG, TIFF or BMP images in this folder")
    model, label = _denoiser(args)
    report = EvalReport(method=args.method, sigma=args.sigma, seed=args.seed, model=label, ssim=args.ssim,
                        noise=args.noise)
    tile = args.tile or None
    for path in paths:
        try:
            (item,) = iter_evaluate([path], sigma=args.sigma, seed=args.seed, method=args.method, model=model,
                                    tile=tile, ssim=args.ssim, noise=args.noise)
        except ImageError as exc:  # names the file
            reason = str(exc)
        except MemoryError:
            reason = f"{path}: not enough memory to evaluate this image"
        except (ValueError, RuntimeError, ArithmeticError) as exc:  # e.g. colour for a gray-only model
            reason = f"{path}: {exc}"
        else:
            report.images.append(item)
            if not args.json:
                notes = "".join(f"  [{note}]" for note in item.notes)
                print(f"{item.name:<24} PSNR {item.psnr:6.2f} dB  SSIM {_score(item.ssim, '.4f')}  "
                      f"(noisy {item.noisy_psnr:5.2f} dB, {item.seconds:.2f} s){notes}", flush=True)
            continue
        report.skipped.append((path.name, reason))
        print(f"workbench: skipped: {reason}", file=sys.stderr, flush=True)
    if args.json:
        print(dumps(report.to_json()), flush=True)
    else:
        print(f"{'mean':<24} PSNR {_score(report.mean_psnr, '6.2f')} dB  SSIM {_score(report.mean_ssim, '.4f')}  "
              f"({len(report.images)} images, {len(report.skipped)} skipped, {label}, σ={args.sigma:g}, "
              f"{args.noise} noise, seed {args.seed}; {SSIM_PROTOCOL[args.ssim]})")
    return EXIT_FAILED if report.skipped else EXIT_OK


def cmd_import_weights(args) -> int:
    from engines.labs.denoise.weights import WeightsError
    from workbench.labs.denoise.service import import_weights

    try:
        imported = import_weights(args.file, name=args.name)
    except WeightsError as exc:
        raise _usage(str(exc)) from None
    if args.json:
        print(dumps(imported.to_json()), flush=True)
    else:
        layers = imported.options.get("depth", {"dncnn_s": 17, "dncnn_b": 20}.get(imported.model))
        print(f"imported {args.file} as run {imported.run_id}: {imported.model} ({layers} layers, "
              f"{imported.params:,} parameters, {imported.source_format})")
    return EXIT_OK


def cmd_denoise(args) -> int:
    from pathlib import Path

    from workbench.labs.denoise.service import DenoiseSetupError, denoise_files, prepare_output_folder

    _check_common(args)
    _check_protocol(args)
    out_dir = Path(args.out).expanduser()
    if out_dir.exists() and not out_dir.is_dir():
        raise _usage(f"--out {args.out}: exists and is not a folder")
    try:
        out_dir = prepare_output_folder(out_dir)
    except DenoiseSetupError as exc:
        return _fail(f"--out {exc}")
    model, label = _denoiser(args)
    results = []
    for result in denoise_files(args.inputs, out_dir, method=args.method, sigma=args.sigma, model=model,
                                add_noise=args.add_noise, seed=args.seed, tile=args.tile or None, ssim=args.ssim,
                                noise=args.noise):
        results.append(result)
        if not result.ok:
            print(f"workbench: failed: {result.error}", file=sys.stderr, flush=True)
        elif not args.json:
            scores = f"  PSNR {result.noisy_psnr:.2f} → {result.psnr:.2f} dB, SSIM {_score(result.ssim, '.4f')}" \
                if result.psnr is not None else ""
            notes = "".join(f"  [{note}]" for note in result.notes)
            print(f"{result.source} → {result.output} ({result.seconds:.2f} s){scores}{notes}", flush=True)
    failed = sum(not r.ok for r in results)
    if args.json:
        from engines.labs.denoise.methods import model_precision

        print(dumps({"method": args.method, "model": label, "sigma": args.sigma, "out": str(out_dir),
                     **({"precision": model_precision(model)} if model is not None else {}),
                     **({"noise": args.noise, "ssim": args.ssim} if args.add_noise else {}),
                     "done": len(results) - failed, "failed": failed,
                     "files": [r.to_json() for r in results]}), flush=True)
    elif not results:
        print("no input images")
    elif args.add_noise:
        print(f"(scores: {args.noise} noise, seed {args.seed}; {SSIM_PROTOCOL[args.ssim]})")
    return EXIT_FAILED if failed or not results else EXIT_OK
