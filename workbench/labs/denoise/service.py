"""The denoising lab's application core (no widgets): importing weights as runs, picking a denoiser,
denoising files into an output folder. The CLI (``workbench.labs.denoise.cli``) and the window share it.

Imported weights become an ordinary run: task ``denoise``, status ``finished``, epoch 0, with a checkpoint in
the workbench's own format (``runs/<id>/checkpoints/last.pt``: ``model_spec`` + state dict + fresh optimizer
state), so ``engines.models.load_trained_model`` rebuilds it, the runs browser lists it, and
``workbench resume ID --epochs N`` fine-tunes it.
"""
from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from workbench import paths


class DenoiseSetupError(ValueError):
    """A run or weights file cannot serve as a denoiser; the message says why."""


@dataclass(frozen=True)
class ImportedRun:
    run_id: int
    checkpoint: str
    model: str
    options: dict[str, Any]
    source_format: str
    sha256: str
    params: int

    def to_json(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "checkpoint": self.checkpoint, "model": self.model, "options": self.options,
                "format": self.source_format, "sha256": self.sha256, "params": self.params}


def _guess_noise(filename: str) -> tuple[float, bool]:
    """(σ, blind) from published file names: ``dncnn_25.pth``, ``sigma=15.mat``, ``GD_Gray_Blind.mat``."""
    if "blind" in filename.lower():
        return 25.0, True
    match = re.search(r"(?:sigma\s*=?\s*|dncnn_?)(\d+(?:\.\d+)?)", filename, re.IGNORECASE)
    return (float(match.group(1)), False) if match else (25.0, False)


def import_weights(path: str | os.PathLike, *, name: str = "", store=None) -> ImportedRun:
    """Import a weights file (see :mod:`engines.labs.denoise.weights`) as a finished ``denoise`` run.

    Raises :class:`engines.labs.denoise.weights.WeightsError` for files that are not DnCNN weights (nothing is recorded).
    """
    from engines.core.checkpoint import save_checkpoint
    from engines.core.summary import count_flops, count_parameters
    from engines.labs.denoise.task import DenoiseConfig, checkpoint_for_model
    from engines.labs.denoise.weights import load_dncnn_weights
    from workbench.store import RunStore

    source = Path(path).expanduser().resolve()
    imported = load_dncnn_weights(source)
    sigma, blind = _guess_noise(source.name)
    config = DenoiseConfig(model=imported.model_name, model_options=dict(imported.options), sigma=sigma,
                           blind=blind, device="cpu").validate()
    own_store = store is None
    store = store or RunStore()
    try:
        run_id = store.create_run(task="denoise", model=imported.model_name, dataset="imported",
                                  config=config.to_dict(), seed=config.seed, device="cpu",
                                  name=name or f"{source.name} (imported)", tags=("imported",))
        try:
            checkpoint = paths.checkpoint_dir(run_id) / "last.pt"
            save_checkpoint(checkpoint_for_model(config, imported.model, imported.spec), checkpoint)
            params = count_parameters(imported.model)
            flops = count_flops(imported.model, (imported.options.get("channels", 1), 40, 40))
            now = time.time()
            store.update_run(run_id, params=params, flops=flops, checkpoint=str(checkpoint), started_at=now,
                             summary={"metrics": {}, "imported_from": str(source), "format": imported.source_format,
                                      "sha256": imported.sha256})
            store.add_artifact(run_id, "checkpoint", str(checkpoint))
            store.add_artifact(run_id, "imported_weights", str(source))
            store.set_status(run_id, "finished")
        except BaseException:
            store.delete_run(run_id)
            raise
    finally:
        if own_store:
            store.close()
    return ImportedRun(run_id, str(checkpoint), imported.model_name, dict(imported.options),
                       imported.source_format, imported.sha256, params)


@dataclass
class Denoiser:
    """A network ready for :func:`engines.labs.denoise.methods.run_model`, and where it came from."""

    model: Any
    label: str
    spec: dict[str, Any] = field(default_factory=dict)


def load_denoiser(*, weights: str | os.PathLike | None = None, run_id: int | None = None, store=None) -> Denoiser:
    """The DnCNN in a weights file or a recorded run's checkpoint (prepared for fast inference).

    Raises :class:`DenoiseSetupError` (or ``WeightsError``, also a ``ValueError``) with a one-line reason,
    and ``workbench.store.UnknownRun`` for an unknown run id.
    """
    from engines.core.checkpoint import CheckpointError
    from engines.labs.denoise.methods import prepare_model
    from engines.labs.denoise.weights import load_dncnn_weights
    from engines.models import load_trained_model
    from engines.models.dncnn import DnCNN
    from workbench.store import RunStore

    if (weights is None) == (run_id is None):
        raise DenoiseSetupError("give either a weights file or a run id")
    if weights is not None:
        imported = load_dncnn_weights(weights)
        return Denoiser(prepare_model(imported.model), f"{Path(weights).name} ({imported.model_name})",
                        imported.spec)
    own_store = store is None
    store = store or RunStore()
    try:
        run = store.get_run(run_id)
    finally:
        if own_store:
            store.close()
    if run.task != "denoise":
        raise DenoiseSetupError(f"run {run_id} is a {run.task!r} run, not a denoising model")
    if not run.checkpoint or not Path(run.checkpoint).is_file():
        raise DenoiseSetupError(f"run {run_id} has no checkpoint to denoise with")
    try:
        model = load_trained_model(run.checkpoint)
    except (CheckpointError, ValueError, KeyError, RuntimeError) as exc:
        raise DenoiseSetupError(f"run {run_id}: cannot load its model ({exc})") from None
    if not isinstance(model, DnCNN):
        raise DenoiseSetupError(f"run {run_id} holds model {run.model!r}, not a DnCNN")
    return Denoiser(prepare_model(model), f"run {run_id} ({run.model})", {"name": run.model})


# -- batch denoising of files ----------------------------------------------------------------------------
@dataclass(frozen=True)
class FileResult:
    """One input file: where its result went, or why it failed. Scores only with synthetic noise."""

    source: str
    output: str | None = None
    error: str | None = None
    seconds: float = 0.0
    psnr: float | None = None
    ssim: float | None = None
    noisy_psnr: float | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_json(self) -> dict[str, Any]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def expand_inputs(inputs: Iterable[str | os.PathLike]) -> list[Path]:
    """Files as given, folders as their images (sorted); missing paths are kept so they get reported."""
    from engines.labs.denoise.images import list_images

    expanded: list[Path] = []
    for item in inputs:
        path = Path(item).expanduser()
        expanded.extend(list_images(path) if path.is_dir() else [path])
    return expanded


def output_path(source: Path, out_dir: Path, method: str, *, color: bool, bit_depth: int, alpha: bool,
                taken: set[Path]) -> Path:
    """``OUT/<stem>.<method><suffix>``, never one of ``taken`` (the inputs and earlier outputs)."""
    from engines.labs.denoise.images import output_suffix

    suffix = output_suffix(source.suffix, color=color, bit_depth=bit_depth, alpha=alpha)
    candidate = out_dir / f"{source.stem}.{method}{suffix}"
    counter = 1
    while candidate.resolve() in taken:
        candidate = out_dir / f"{source.stem}.{method}-{counter}{suffix}"
        counter += 1
    return candidate


def denoise_files(inputs: Iterable[str | os.PathLike], out_dir: str | os.PathLike, *, method: str = "dncnn",
                  sigma: float, model=None, add_noise: bool = False, seed: int = 0, tile: int | None = 512,
                  should_stop: Callable[[], bool] | None = None) -> Iterator[FileResult]:
    """Denoise every input into ``out_dir``; a bad file yields a result with ``error`` and the batch goes on.

    With ``add_noise`` the inputs are treated as clean: σ noise (seeded) is added first, and PSNR/SSIM of the
    result against the original are reported. Results keep the source's bit depth and alpha. Originals are
    never overwritten. Stops between files when ``should_stop()`` is true.
    """
    from engines.labs.denoise import methods as denoise
    from engines.labs.denoise.images import ImageError, load_image, save_image

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    sources = expand_inputs(inputs)
    taken = {p.resolve() for p in sources}
    for source in sources:
        if should_stop is not None and should_stop():
            return
        try:
            image = load_image(source)
            noisy = denoise.add_noise(image, sigma, seed) if add_noise else image.pixels
            result = denoise.restore(method, noisy, sigma=sigma, model=model)
            target = output_path(source, out_dir, method, color=image.is_color, bit_depth=image.bit_depth,
                                 alpha=image.alpha is not None, taken=taken)
            save_image(target, result.restored, bit_depth=image.bit_depth, alpha=image.alpha)
            taken.add(target.resolve())
            scores = noisy_scores = None
            if add_noise:
                scores, noisy_scores = denoise.score(image, result.restored), denoise.score(image, noisy)
            yield FileResult(str(source), str(target), None, result.seconds,
                             scores.psnr if scores else None, scores.ssim if scores else None,
                             noisy_scores.psnr if noisy_scores else None)
        except ImageError as exc:  # its message names the file already
            yield FileResult(str(source), error=str(exc))
        except ValueError as exc:  # e.g. a colour image for a model that cannot take it
            yield FileResult(str(source), error=f"{source}: {exc}")
        except MemoryError:
            yield FileResult(str(source), error=f"{source}: not enough memory to denoise this image")
