"""Importing published DnCNN weights onto :class:`engines.models.dncnn.DnCNN`.

Formats (layouts in ``../shared/REFERENCE.md``):

- KAIR state_dict ``.pth`` (BN folded): ``model.{0,2,…}.weight`` / ``.bias``; any state_dict of conv (and
  optionally BN) tensors in layer order is read the same way, BN being folded on import.
- MatConvNet ``simplenn`` ``.mat``: v7.3 (HDF5, read with ``h5py``) and v5 (``scipy.io``);
  ``net.layers{i}.weights = {W, b}`` with W stored (kh, kw, in, out) by MATLAB.
- A workbench checkpoint (``format_version`` + ``model_spec``), e.g. another run's ``last.pt``.
- The authors' *trainable* PyTorch DnCNN as a state_dict (``dncnn.0.weight`` … with batch norm,
  cszn/DnCNN ``TrainingCodes/dncnn_pytorch``): its BN uses eps 1e-4 and momentum 0.95
  (:data:`engines.models.dncnn.AUTHORS_BN`), so it is folded with eps 1e-4 — PyTorch's default 1e-5 would
  change the output by up to ~2e-4 — and ``keep_batchnorm=True`` rebuilds it unfolded with both constants, to
  fine-tune exactly as their code trains.

Everything is read with ``torch.load(..., weights_only=True)``, which cannot run code. A whole-model pickle
(like the authors' PyTorch ``model.pth``) needs its classes to be rebuilt, i.e. code from the file to run,
so it is refused with a message naming the classes it references (listed with ``pickletools``, which only
reads opcodes and never executes them).
"""
from __future__ import annotations

import os
import pickletools
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from engines.core.files import sha256_of
from engines.models.dncnn import AUTHORS_BN, PYTORCH_BN, DnCNN, build_dncnn, depth_to_model_name


class WeightsError(ValueError):
    """Weights cannot be imported; the message names the file and what did not fit."""


@dataclass(frozen=True)
class ConvLayer:
    """One convolution of a plain stack, BN already folded in; ``source`` is its name in the file."""

    source: str
    weight: torch.Tensor  # (out, in, kh, kw)
    bias: torch.Tensor | None


@dataclass
class ImportedWeights:
    """A DnCNN rebuilt from a weights file, with what is needed to record it as a run."""

    model: DnCNN
    model_name: str
    options: dict[str, Any]
    source_format: str
    path: Path
    sha256: str
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def spec(self) -> dict[str, Any]:
        """``model_spec`` as workbench checkpoints store it (rebuilds with ``build_model``)."""
        return {"name": self.model_name, "options": dict(self.options)}


file_sha256 = sha256_of  # the one implementation: engines.core.files (imports no torch)


# -- reading files -----------------------------------------------------------------------------------
def _readable(path: str | os.PathLike) -> Path:
    """``path`` if it is a non-empty regular file (checked with ``stat`` only: a FIFO is never opened)."""
    from engines.core.checkpoint import file_problem

    path = Path(path)
    problem = file_problem(path)
    if problem is not None:
        raise WeightsError(f"{path}: {problem}")
    if path.stat().st_size == 0:
        raise WeightsError(f"{path}: empty file (0 bytes)")
    return path


def _is_hdf5(path: Path) -> bool:
    with open(path, "rb") as fh:
        head = fh.read(8)
        if head == b"\x89HDF\r\n\x1a\n":
            return True
        fh.seek(512)  # MATLAB v7.3 files put a 512-byte text header before the HDF5 signature
        return fh.read(8) == b"\x89HDF\r\n\x1a\n"


def _matlab_string(dataset) -> str:
    return "".join(chr(int(c)) for c in np.asarray(dataset).ravel())


def _mat_weight(path: Path, index: int, weight: np.ndarray, bias: np.ndarray | None,
                *, matlab_order: bool) -> ConvLayer:
    weight = np.asarray(weight, dtype=np.float32)
    if matlab_order:
        # scipy.io returns MATLAB's (kh, kw, in, out); a trailing out = 1 was dropped by MATLAB.
        if weight.ndim == 3:
            weight = weight[..., None]
        weight = weight.transpose(3, 2, 0, 1)
    else:
        # h5py sees the column-major array reversed: (out, in, kw, kh); out = 1 dropped the same way.
        if weight.ndim == 3:
            weight = weight[None]
        weight = np.swapaxes(weight, 2, 3)
    if weight.ndim != 4:
        raise WeightsError(f"{path}: layer {index + 1} weights have shape {weight.shape}; expected a 4-D conv")
    b = None if bias is None or np.size(bias) == 0 else torch.from_numpy(
        np.asarray(bias, dtype=np.float32).reshape(-1).copy())
    return ConvLayer(f"net.layers{{{index + 1}}}", torch.from_numpy(np.ascontiguousarray(weight)), b)


_SKIPPED_MAT_LAYERS = {"relu", "loss", "euclideanloss", "pdist", "dropout"}


def _read_mat_v73(path: Path) -> list[ConvLayer]:
    try:
        import h5py
    except ImportError:
        raise WeightsError(f"{path}: MATLAB v7.3 .mat files need the h5py package (pip install h5py)") from None
    layers: list[ConvLayer] = []
    try:
        with h5py.File(path, "r") as f:
            if "net" not in f or "layers" not in f["net"]:
                raise WeightsError(f"{path}: no net.layers in this .mat file; expected a MatConvNet simplenn model "
                                   f"(top-level variables: {', '.join(k for k in f.keys() if k != '#refs#')})")
            refs = np.asarray(f["net"]["layers"]).ravel()
            for i, ref in enumerate(refs):
                layer = f[ref]
                kind = _matlab_string(layer["type"]) if "type" in layer else "?"
                if kind == "conv":
                    w_refs = np.asarray(layer["weights"]).ravel()
                    weight = np.asarray(f[w_refs[0]])
                    bias = np.asarray(f[w_refs[1]]) if len(w_refs) > 1 else None
                    layers.append(_mat_weight(path, i, weight, bias, matlab_order=False))
                elif kind not in _SKIPPED_MAT_LAYERS:
                    raise WeightsError(f"{path}: layer {i + 1} has type {kind!r}; only conv and relu layers "
                                       "(BN folded) are supported")
    except WeightsError:
        raise
    except (OSError, KeyError, ValueError, TypeError) as exc:
        raise WeightsError(f"{path}: cannot read MATLAB v7.3 file ({exc})") from None
    return layers


def _unwrap(value: Any) -> Any:
    """scipy.io wraps every MATLAB value in (1, 1) arrays; take the single element out."""
    while isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in ("O", "U", "S"):
        value = value.flat[0]
    return value


def _read_mat_v5(path: Path) -> list[ConvLayer]:
    import scipy.io

    try:
        # squeeze_me stays off: it would also drop a 1-channel *input* axis and make W ambiguous.
        data = scipy.io.loadmat(path, struct_as_record=False, squeeze_me=False)
    except Exception as exc:  # scipy raises ValueError, TypeError, MatReadError… for foreign files
        raise WeightsError(f"{path}: not a readable MATLAB .mat file ({exc})") from None
    net = _unwrap(data.get("net"))
    if net is None or not hasattr(net, "layers"):
        names = ", ".join(k for k in data if not k.startswith("__"))
        raise WeightsError(f"{path}: no net.layers in this .mat file; expected a MatConvNet simplenn model "
                           f"(variables: {names})")
    layers: list[ConvLayer] = []
    for i, layer in enumerate(np.asarray(net.layers, dtype=object).ravel()):
        layer = _unwrap(layer)
        kind = str(_unwrap(getattr(layer, "type", "?")))
        if kind == "conv":
            weights = np.asarray(layer.weights, dtype=object).ravel()
            bias = weights[1] if len(weights) > 1 else None
            layers.append(_mat_weight(path, i, weights[0], bias, matlab_order=True))
        elif kind not in _SKIPPED_MAT_LAYERS:
            raise WeightsError(f"{path}: layer {i + 1} has type {kind!r}; only conv and relu layers "
                               "(BN folded) are supported")
    return layers


def pickle_globals(path: str | os.PathLike, *, limit: int = 50) -> list[str]:
    """Classes and functions a pickle file would import, read from its opcodes without executing anything."""
    path = Path(path)
    found: list[str] = []

    def scan(stream) -> None:
        strings: list[str] = []
        for _ in range(6):  # legacy torch files are several pickles in a row
            try:
                for opcode, arg, _pos in pickletools.genops(stream):
                    if opcode.name in ("GLOBAL", "INST"):
                        found.append(str(arg).replace(" ", "."))
                    elif opcode.name == "STACK_GLOBAL" and len(strings) >= 2:
                        found.append(f"{strings[-2]}.{strings[-1]}")
                    elif isinstance(arg, str):
                        strings.append(arg)
            except Exception:  # end of the pickles, or raw tensor bytes after them
                return

    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.endswith("data.pkl"):
                    with archive.open(name) as fh:
                        scan(fh)
    else:
        with open(path, "rb") as fh:
            scan(fh)
    unique = list(dict.fromkeys(found))
    return unique[:limit]


_HARMLESS_GLOBALS = re.compile(r"^(collections\.OrderedDict|torch\._utils\._rebuild_.*|torch\..*Storage|"
                               r"torch\.storage\..*|torch\.serialization\..*|_codecs\.encode|"
                               r"numpy\.core\.multiarray\._reconstruct|numpy\.dtype|numpy\.ndarray)$")


def _torch_load(path: Path) -> Any:
    """The object in a PyTorch weights file (zip, legacy or gzip-compressed; the checkpoints' one reader)."""
    from engines.core.checkpoint import CheckpointError, UnsafePickleError, read_torch_file

    try:
        return read_torch_file(path, what="weights file")
    except UnsafePickleError as exc:
        classes = [g for g in _safe_pickle_globals(path) if not _HARMLESS_GLOBALS.match(g)] or [exc.reference]
        named = f" (it references {', '.join(classes[:8])}{', …' if len(classes) > 8 else ''})"
        raise WeightsError(
            f"{path}: refused: this is a whole-model pickle{named}; loading it would run code from the file. "
            "Import a state_dict of tensors (e.g. KAIR's .pth) or the MatConvNet .mat weights instead, or "
            "re-save it where you trust its code with torch.save(model.state_dict(), FILE)"
        ) from None
    except CheckpointError as exc:
        raise WeightsError(str(exc)) from None


def _safe_pickle_globals(path: Path) -> list[str]:
    try:
        return pickle_globals(path)
    except (OSError, zipfile.BadZipFile, RuntimeError):
        return []


def _natural_key(name: str) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def _unwrap_state_dict(obj: Any, path: Path) -> dict[str, torch.Tensor]:
    if isinstance(obj, dict):
        for key in ("state_dict", "params", "model", "params_ema"):
            inner = obj.get(key)
            if isinstance(inner, dict) and inner and all(isinstance(v, torch.Tensor) for v in inner.values()):
                return inner
        if obj and all(isinstance(v, torch.Tensor) for v in obj.values()):
            return obj
    raise WeightsError(f"{path}: holds {type(obj).__name__}, not a state_dict of tensors")


def convs_from_state_dict(state: dict[str, torch.Tensor], path: Path, *, bn_eps: float = 1e-5) -> list[ConvLayer]:
    """Group tensors by module, in layer order; fold each BN into the conv before it."""
    modules: dict[str, dict[str, torch.Tensor]] = {}
    for key, tensor in state.items():
        prefix, _, leaf = key.rpartition(".")
        modules.setdefault(prefix, {})[leaf] = tensor
    layers: list[ConvLayer] = []
    for prefix in sorted(modules, key=_natural_key):
        params = modules[prefix]
        weight = params.get("weight")
        if "running_mean" in params:
            if not layers:
                raise WeightsError(f"{path}: batch norm {prefix!r} comes before any convolution")
            conv = layers[-1]
            scale = params.get("weight", torch.ones_like(params["running_var"])).double()
            shift = params.get("bias", torch.zeros_like(params["running_mean"])).double()
            factor = scale / torch.sqrt(params["running_var"].double() + bn_eps)
            bias = conv.bias.double() if conv.bias is not None else torch.zeros_like(factor)
            layers[-1] = ConvLayer(conv.source,
                                   (conv.weight.double() * factor.view(-1, 1, 1, 1)).float(),
                                   ((bias - params["running_mean"].double()) * factor + shift).float())
        elif weight is not None and weight.dim() == 4:
            layers.append(ConvLayer(f"{prefix}.weight", weight.float(), params.get("bias")))
        elif params:
            shapes = ", ".join(f"{prefix}.{k} {tuple(v.shape)}" for k, v in params.items())
            raise WeightsError(f"{path}: {shapes} is neither a convolution nor a batch norm; "
                               "not a DnCNN-style conv stack")
    return layers


def _stack_problems(layers: list[ConvLayer]) -> list[str]:
    """What keeps ``layers`` from being a DnCNN (3×3 convs, image → F → … → F → image); empty if it is."""
    if len(layers) < 2:
        return [f"found {len(layers)} convolution(s); a DnCNN has at least 2"]
    channels, features = layers[0].weight.shape[1], layers[0].weight.shape[0]
    problems = []
    if channels not in (1, 3):
        problems.append(f"{layers[0].source}: {channels} input channels; expected 1 (gray) or 3 (RGB)")
    for i, layer in enumerate(layers):
        out_c = channels if i == len(layers) - 1 else features
        in_c = channels if i == 0 else features
        expected = (out_c, in_c, 3, 3)
        if tuple(layer.weight.shape) != expected:
            problems.append(f"{layer.source}: shape {tuple(layer.weight.shape)}, expected {expected}")
        if layer.bias is not None and tuple(layer.bias.shape) != (layer.weight.shape[0],):
            problems.append(f"{layer.source} bias: shape {tuple(layer.bias.shape)}, "
                            f"expected {(layer.weight.shape[0],)}")
    return problems


def read_conv_stack(path: str | os.PathLike) -> tuple[list[ConvLayer], str]:
    """The file's convolutions in order (BN folded) and the format name it was read as."""
    path = _readable(path)
    if path.suffix.lower() == ".mat":
        if _is_hdf5(path):
            return _read_mat_v73(path), "matconvnet-v7.3"
        return _read_mat_v5(path), "matconvnet-v5"
    return _stack_from_torch_object(_torch_load(path), path)


def _has_batchnorm(state: dict[str, torch.Tensor]) -> bool:
    return any(k.endswith(".running_var") for k in state)


def _is_authors_trainable(state: dict[str, torch.Tensor]) -> bool:
    """The authors' PyTorch DnCNN (``self.dncnn = nn.Sequential(...)`` with batch norm)."""
    return _has_batchnorm(state) and all(k.startswith("dncnn.") for k in state)


def batchnorm_convention(state: dict[str, torch.Tensor]) -> dict[str, float]:
    """The BN constants a state_dict was trained with: the authors' for their layout, else PyTorch's."""
    return dict(AUTHORS_BN if _is_authors_trainable(state) else PYTORCH_BN)


def _checked_state(obj: Any, path: Path) -> dict[str, torch.Tensor]:
    from engines.core.checkpoint import nonfinite_tensor

    state = _unwrap_state_dict(obj, path)
    bad = nonfinite_tensor(state)
    if bad is not None:
        raise WeightsError(f"{path}: tensor {bad!r} holds NaN or infinite values; refusing these weights")
    return state


def _state_format(state: dict[str, torch.Tensor]) -> str:
    if any(k.startswith("model.") for k in state):
        return "kair-state-dict"
    return "dncnn-pytorch-state-dict" if _is_authors_trainable(state) else "state-dict"


def _stack_from_torch_object(obj: Any, path: Path, *, bn_eps: float | None = None) -> tuple[list[ConvLayer], str]:
    state = _checked_state(obj, path)
    eps = batchnorm_convention(state)["bn_eps"] if bn_eps is None else bn_eps
    return convs_from_state_dict(state, path, bn_eps=eps), _state_format(state)


# -- building the model ----------------------------------------------------------------------------
def _build_from_stack(layers: list[ConvLayer], path: Path, *, residual: bool = True) -> DnCNN:
    from engines.core.checkpoint import nonfinite_tensor

    bad = nonfinite_tensor({name: tensor for layer in layers
                            for name, tensor in ((layer.source, layer.weight), (f"{layer.source} bias", layer.bias))})
    if bad is not None:
        raise WeightsError(f"{path}: tensor {bad!r} holds NaN or infinite values; refusing these weights")
    problems = _stack_problems(layers)
    if problems:
        raise WeightsError(f"{path}: not a DnCNN conv stack: " + "; ".join(problems))
    features, channels = layers[0].weight.shape[:2]
    model = build_dncnn(depth=len(layers), features=int(features), channels=int(channels), residual=residual,
                        batchnorm=False)
    with torch.no_grad():
        for conv, layer in zip(model.convs(), layers):
            conv.weight.copy_(layer.weight)
            if layer.bias is not None:
                conv.bias.copy_(layer.bias.reshape(-1))
            else:
                conv.bias.zero_()
    return model.eval()


def check_fits(model: DnCNN, state: dict[str, torch.Tensor], path: str | os.PathLike) -> None:
    """Raise :class:`WeightsError` listing missing/unexpected keys and shape mismatches, if any."""
    target = model.state_dict()
    missing = [k for k in target if k not in state]
    unexpected = [k for k in state if k not in target]
    shapes = [f"{k}: file {tuple(state[k].shape)}, model {tuple(target[k].shape)}"
              for k in target if k in state and state[k].shape != target[k].shape]
    if not (missing or unexpected or shapes):
        return
    parts = []
    if shapes:
        parts.append("shape mismatch: " + "; ".join(shapes))
    if missing:
        parts.append("missing in file: " + ", ".join(missing))
    if unexpected:
        parts.append("not in model: " + ", ".join(unexpected))
    described = ", ".join(f"{k}={v}" for k, v in model.options().items())
    raise WeightsError(f"{path}: weights do not fit dncnn({described}): " + " | ".join(parts))


def _trainable_from_state(state: dict[str, torch.Tensor], path: Path, bn: dict[str, float]) -> DnCNN:
    """A DnCNN with batch norm holding ``state`` unfolded (the authors' ``dncnn.N`` or this project's
    ``body.N`` layout), its BN built with the constants ``bn``."""
    layers = convs_from_state_dict(state, path, bn_eps=bn["bn_eps"])
    problems = _stack_problems(layers)
    if problems:
        raise WeightsError(f"{path}: not a DnCNN conv stack: " + "; ".join(problems))
    features, channels = layers[0].weight.shape[:2]
    model = build_dncnn(depth=len(layers), features=int(features), channels=int(channels), batchnorm=True, **bn)
    renamed = {("body." + k.split(".", 1)[1]) if k.startswith(("dncnn.", "body.")) else k: v
               for k, v in state.items()}
    check_fits(model, renamed, path)
    model.load_state_dict(renamed)
    return model.eval()


def load_dncnn_weights(path: str | os.PathLike, *, into: DnCNN | None = None, keep_batchnorm: bool = False,
                       bn_eps: float | None = None, bn_momentum: float | None = None) -> ImportedWeights:
    """Read a weights file and rebuild the DnCNN it describes (or load it into ``into``).

    Published weights are BN-folded, so the rebuilt model has ``batchnorm=False`` and predicts the residual.
    A state_dict with batch norm is folded too, with the eps it was trained with (:func:`batchnorm_convention`:
    1e-4 for the authors' trainable ``dncnn.N`` layout, else PyTorch's 1e-5; ``bn_eps`` overrides). With
    ``keep_batchnorm`` such a file is rebuilt *unfolded* (trainable), its BN layers built with that eps and
    ``bn_momentum`` (default: the convention's, 0.95 for the authors'), recorded in the options.
    With ``into``, the file must fit that exact architecture; otherwise the error lists the mismatched keys
    and shapes.
    """
    path = _readable(path)
    sha = file_sha256(path)
    info: dict[str, Any] = {}
    if path.suffix.lower() != ".mat" and (keep_batchnorm or bn_eps is not None or bn_momentum is not None):
        obj = _torch_load(path)
        if not (isinstance(obj, dict) and "format_version" in obj):
            state = _checked_state(obj, path)
            if _has_batchnorm(state):
                bn = batchnorm_convention(state)
                bn.update({k: v for k, v in (("bn_eps", bn_eps), ("bn_momentum", bn_momentum)) if v is not None})
                model = _trainable_from_state(state, path, bn)
                if not keep_batchnorm:
                    from engines.models.dncnn import fold_batchnorm

                    model = fold_batchnorm(model)
                info["batchnorm"] = bn
                return _imported(model, path, sha, _state_format(state), info, into)
    if path.suffix.lower() == ".mat":
        layers, fmt = read_conv_stack(path)
    else:
        obj = _torch_load(path)
        if isinstance(obj, dict) and "format_version" in obj and obj.get("model_spec"):
            model, name, options = _from_checkpoint(path, obj)
            info["run_task"] = obj.get("task")
            if into is not None:
                check_fits(into, model.state_dict(), path)
                into.load_state_dict(model.state_dict())
                model = into.eval()
            return ImportedWeights(model, name, options, "workbench-checkpoint", path, sha, info)
        layers, fmt = _stack_from_torch_object(obj, path)
        if _has_batchnorm(_unwrap_state_dict(obj, path)):
            info["batchnorm"] = batchnorm_convention(_unwrap_state_dict(obj, path))
    model = _build_from_stack(layers, path)
    info["sources"] = [layer.source for layer in layers]
    return _imported(model, path, sha, fmt, info, into)


def _imported(model: DnCNN, path: Path, sha: str, fmt: str, info: dict[str, Any],
              into: DnCNN | None) -> ImportedWeights:
    if into is not None:
        check_fits(into, model.state_dict(), path)
        into.load_state_dict(model.state_dict())
        model = into.eval()
    options = model.options()
    name = depth_to_model_name(options["depth"])
    if name != "dncnn":
        options.pop("depth")  # dncnn_s / dncnn_b fix the depth
    return ImportedWeights(model, name, options, fmt, path, sha, info)


def _from_checkpoint(path: Path, obj: dict) -> tuple[DnCNN, str, dict]:
    from engines.core.checkpoint import CheckpointError, validate_checkpoint
    from engines.models import build_model

    try:
        state = validate_checkpoint(obj, path)
    except CheckpointError as exc:
        raise WeightsError(str(exc)) from None
    spec = state["model_spec"]
    if not isinstance(spec, dict) or not isinstance(state.get("model"), dict):
        raise WeightsError(f"{path}: checkpoint has no readable model_spec and model state")
    try:
        model = build_model(spec["name"], **spec.get("options", {}))
    except (KeyError, ValueError, TypeError) as exc:
        raise WeightsError(f"{path}: checkpoint's model {spec.get('name')!r} cannot be built ({exc})") from None
    if not isinstance(model, DnCNN):
        raise WeightsError(f"{path}: checkpoint holds model {spec['name']!r}, not a DnCNN")
    check_fits(model, state["model"], path)
    model.load_state_dict(state["model"])
    return model.eval(), spec["name"], dict(spec.get("options", {}))
