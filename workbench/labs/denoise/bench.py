"""``workbench bench denoise``: DnCNN inference speed and memory against their goals, and the baselines.

- Seconds per 512×512 gray image for DnCNN-S on the optimised path as the application runs it (inference mode,
  channels-last, BN folded, threads, and bf16 autocast where the CPU has native bf16: ``precision="auto"``)
  against a reference in the same process (eager, NCHW, fp32, BN unfused, ``no_grad``): goal ≥ 2.0× with PSNR
  within 0.01 dB of the fp32 pass (on the bench image; on Set12 too when the shared data is found). The fp32
  optimised path is timed beside it. Achieved GFLOP/s from ``FlopCounterMode`` (~290 GFLOP per 512² image).
- The other lever, measured beside it (not in ``quick``): ``torch.compile`` of the fp32 optimised model (inductor
  with weight freezing; its compile seconds apart, its output against the eager one's).
- The classical baselines on the same noisy image: seconds and PSNR (BM3D only when installed). Goal: DnCNN
  ≥ 15× faster than BM3D with higher PSNR.
- Peak resident memory of a child process that denoises an 8000×8000 gray image through the tiled path:
  goal ≤ 2.5 GB.

PSNR needs trained weights: the published ``dncnn_25.pth`` is used when the shared data folder is found
(``$WORKBENCH_SHARED_DATA`` or ``../shared/data`` beside the repository), else a random-init DnCNN-S times the
same arithmetic and its PSNR is left out. ``quick=True`` shrinks everything for a smoke run (no BM3D, a
256² tiled image, a 128² speed image, one repetition), so its figures are not the benchmark's.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable


class BenchError(RuntimeError):
    """The benchmark could not measure what it meant to (a child process failed)."""

GOAL_SPEEDUP = 2.0
GOAL_BM3D_SPEEDUP = 15.0
GOAL_PEAK_GB = 2.5
GOAL_PSNR_CHANGE = 0.01  # dB, the optimised pass against the fp32 one
SIGMA = 25.0


def shared_data_dir() -> Path | None:
    configured = os.environ.get("WORKBENCH_SHARED_DATA")
    path = Path(configured) if configured else Path(__file__).resolve().parent.parent.parent / "shared" / "data"
    return path if path.is_dir() else None


def _median_seconds(fn: Callable[[], Any], repeats: int) -> float:
    fn()  # warm-up: oneDNN picks its kernels on the first call
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


_PEAK_CHILD = r"""
import json, resource, sys, time
import numpy as np, torch
from engines.labs.denoise.methods import run_model
from engines.models import build_model
from engines.labs.denoise.methods import prepare_model
size, tile, threads, precision = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
if threads:
    torch.set_num_threads(threads)
model = prepare_model(build_model("dncnn_s"), precision=precision)
noisy = np.random.default_rng(0).random((size, size), dtype=np.float32)
start = time.perf_counter()
result = run_model(model, noisy, tile=tile)
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "mean": float(result.restored.mean())}))
"""


def measure_peak_memory(size: int, *, tile: int = 512, threads: int = 0, precision: str = "auto",
                        timeout: float = 3600) -> dict[str, Any]:
    """Denoise a ``size``² gray image in a fresh process; its peak RSS (ru_maxrss) and seconds."""
    proc = subprocess.run([sys.executable, "-c", _PEAK_CHILD, str(size), str(tile), str(threads), precision],
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        return {"size": size, "tile": tile, "error": f"child exited {proc.returncode}: {tail[0]}"}
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    peak_bytes = data["maxrss_kb"] * 1024  # Linux reports kilobytes
    return {"size": size, "tile": tile, "precision": precision, "seconds": round(data["seconds"], 2),
            "megapixels_per_second": round(size * size / 1e6 / data["seconds"], 3),
            "peak_rss_gb": round(peak_bytes / 1e9, 3), "goal_gb": GOAL_PEAK_GB,
            "meets_goal": peak_bytes / 1e9 <= GOAL_PEAK_GB}


def set_psnr_change(folder: Path, model, model_fp32, *, sigma: float = SIGMA) -> float:
    """Mean PSNR of ``model`` minus that of ``model_fp32`` over a folder's images (same seeded noise)."""
    from engines.labs.denoise.images import list_images
    from engines.labs.denoise.methods import evaluate_images

    means = [evaluate_images(list_images(folder), sigma=sigma, model=m, tile=None).mean_psnr
             for m in (model, model_fp32)]
    return means[0] - means[1]


def measure_levers(optimized, x, ref_seconds: float, repeats: int) -> dict:
    """``torch.compile`` of the fp32 optimised model (compile seconds apart) as a speed-up over the reference."""
    import torch

    xl = x.contiguous(memory_format=torch.channels_last)
    levers: dict[str, Any] = {"cpu_capability": torch.backends.cpu.get_cpu_capability()}
    try:
        import torch._inductor.config as inductor_config

        # Weights as constants, so oneDNN prepacks them (CPU inference); only for this compilation.
        with inductor_config.patch(freezing=True):
            compiled = torch.compile(optimized, dynamic=False)
            start = time.perf_counter()
            with torch.inference_mode():
                out = compiled(xl)
            compile_seconds = time.perf_counter() - start
        with torch.inference_mode():
            seconds = _median_seconds(lambda: compiled(xl), repeats)
            eager = optimized(xl)
        levers["compile"] = {"compile_seconds": round(compile_seconds, 1), "seconds": round(seconds, 3),
                             "speedup": round(ref_seconds / seconds, 2),
                             "max_abs_difference": float((out - eager).abs().max())}
    except Exception as exc:  # no C++ compiler, an unsupported platform: the eager path stands
        levers["compile"] = {"available": False, "reason": f"{type(exc).__name__}: {str(exc)[:200]}"}
    return levers


def run(quick: bool = False, progress: Callable[[str], Any] = print, *, threads: int = 0,
        weights: str | os.PathLike | None = None) -> dict[str, Any]:
    """Run the denoising benchmark and return its figures (JSON-ready)."""
    import skimage.data
    import torch

    from engines.core.summary import count_flops
    from engines.labs.denoise.methods import (
        add_noise,
        method_status,
        model_precision,
        prepare_model,
        run_baseline,
        run_model,
        score,
    )
    from engines.labs.denoise.weights import load_dncnn_weights
    from engines.models import build_model

    if threads:
        torch.set_num_threads(threads)
    threads = torch.get_num_threads()
    size = 128 if quick else 512
    repeats = 1 if quick else 3
    clean = skimage.data.camera()
    if size != clean.shape[0]:
        clean = clean[160:160 + size, 192:192 + size]
    noisy = add_noise(clean, SIGMA, seed=0)
    report: dict[str, Any] = {"suite": "denoise", "quick": quick, "threads": threads, "sigma": SIGMA,
                              "image": f"skimage camera {size}x{size} gray"}

    if weights is None and shared_data_dir() is not None:
        candidate = shared_data_dir() / "dncnn_weights" / "dncnn_25.pth"
        weights = candidate if candidate.is_file() else None
    if weights is not None:
        trained = load_dncnn_weights(weights).model
        weights_label = f"published {Path(weights).name}"
    else:
        trained = None
        weights_label = "untrained (random init): speed only, PSNR not meaningful"

    # The reference: the straightforward implementation, BN as separate layers (weights do not change speed).
    reference = build_model("dncnn_s").eval()
    source = trained if trained is not None else reference
    optimized_fp32 = prepare_model(source)
    optimized = prepare_model(source, precision="auto")  # as the application denoises
    precision = model_precision(optimized)
    x = torch.from_numpy(noisy)[None, None]
    flops = count_flops(reference, (1, size, size))

    def reference_pass():
        with torch.no_grad():
            return reference(x)

    progress(f"DnCNN-S reference (eager NCHW, BN unfused) on {size}² …")
    ref_seconds = _median_seconds(reference_pass, repeats)
    progress(f"DnCNN-S optimised (inference mode, channels-last, BN folded, {precision}) …")
    opt_seconds = _median_seconds(lambda: run_model(optimized, noisy, tile=None), repeats)
    restoration = run_model(optimized, noisy, tile=None)
    if precision == "fp32":
        fp32_seconds, restoration_fp32 = opt_seconds, restoration
    else:
        progress("DnCNN-S optimised in fp32 …")
        fp32_seconds = _median_seconds(lambda: run_model(optimized_fp32, noisy, tile=None), repeats)
        restoration_fp32 = run_model(optimized_fp32, noisy, tile=None)
    dncnn: dict[str, Any] = {
        "model": "dncnn_s", "weights": weights_label, "precision": precision,
        "reference_seconds": round(ref_seconds, 3), "optimized_seconds": round(opt_seconds, 3),
        "speedup": round(ref_seconds / opt_seconds, 2), "goal_speedup": GOAL_SPEEDUP,
        "fp32_seconds": round(fp32_seconds, 3), "fp32_speedup": round(ref_seconds / fp32_seconds, 2),
        "gflop_per_image": round(flops / 1e9, 1), "gflops_reference": round(flops / 1e9 / ref_seconds, 1),
        "gflops_optimized": round(flops / 1e9 / opt_seconds, 1),
    }
    psnr_changes = []
    if trained is not None:
        scores = score(clean, restoration.restored)
        dncnn.update(psnr=round(scores.psnr, 3), ssim=round(scores.ssim, 4))
        if precision != "fp32":
            change = scores.psnr - score(clean, restoration_fp32.restored).psnr
            dncnn["psnr_change_db"] = round(change, 4)
            psnr_changes.append(change)
            shared = shared_data_dir()
            if not quick and shared is not None and (shared / "set12").is_dir():
                progress(f"PSNR change of {precision} over Set12 …")
                change = set_psnr_change(shared / "set12", optimized, optimized_fp32)
                dncnn["set12_psnr_change_db"] = round(change, 4)
                psnr_changes.append(change)
    dncnn["goal_psnr_change_db"] = GOAL_PSNR_CHANGE
    dncnn["meets_goal"] = ref_seconds / opt_seconds >= GOAL_SPEEDUP and \
        all(abs(c) <= GOAL_PSNR_CHANGE for c in psnr_changes)
    report["dncnn"] = dncnn
    report["noisy_psnr"] = round(score(clean, noisy).psnr, 3)
    if quick:
        report["levers"] = {"skipped": "quick run"}
    else:
        progress("other lever: torch.compile …")
        report["levers"] = measure_levers(optimized_fp32, x, ref_seconds, repeats)

    baselines: dict[str, Any] = {}
    for name in ("nlm", "tv", "wavelet", "bm3d"):
        available, reason = method_status(name)
        if not available:
            baselines[name] = {"available": False, "reason": reason}
            continue
        if quick and name == "bm3d":
            baselines[name] = {"available": True, "skipped": "quick run (BM3D takes ~25 s per 512² image)"}
            continue
        progress(f"baseline {name} …")
        result = run_baseline(name, noisy, sigma=SIGMA)
        scores = score(clean, result.restored)
        baselines[name] = {"available": True, "seconds": round(result.seconds, 3), "psnr": round(scores.psnr, 3),
                           "ssim": round(scores.ssim, 4)}
    report["baselines"] = baselines
    bm3d = baselines.get("bm3d", {})
    if "seconds" in bm3d:
        faster = bm3d["seconds"] / opt_seconds
        gain = dncnn["psnr"] - bm3d["psnr"] if "psnr" in dncnn else None
        report["vs_bm3d"] = {"speedup": round(faster, 1), "psnr_gain_db": None if gain is None else round(gain, 3),
                             "goal_speedup": GOAL_BM3D_SPEEDUP,
                             "meets_goal": faster >= GOAL_BM3D_SPEEDUP and gain is not None and gain > 0}

    big, tile = (256, 128) if quick else (8000, 512)  # quick: still 4 tiles, for a smoke run
    progress(f"peak memory: {big}×{big} gray image through the tiled path (child process) …")
    report["large_image"] = measure_peak_memory(big, tile=tile, threads=threads, precision="auto")
    return report


def format_report(report: dict[str, Any]) -> str:
    d = report["dncnn"]
    lines = [
        f"denoise benchmark ({report['image']}, σ={report['sigma']:g}, {report['threads']} threads"
        f"{', quick' if report['quick'] else ''})",
        f"  DnCNN-S reference  {d['reference_seconds']:.3f} s  ({d['gflops_reference']} GFLOP/s)",
        f"  DnCNN-S optimised  {d['optimized_seconds']:.3f} s  ({d['gflops_optimized']} GFLOP/s, {d['precision']})  "
        f"speed-up {d['speedup']}× (goal ≥ {d['goal_speedup']}× with PSNR within {d['goal_psnr_change_db']} dB: "
        f"{'met' if d['meets_goal'] else 'missed'})",
        f"  weights: {d['weights']}" + (f"; PSNR {d['psnr']:.2f} dB, SSIM {d['ssim']:.4f}" if "psnr" in d else ""),
    ]
    if d["precision"] != "fp32":
        changes = "".join(f", {label} {d[key]:+.4f} dB" for key, label in
                          (("psnr_change_db", "PSNR change on this image"), ("set12_psnr_change_db", "on Set12"))
                          if key in d)
        lines.append(f"  DnCNN-S fp32       {d['fp32_seconds']:.3f} s  speed-up {d['fp32_speedup']}×{changes}")
    levers = report.get("levers", {})
    for name in ("compile",):
        lever = levers.get(name)
        if not lever:
            continue
        if "seconds" not in lever:
            lines.append(f"  {name:<8} not measured: {lever['reason']}")
            continue
        extra = (f", compiled in {lever['compile_seconds']} s" if "compile_seconds" in lever else "") + \
            (f", PSNR change {lever['psnr_change_db']:+.4f} dB" if "psnr_change_db" in lever else "")
        lines.append(f"  DnCNN-S {name:<8} {lever['seconds']:.3f} s  speed-up {lever['speedup']}×{extra}")
    for name, b in report["baselines"].items():
        if "seconds" in b:
            lines.append(f"  {name:<8} {b['seconds']:.3f} s  PSNR {b['psnr']:.2f} dB  SSIM {b['ssim']:.4f}")
        else:
            lines.append(f"  {name:<8} {b.get('reason') or b.get('skipped')}")
    if "vs_bm3d" in report:
        v = report["vs_bm3d"]
        lines.append(f"  vs BM3D: {v['speedup']}× faster, PSNR gain {v['psnr_gain_db']} dB "
                     f"(goal ≥ {v['goal_speedup']}× with higher PSNR: {'met' if v['meets_goal'] else 'missed'})")
    big = report["large_image"]
    if "error" in big:
        lines.append(f"  {big['size']}² tiled: {big['error']}")
    else:
        lines.append(f"  {big['size']}² tiled: {big['seconds']} s, peak RSS {big['peak_rss_gb']} GB "
                     f"(goal ≤ {big['goal_gb']} GB: {'met' if big['meets_goal'] else 'missed'})")
    return "\n".join(lines)


if __name__ == "__main__":  # python -m workbench.labs.denoise.bench [--quick] [--json]
    result = run(quick="--quick" in sys.argv, progress=lambda m: print(m, file=sys.stderr, flush=True))
    from workbench.jsonout import dumps

    print(dumps(result) if "--json" in sys.argv else format_report(result))
