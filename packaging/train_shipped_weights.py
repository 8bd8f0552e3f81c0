"""Train the shipped DnCNN weights (DnCNN-S σ = 15/25/50 and DnCNN-B) side by side on one GPU, within a time
budget, and ship each finished run into a weights folder (files + manifest entries).

    python packaging/train_shipped_weights.py --data ../shared/data --budget 420 --out build/shipped-weights

``--data`` holds ``train400/`` (training) and ``set12/`` (the validation PSNR each epoch reports). The four
``workbench train`` runs use the paper's protocol (REFERENCE.md): 40×40 patches, 128×1,600 of them per epoch for
DnCNN-S (``data.max_patches=204800``, an evenly spread subset of Train400's patch positions × 8 flips and
rotations, the same every epoch), 50×50 and 128×3,000 for the 20-layer blind DnCNN-B (σ uniform in [0, 55]);
batch 128, Adam at 1e-3 dropped ×0.1 after 60 % of the epochs (the paper: after 30 of 50).

How many epochs fit is measured, not guessed: a calibration round runs the four side by side for
``--calibrate-steps`` steps and reads each run's steady step rate from its recorded step times (the last three
quarters of the steps, so start-up, worker spin-up and cuDNN's algorithm search do not count: the run's overall
throughput read half the steady rate on an H200); each model then gets the most epochs that fit ``--budget``
seconds at that rate (at most the paper's 50); ``--epochs N`` skips the calibration and trains every job N
epochs. The commands are printed and recorded verbatim in the manifest (``workbench ship-weights --command``),
so anyone can rerun them.

Each run records into its own workbench home under ``--out``; ``--out/weights`` ends with ``manifest.json`` and
one file per model, ready to merge into ``assets/weights`` (the entries carry their sha256). ``--out/summary.json``
lists the commands, epochs, seconds and final validation PSNRs. No Qt; runs from a source checkout
(``PYTHONPATH`` is set to it) or an installed ``workbench``.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BATCH = 128


@dataclass(frozen=True)
class Job:
    name: str  # manifest name
    title: str
    model: str
    patches_per_epoch: int
    patch_size: int
    options: tuple[str, ...]  # extra --set options

    @property
    def steps_per_epoch(self) -> int:
        return math.ceil(self.patches_per_epoch / BATCH)


JOBS = (
    Job("dncnn_s_sigma15", "DnCNN-S σ=15, Train400", "dncnn_s", 128 * 1600, 40, ("sigma=15",)),
    Job("dncnn_s_sigma25", "DnCNN-S σ=25, Train400", "dncnn_s", 128 * 1600, 40, ("sigma=25",)),
    Job("dncnn_s_sigma50", "DnCNN-S σ=50, Train400", "dncnn_s", 128 * 1600, 40, ("sigma=50",)),
    Job("dncnn_b_blind", "DnCNN-B (blind σ ∈ [0, 55]), Train400", "dncnn_b", 128 * 3000, 50,
        ("blind=true", "sigma_min=0", "sigma_max=55", "sigma=25")),
)


def train_args(job: Job, *, data: Path, epochs: int, device: str, workers: int, max_steps: int = 0,
               patches: int = 0, precision: str = "fp32") -> list[str]:
    """The ``workbench train`` arguments (after ``workbench``) of one job."""
    # One ×0.1 drop after 60 % of the epochs, and always before the last one (2 epochs: after the first).
    step_size = max(1, min(math.ceil(0.6 * epochs), epochs - 1))
    args = ["train", "--task", "denoise", "--model", job.model, "--data", "image_folder",
            "--set", f"data.root={data / 'train400'}", "--set", f"val_data={data / 'set12'}",
            "--set", f"data.patch_size={job.patch_size}",
            "--set", f"data.max_patches={patches or job.patches_per_epoch}"]
    for option in job.options:
        args += ["--set", option]
    args += ["--epochs", str(epochs), "--batch-size", str(BATCH), "--lr", "1e-3", "--set", "scheduler=step",
             "--set", f"step_size={step_size}", "--set", f"num_workers={workers}", "--seed", "0",
             "--device", device]
    if precision != "fp32":
        args += ["--set", f"precision={precision}"]
    if max_steps:
        args += ["--set", f"max_steps={max_steps}"]
    return args + ["--name", job.title, "--json", "--no-progress"]


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ, WORKBENCH_HOME=str(home), WORKBENCH_PRETRAINED="off", PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    return env


def run_side_by_side(commands: dict[str, tuple[list[str], Path]], log, timeout: float) -> dict[str, dict]:
    """Start every ``workbench`` command at once; each one's final JSON line (or an error) by job name."""
    procs = {}
    for name, (args, home) in commands.items():
        home.mkdir(parents=True, exist_ok=True)
        log.write(f"$ workbench {shlex.join(args)}\n")
        procs[name] = subprocess.Popen([sys.executable, "-m", "workbench", *args], env=_env(home),
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + timeout
    results = {}
    for name, proc in procs.items():
        try:
            out, _ = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
            out += "\n(killed: over the time limit)"
        log.write(f"--- {name} (exit {proc.returncode})\n{out[-4000:]}\n")
        log.flush()
        last = out.strip().splitlines()[-1] if out.strip() else ""
        try:
            results[name] = json.loads(last)
        except json.JSONDecodeError:
            results[name] = {"status": "error", "message": last or f"exit code {proc.returncode}"}
    return results


def steady_rate(home: Path, run_id: int) -> float:
    """Steps per second over the last three quarters of a recorded run's steps (0 when it cannot be read)."""
    import csv
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "points.csv"
        done = subprocess.run([sys.executable, "-m", "workbench", "export", str(run_id), "--csv", str(out)],
                              capture_output=True, text=True, env=_env(home))
        if done.returncode != 0 or not out.is_file():
            return 0.0
        with open(out, newline="", encoding="utf-8") as fh:
            steps = sorted((int(r["step"]), float(r["wall_time"])) for r in csv.DictReader(fh) if r["name"] == "loss")
    if len(steps) < 8:
        return 0.0
    (first, t0), (last, t1) = steps[len(steps) // 4], steps[-1]
    return (last - first) / (t1 - t0) if t1 > t0 else 0.0


def plan_epochs(job: Job, steps_per_s: float, budget: float, *, min_epochs: int, max_epochs: int) -> int:
    affordable = steps_per_s * budget * 0.9  # 10 % for start-up and the per-epoch validation
    return max(min_epochs, min(max_epochs, int(affordable // job.steps_per_epoch)))


def calibrate(jobs: list[Job], args, data: Path, out: Path, log, rates: dict[str, float]) -> dict[str, int] | None:
    """Epochs per job from a short side-by-side round's steady step rates, each put in ``rates`` (None when a run
    fails)."""
    homes = {j.name: out / "calibration" / j.name for j in jobs}
    calibration = run_side_by_side(
        {j.name: (train_args(j, data=data, epochs=1, device=args.device, workers=args.workers,
                             max_steps=args.calibrate_steps, patches=args.patches, precision=args.precision),
                             homes[j.name]) for j in jobs},
        log, timeout=300)
    plans = {}
    for job in jobs:
        result = calibration[job.name]
        if result.get("status") not in ("finished", "stopped"):
            print(f"calibration of {job.name} failed: {result}", file=sys.stderr)
            return None
        overall = float(result.get("metrics", {}).get("throughput", 0.0)) / BATCH
        rate = steady_rate(homes[job.name], int(result["run_id"])) or overall
        if rate <= 0:
            print(f"calibration of {job.name} measured no steps: {result}", file=sys.stderr)
            return None
        rates[job.name] = rate
        plans[job.name] = plan_epochs(job, rate, args.budget, min_epochs=args.min_epochs,
                                      max_epochs=args.max_epochs)
        print(f"{job.name}: {rate:.1f} steps/s side by side (overall {overall:.1f}) → {plans[job.name]} epochs",
              flush=True)
    return plans


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data",
                   help="folder with train400/ and set12/ (default: ../shared/data)")
    p.add_argument("--out", type=Path, default=ROOT / "build" / "shipped-weights")
    p.add_argument("--budget", type=float, default=420.0, help="seconds of training for the four runs together")
    p.add_argument("--device", default="cuda")
    p.add_argument("--timeout", type=float, default=0.0,
                   help="seconds after which unfinished training runs are killed (default: 1.5 × budget + 120)")
    p.add_argument("--workers", type=int, default=3, help="DataLoader workers per run")
    p.add_argument("--calibrate-steps", type=int, default=200)
    p.add_argument("--epochs", type=int, default=0, help="train every job this many epochs (no calibration)")
    p.add_argument("--min-epochs", type=int, default=2)
    p.add_argument("--max-epochs", type=int, default=50)
    p.add_argument("--precision", choices=("fp32", "bf16"), default="fp32",
                   help="arithmetic of the training steps (bf16: autocast; weights stay fp32)")
    p.add_argument("--only", nargs="*", default=None, help="job names to run (default: all four)")
    p.add_argument("--merge", type=Path, metavar="WEIGHTS_DIR",
                   help="instead of training: copy a finished --out/weights folder's files and manifest entries "
                        "into assets/weights (sha256-checked)")
    p.add_argument("--patches", type=int, default=0,
                   help="patches per epoch for every job instead of the paper's (quick checks only)")
    args = p.parse_args(argv)
    if args.merge:
        sys.path.insert(0, str(ROOT))
        from workbench.pretrained import merge_shipped

        for entry in merge_shipped(args.merge, ROOT / "assets" / "weights"):
            print(f"merged {entry.name} ({entry.file}, {entry.bytes / 1e6:.1f} MB)")
        return 0
    data, out = args.data.resolve(), args.out.resolve()
    for sub in ("train400", "set12"):
        if not (data / sub).is_dir():
            p.error(f"{data / sub} is missing (--data must hold train400/ and set12/)")
    jobs = [j for j in JOBS if args.only is None or j.name in args.only]
    if not jobs:
        p.error(f"--only names none of: {', '.join(j.name for j in JOBS)}")
    out.mkdir(parents=True, exist_ok=True)
    weights = out / "weights"
    summary: dict = {"device": args.device, "budget_s": args.budget, "jobs": {}}
    started = time.monotonic()
    with open(out / "train.log", "a", encoding="utf-8") as log:
        rates: dict[str, float] = {}
        plans = {job.name: args.epochs for job in jobs} if args.epochs else calibrate(jobs, args, data, out, log, rates)
        if plans is None:
            return 1
        for job in jobs:
            summary["jobs"][job.name] = {"epochs": plans[job.name]} | (
                {"calibration_steps_per_s": round(rates[job.name], 2)} if job.name in rates else {})
        summary["calibration_s"] = round(time.monotonic() - started, 1)
        commands = {j.name: (train_args(j, data=data, epochs=plans[j.name], device=args.device,
                                        workers=args.workers, patches=args.patches, precision=args.precision),
                             out / "homes" / j.name)
                    for j in jobs}
        results = run_side_by_side(commands, log, timeout=args.timeout or args.budget * 1.5 + 120)
        failed = 0
        for job in jobs:
            result, (train, home) = results[job.name], commands[job.name]
            shown = "workbench " + shlex.join(train).replace(str(data), "../shared/data")
            entry = summary["jobs"][job.name] | {"command": shown, "result": result}
            if result.get("status") != "finished":
                failed += 1
                summary["jobs"][job.name] = entry
                continue
            ship = ["ship-weights", str(result["run_id"]), "--name", job.name, "--title", job.title,
                    "--command", shown, "--replace"]
            done = subprocess.run([sys.executable, "-m", "workbench", *ship], capture_output=True, text=True,
                                  env=_env(home) | {"WORKBENCH_WEIGHTS": str(weights)})
            log.write(f"$ workbench {shlex.join(ship)}\n{done.stdout}{done.stderr}\n")
            entry["shipped"] = done.returncode == 0
            failed += done.returncode != 0
            summary["jobs"][job.name] = entry
            print(f"{job.name}: {result['status']}, val_psnr {result['metrics'].get('val_psnr', float('nan')):.2f} dB "
                  f"in {result['seconds']:.0f} s; shipped: {entry['shipped']}", flush=True)
    summary["seconds"] = round(time.monotonic() - started, 1)
    (out / "summary.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False), encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
