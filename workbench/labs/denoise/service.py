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

    given = Path(path).expanduser()
    imported = load_dncnn_weights(given)  # before resolving: a link loop is reported by the name given
    source = given.resolve()
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


def load_denoiser(*, weights: str | os.PathLike | None = None, run_id: int | None = None, store=None,
                  precision: str = "fp32") -> Denoiser:
    """The DnCNN in a weights file or a recorded run's checkpoint (prepared for fast inference in ``precision``:
    ``fp32``, ``bf16`` or ``auto``, see :func:`engines.labs.denoise.methods.inference_precision`).

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
        return Denoiser(prepare_model(imported.model, precision=precision),
                        f"{Path(weights).name} ({imported.model_name})",
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
    return Denoiser(prepare_model(model, precision=precision), f"run {run_id} ({run.model})", {"name": run.model})


# -- batch denoising of files ----------------------------------------------------------------------------
@dataclass(frozen=True)
class BatchMethod:
    """One way to denoise the files of a batch.

    ``method`` is an :mod:`engines.labs.denoise.methods` name; ``dncnn`` needs ``model`` (a prepared network)
    or ``load`` (a function returning it, called when a file first needs it, so a run that cannot be loaded
    is reported per file like any other failure). ``tag`` is the method part of output names
    (``<stem>.<tag><suffix>``), ``label`` the name in messages; both default to ``method``.
    """

    method: str
    tag: str = ""
    label: str = ""
    model: Any = None
    load: Callable[[], Any] | None = None

    @property
    def file_tag(self) -> str:
        return self.tag or self.method

    @property
    def name(self) -> str:
        return self.label or self.method


@dataclass
class MethodOutcome:
    """One method's result on one file: the restoration, its scores (synthetic noise only), where it went."""

    method: BatchMethod
    restoration: Any  # engines.labs.denoise.methods.Restoration
    psnr: float | None = None
    ssim: float | None = None
    ssim_map: Any = None  # (H, W) array when asked for and the original is known
    output: str | None = None


@dataclass
class FileDenoised:
    """One input of a batch. ``error``: the file could not be read (nothing else is set); ``failures``: the
    methods or writes that failed on it (``"<label>: <reason>"`` or the write's message), the others' results
    are in ``results``. Arrays are the image's own (float in [0, 1]); ``clean`` only with synthetic noise."""

    source: str
    error: str | None = None
    image: Any = None  # engines.labs.denoise.images.LoadedImage
    noisy: Any = None
    clean: Any = None
    sigma: float = 0.0  # the σ the baselines were given (estimated when asked)
    noisy_psnr: float | None = None
    results: list[MethodOutcome] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. "page 1 of 3 used", "a.dncnn.png exists; kept it"

    @property
    def ok(self) -> bool:
        return self.error is None and not self.failures

    @property
    def outputs(self) -> list[str]:
        return [r.output for r in self.results if r.output is not None]


def estimate_sigma(noisy) -> float:
    """σ on the 8-bit scale from the image itself (wavelet MAD estimate), for images of unknown noise."""
    from skimage.restoration import estimate_sigma as estimate

    value = estimate(noisy, average_sigmas=True, channel_axis=-1 if noisy.ndim == 3 else None)
    return max(float(value) * 255.0, 1.0)


def expand_inputs(inputs: Iterable[str | os.PathLike]) -> list[Path]:
    """Files as given, folders as their images (sorted); missing paths and folders without images are kept
    so they get reported."""
    from engines.labs.denoise.images import ImageError, list_images

    expanded: list[Path] = []
    for item in inputs:
        path = Path(item).expanduser()
        try:
            found = list_images(path) if path.is_dir() else []
        except ImageError:  # an unreadable folder
            found = []
        # a folder without (readable) images stays in the list, so that it is reported by name
        expanded.extend(found or [path])
    return expanded


def _real(path: Path) -> Path:
    """``path`` with links resolved as far as they go (``Path.resolve`` raises on a link loop)."""
    return Path(os.path.realpath(path))


def output_path(source: Path, out_dir: Path, method: str, *, color: bool, bit_depth: int, alpha: bool,
                taken: set[Path]) -> Path:
    """``OUT/<stem>.<method><suffix>``, or ``<stem>.<method>-1<suffix>``, ``-2``, … when that name is one of
    ``taken`` (the inputs and earlier outputs) or exists (a file, a folder, even a dangling link): nothing
    is ever overwritten. :func:`denoise_batch` writes with ``save_image(..., overwrite=False)``, so a file
    created under the name after this check is kept too, and the next free name is taken."""
    from engines.labs.denoise.images import output_suffix

    suffix = output_suffix(source.suffix, color=color, bit_depth=bit_depth, alpha=alpha)
    candidate = out_dir / f"{source.stem}.{method}{suffix}"
    counter = 1
    while _real(candidate) in taken or os.path.lexists(candidate):
        candidate = out_dir / f"{source.stem}.{method}-{counter}{suffix}"
        counter += 1
    return candidate


def prepare_output_folder(out_dir: str | os.PathLike) -> Path:
    """Create ``out_dir`` if needed and check that files can be written there (a read-only mount, a path
    under a file): :class:`DenoiseSetupError` naming the folder, before any work is done."""
    import tempfile

    folder = Path(out_dir).expanduser()
    if os.path.lexists(folder) and not folder.is_dir():
        raise DenoiseSetupError(f"{folder}: exists and is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise DenoiseSetupError(f"{folder}: cannot write to the output folder ({exc.strerror or exc})") from None
    return folder


def denoise_batch(inputs: Iterable[str | os.PathLike], methods: list[BatchMethod], *, sigma: float,
                  out_dir: str | os.PathLike | None = None, add_noise: bool = False, seed: int = 0,
                  estimate_unknown_sigma: bool = False, ssim_maps: bool = False, tile: int | None = 512,
                  images: dict | None = None, should_stop: Callable[[], bool] | None = None,
                  progress: Callable[[float, int], None] | None = None, ssim: str = "gaussian",
                  noise: str = "seeded") -> Iterator[FileDenoised]:
    """Denoise every input (files, and folders as their images) with every method: one result per file.

    The one batch pipeline of the lab, run by ``workbench denoise`` and by the window's worker.
    With ``add_noise`` the inputs are treated as clean: σ noise (seeded) is added first and PSNR/SSIM of each
    result against the original are reported (with SSIM maps when ``ssim_maps``); ``noise`` names the generator
    (``seeded`` | ``kair``) and ``ssim`` the window (``gaussian`` | ``uniform``), as in ``eval-denoise``. The
    baselines get σ, or an
    estimate from each image when σ is 0 and ``estimate_unknown_sigma``. With ``out_dir`` every result is
    written there in the source's bit depth and alpha; originals and existing files are never overwritten
    (see :func:`output_path`). ``images`` maps inputs to images already in memory (``LoadedImage``).

    One error policy: a file that cannot be read yields its message as ``error`` and the batch goes on; a
    method or a write that fails is listed in ``failures`` and the other methods go on. ``should_stop()`` is
    checked between files, methods and a network's tiles: a file stopped part-way is yielded with the
    results it has, then the batch ends. ``progress(done, total)`` counts (file, method) pairs, fractional
    within a tiled network.
    """
    from engines.labs.denoise import methods as denoise
    from engines.labs.denoise.images import ImageError, load_image

    denoise.check_ssim_window(ssim)
    denoise.check_noise_mode(noise)
    sources = expand_inputs(inputs)
    images = images or {}
    stop = should_stop or (lambda: False)
    if out_dir is not None:
        out_dir = Path(out_dir).expanduser()
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            reason = f"{out_dir}: cannot create the output folder ({exc.strerror or exc})"
            for source in sources:
                yield FileDenoised(str(source), error=reason)
            return
    taken = {_real(p) for p in sources}
    total = len(sources) * max(len(methods), 1)
    for index, source in enumerate(sources):
        if stop():
            return
        if source.is_dir():
            yield FileDenoised(str(source), error=f"{source}: a folder without PNG, JPEG, TIFF or BMP images")
            continue
        try:
            image = images.get(str(source)) or load_image(source)
            noisy = denoise.add_noise(image, sigma, seed, noise=noise) if add_noise else image.pixels
        except ImageError as exc:  # its message names the file already
            yield FileDenoised(str(source), error=str(exc))
            continue
        except MemoryError:
            yield FileDenoised(str(source), error=f"{source}: not enough memory to denoise this image")
            continue
        except (OSError, ValueError) as exc:
            yield FileDenoised(str(source), error=f"{source}: {exc}")
            continue
        outcome = FileDenoised(str(source), image=image, noisy=noisy, clean=image.pixels if add_noise else None,
                               sigma=sigma if sigma > 0 or not estimate_unknown_sigma else estimate_sigma(noisy))
        if image.info.get("note"):
            outcome.notes.append(image.info["note"])
        if add_noise and denoise.ssim_note(image.shape, ssim):
            outcome.notes.append(denoise.ssim_note(image.shape, ssim))
        if add_noise:
            outcome.noisy_psnr = denoise.score(image, noisy, ssim=ssim).psnr
        cancelled = False
        for m, method in enumerate(methods):
            if stop():
                cancelled = True
                break
            base = index * len(methods) + m
            try:
                result = _restore(method, noisy, outcome.sigma, tile, stop,
                                  None if progress is None else (lambda d, t, b=base: progress(b + d / t, total)))
            except denoise.DenoiseCancelled:
                cancelled = True
                break
            except MemoryError:
                outcome.failures.append(f"{method.name}: not enough memory to denoise this image")
                continue
            except (ValueError, RuntimeError, OSError, KeyError, ArithmeticError) as exc:  # e.g. colour for a
                # gray-only model, or σ = 0 for total variation
                outcome.failures.append(f"{method.name}: {exc}")
                continue
            if progress is not None:
                progress(base + 1, total)
            done = MethodOutcome(method, result)
            if add_noise:
                scores = denoise.score(image, result.restored, ssim=ssim)
                done.psnr, done.ssim = scores.psnr, scores.ssim
                if ssim_maps:
                    done.ssim_map = denoise.ssim_map(image, result.restored, ssim=ssim)
            if out_dir is not None:
                done.output = _write(source, out_dir, method, image, result.restored, taken, outcome)
            outcome.results.append(done)
        yield outcome
        if cancelled:
            return


def _restore(method: BatchMethod, noisy, sigma: float, tile: int | None, should_stop, progress):
    from engines.labs.denoise import methods as denoise

    if method.method != "dncnn":
        return denoise.run_baseline(method.method, noisy, sigma=sigma)
    model = method.model if method.model is not None else (method.load() if method.load is not None else None)
    return denoise.restore("dncnn", noisy, sigma=sigma, model=model, tile=tile, should_stop=should_stop,
                           progress=progress)


def _write(source: Path, out_dir: Path, method: BatchMethod, image, restored, taken: set[Path],
           outcome: FileDenoised) -> str | None:
    """Save one result under a fresh name; a failed write is added to ``outcome.failures``, a name other
    than the first choice to ``outcome.notes``."""
    from engines.labs.denoise.images import ImageError, save_image

    for _ in range(1000):
        try:
            target = output_path(source, out_dir, method.file_tag, color=image.is_color,
                                 bit_depth=image.bit_depth, alpha=image.alpha is not None, taken=taken)
            save_image(target, restored, bit_depth=image.bit_depth, alpha=image.alpha, overwrite=False)
        except FileExistsError:  # created by someone else since output_path looked: keep it, take the next
            taken.add(_real(target))
            continue
        except ImageError as exc:  # names the file
            outcome.failures.append(str(exc))
            return None
        except OSError as exc:
            outcome.failures.append(f"{out_dir}: {exc}")
            return None
        break
    else:
        outcome.failures.append(f"{out_dir}: no free output name for {source.name}")
        return None
    taken.add(_real(target))
    wanted = f"{source.stem}.{method.file_tag}{target.suffix}"
    if target.name != wanted:
        outcome.notes.append(f"{wanted} already exists; kept it and wrote {target.name}")
    return str(target)


@dataclass(frozen=True)
class FileResult:
    """One input file of :func:`denoise_files`: where its result went, or why it failed. Scores only with
    synthetic noise."""

    source: str
    output: str | None = None
    error: str | None = None
    seconds: float = 0.0
    psnr: float | None = None
    ssim: float | None = None
    noisy_psnr: float | None = None
    notes: tuple[str, ...] = ()
    shape: tuple[int, ...] = ()
    ssim_window: str = "gaussian"

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_json(self) -> dict[str, Any]:
        """Plain values; a score that is not a finite number gets a ``<key>_note`` saying why (the JSON writer
        turns the number into null)."""
        from engines.labs.denoise.methods import psnr_note, ssim_note

        data: dict[str, Any] = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.__dict__.items()
                                if k != "shape"}
        data["notes"] = list(self.notes)
        for key, note in (("psnr", self.psnr is not None and psnr_note(self.psnr)),
                          ("noisy_psnr", self.noisy_psnr is not None and psnr_note(self.noisy_psnr, noisy=True)),
                          ("ssim", self.ssim is not None and self.ssim != self.ssim and ssim_note(self.shape, self.ssim_window))):
            if note:
                data[f"{key}_note"] = note
        return data


def denoise_files(inputs: Iterable[str | os.PathLike], out_dir: str | os.PathLike, *, method: str = "dncnn",
                  sigma: float, model=None, add_noise: bool = False, seed: int = 0, tile: int | None = 512,
                  should_stop: Callable[[], bool] | None = None, ssim: str = "gaussian",
                  noise: str = "seeded") -> Iterator[FileResult]:
    """:func:`denoise_batch` with one method into ``out_dir``, one flat :class:`FileResult` per file (the CLI's
    records); a file that failed has its messages, joined, in ``error``."""
    for item in denoise_batch(inputs, [BatchMethod(method, model=model)], sigma=sigma, out_dir=out_dir,
                              add_noise=add_noise, seed=seed, tile=tile, should_stop=should_stop, ssim=ssim,
                              noise=noise):
        if not item.ok:
            problems = [item.error] if item.error else [f"{item.source}: {f}" for f in item.failures]
            yield FileResult(item.source, error="; ".join(problems))
            continue
        if not item.results:  # stopped part-way through this file
            return
        (done,) = item.results
        yield FileResult(item.source, done.output, None, done.restoration.seconds, done.psnr, done.ssim,
                         item.noisy_psnr, tuple(item.notes), tuple(item.image.shape), ssim)
