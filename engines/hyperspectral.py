"""Hyperspectral scenes: a cube (rows × cols × bands) and its ground truth (rows × cols, 0 = unlabelled).

- ``indian_pines`` works offline: the PyPI package ``tensorly`` (0.10.0) ships the corrected cube and its
  ground truth inside its wheel; they are read through ``importlib.resources``.
- ``pavia_university`` and ``salinas`` are read from the data folder (``$WORKBENCH_HOME/data/<scene>/``);
  :func:`download_scene` fetches them from the GIC (University of the Basque Country) page with progress
  and a sha256 check; offline, the message names the URL and the folder to put the files in.
- User files: ``.mat`` v5 (``scipy.io``) and v7.3 (HDF5, ``h5py``) with the cube and ground-truth variables
  found automatically, and ``.npy`` (a cube, with its ground truth in a second file).

Also the pixel-level steps every consumer of a scene needs: which pixels are labelled, the stratified split,
PCA. Two labs read scenes (hyperspectral classification registers them as datasets in
:mod:`engines.labs.hsi.data`; retrieval builds its two-view benchmark from Indian Pines), so this module
belongs to neither.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from engines.core.data import DataError
from engines.core.files import sha256_of


@dataclass
class Scene:
    name: str
    cube: np.ndarray  # (rows, cols, bands), float32
    gt: np.ndarray  # (rows, cols), int64: 0 unlabelled, 1..C classes
    class_names: list[str]
    colors: list[tuple[int, int, int]]  # one RGB per class (index 0 = class 1)
    wavelengths: np.ndarray | None = None  # nm per band, when known for the scene
    source: str = ""
    rgb_bands: tuple[int, int, int] = (0, 0, 0)  # a false-colour composite that shows the scene well
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def shape(self) -> tuple[int, int]:
        return int(self.gt.shape[0]), int(self.gt.shape[1])

    @property
    def bands(self) -> int:
        return int(self.cube.shape[2])

    @property
    def num_classes(self) -> int:
        return len(self.class_names)


# -- the three scenes ------------------------------------------------------------------------------------
def _aviris_wavelengths(total: int, removed: list[range]) -> np.ndarray:
    """Nominal AVIRIS band centres (400–2500 nm, evenly spaced) minus the water-absorption bands removed."""
    all_bands = np.linspace(400.0, 2500.0, total)
    drop = {i for r in removed for i in r}
    return np.array([w for i, w in enumerate(all_bands) if i not in drop], dtype=np.float32)


INDIAN_PINES_CLASSES = [
    "Alfalfa", "Corn-notill", "Corn-mintill", "Corn", "Grass-pasture", "Grass-trees", "Grass-pasture-mowed",
    "Hay-windrowed", "Oats", "Soybean-notill", "Soybean-mintill", "Soybean-clean", "Wheat", "Woods",
    "Buildings-Grass-Trees-Drives", "Stone-Steel-Towers",
]
PAVIA_UNIVERSITY_CLASSES = [
    "Asphalt", "Meadows", "Gravel", "Trees", "Painted metal sheets", "Bare Soil", "Bitumen",
    "Self-Blocking Bricks", "Shadows",
]
SALINAS_CLASSES = [
    "Brocoli_green_weeds_1", "Brocoli_green_weeds_2", "Fallow", "Fallow_rough_plow", "Fallow_smooth", "Stubble",
    "Celery", "Grapes_untrained", "Soil_vinyard_develop", "Corn_senesced_green_weeds", "Lettuce_romaine_4wk",
    "Lettuce_romaine_5wk", "Lettuce_romaine_6wk", "Lettuce_romaine_7wk", "Vinyard_untrained",
    "Vinyard_vertical_trellis",
]

# 16 well-separated colours; the first C are used for a scene of C classes.
PALETTE: list[tuple[int, int, int]] = [
    (255, 225, 25), (0, 130, 200), (245, 130, 48), (60, 180, 75), (145, 30, 180), (70, 240, 240),
    (240, 50, 230), (210, 245, 60), (250, 190, 212), (0, 128, 128), (230, 25, 75), (170, 110, 40),
    (128, 0, 0), (34, 100, 34), (128, 128, 0), (0, 0, 128),
]

EHU = "https://www.ehu.eus/ccwintco/uploads"


@dataclass(frozen=True)
class SceneInfo:
    name: str
    title: str
    class_names: list[str]
    cube_key: str
    gt_key: str
    files: dict[str, tuple[str, str | None]]  # file name → (URL, sha256 or None when not published)
    wavelengths: Callable[[], np.ndarray]
    rgb_bands: tuple[int, int, int]

    @property
    def colors(self) -> list[tuple[int, int, int]]:
        return PALETTE[: len(self.class_names)]


# sha256 of the ground-truth files: the EHU/GIC originals (see ../shared/data/SOURCES.md). The cube files'
# digests are not published; the first download records its digest beside the file (trust on first use)
# and later reads verify against it.
SCENES: dict[str, SceneInfo] = {
    "indian_pines": SceneInfo(
        "indian_pines", "Indian Pines (AVIRIS, 145×145, 200 bands)", INDIAN_PINES_CLASSES,
        "indian_pines_corrected", "indian_pines_gt",
        {"Indian_pines_corrected.mat": (f"{EHU}/6/67/Indian_pines_corrected.mat", None),
         "Indian_pines_gt.mat": (f"{EHU}/c/c4/Indian_pines_gt.mat",
                                 "65c4687a8ab04f6da4789799bc3bc4f6e88bccac3ed6a2e6ae367e5e6b9e429c")},
        lambda: _aviris_wavelengths(220, [range(103, 108), range(149, 163), range(219, 220)]),
        (43, 21, 11),
    ),
    "pavia_university": SceneInfo(
        "pavia_university", "Pavia University (ROSIS, 610×340, 103 bands)", PAVIA_UNIVERSITY_CLASSES,
        "paviaU", "paviaU_gt",
        {"PaviaU.mat": (f"{EHU}/e/ee/PaviaU.mat", None),
         "PaviaU_gt.mat": (f"{EHU}/5/50/PaviaU_gt.mat",
                           "23f6a426928f9b32984adffe659e29f554f9fb6c93b5a107528d308d5087a829")},
        lambda: np.linspace(430.0, 860.0, 103, dtype=np.float32),  # ROSIS nominal range
        (55, 41, 12),
    ),
    "salinas": SceneInfo(
        "salinas", "Salinas (AVIRIS, 512×217, 204 bands)", SALINAS_CLASSES,
        "salinas_corrected", "salinas_gt",
        {"Salinas_corrected.mat": (f"{EHU}/a/a3/Salinas_corrected.mat", None),
         "Salinas_gt.mat": (f"{EHU}/f/fa/Salinas_gt.mat",
                            "ecfab4d31ef5553f097943235d8ea502038eb4a2067b2ad10b33e37c949955e2")},
        lambda: _aviris_wavelengths(224, [range(107, 112), range(153, 168), range(223, 224)]),
        (43, 21, 11),
    ),
}


def default_data_dir() -> Path:
    """``$WORKBENCH_HOME/data`` or the platform's user data folder (as ``workbench.paths``; engines
    cannot import the application package)."""
    home = os.environ.get("WORKBENCH_HOME")
    if home:
        return Path(home).expanduser() / "data"
    from platformdirs import user_data_dir

    return Path(user_data_dir("cnn-workbench", appauthor=False)) / "data"


# -- reading files ----------------------------------------------------------------------------------------
def require_file(path: Path) -> None:
    """A readable regular file, or a :class:`DataError` saying what ``path`` is instead.

    Checked before opening: a FIFO would block the read forever, a folder or a symlink loop fails
    with an error that does not say which file was meant.
    """
    if path.is_file():
        if path.stat().st_size == 0:
            raise DataError(f"{path} is empty (0 bytes)")
        return
    if path.is_dir():
        raise DataError(f"{path} is a folder, not a file")
    if path.exists():
        raise DataError(f"{path} is not a regular file (a FIFO, socket or device)")
    if path.is_symlink():
        raise DataError(f"{path} is a broken symbolic link or a symbolic-link loop")
    raise DataError(f"file not found: {path}")


def read_mat(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Every array variable of a MATLAB file: v5 through ``scipy.io``, v7.3 (HDF5) through ``h5py``."""
    import scipy.io

    path = Path(path)
    require_file(path)
    try:
        raw = scipy.io.loadmat(path)
        return {k: np.asarray(v) for k, v in raw.items() if not k.startswith("__") and isinstance(v, np.ndarray)}
    except NotImplementedError:  # scipy's way of saying "this is v7.3, use an HDF5 reader"
        pass
    except MemoryError:
        raise DataError(f"cannot read {path} as a MATLAB file: it declares arrays larger than the memory") from None
    except Exception as exc:
        if not _looks_like_hdf5(path):
            raise DataError(f"cannot read {path} as a MATLAB file: {_reason(exc)}") from None
    try:
        import h5py
    except ImportError:
        raise DataError(f"{path} is a MATLAB v7.3 (HDF5) file; install h5py to read it (pip install h5py)") from None
    out: dict[str, np.ndarray] = {}
    try:
        with h5py.File(path, "r") as fh:
            def visit(name, obj):
                if isinstance(obj, h5py.Dataset) and not name.startswith("#") and obj.dtype.kind in "iufb":
                    # MATLAB writes column-major: h5py sees the axes reversed.
                    out[name] = np.asarray(obj[()]).T

            fh.visititems(visit)
    except (OSError, ValueError, TypeError, KeyError, RuntimeError) as exc:
        raise DataError(f"cannot read {path} as a MATLAB v7.3 (HDF5) file: {_reason(exc)}") from None
    except MemoryError:
        raise DataError(f"cannot read {path}: it declares arrays larger than the memory") from None
    return out


def _reason(exc: BaseException) -> str:
    """A library's error as a short clause (the first line, at most 200 characters)."""
    text = (str(exc).strip().splitlines() or [""])[0] or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "…"


def read_npy(path: Path) -> np.ndarray:
    """One ``.npy`` array, never unpickled (object arrays are refused), its size checked against its header.

    The header is read first: a truncated file, or one whose header claims more data than the file holds,
    is refused before numpy allocates the array it claims.
    """
    require_file(path)
    try:
        with open(path, "rb") as fh:
            if fh.read(6) != b"\x93NUMPY":
                raise DataError(f"{path} is not a NumPy .npy file (it does not start with NumPy's signature)")
            fh.seek(0)
            version = np.lib.format.read_magic(fh)
            shape, fortran, dtype = (np.lib.format.read_array_header_1_0(fh) if version == (1, 0)
                                     else np.lib.format.read_array_header_2_0(fh))
            header = fh.tell()
    except DataError:
        raise
    except Exception as exc:  # a damaged header: numpy's messages vary with the bytes found
        raise DataError(f"cannot read {path} as a NumPy array (.npy): {_reason(exc)}") from None
    if dtype.hasobject:
        raise DataError(f"{path} holds Python objects (a pickle), not numbers; it is not read, because "
                        f"loading it could run code")
    needed = header + int(np.prod(shape, dtype=np.float64)) * dtype.itemsize
    size = path.stat().st_size
    if size < needed:
        raise DataError(f"{path} is truncated: its header declares a {shape} {dtype} array "
                        f"({needed:,} bytes) but the file has {size:,} bytes")
    try:
        return np.load(path, allow_pickle=False)
    except MemoryError:
        raise DataError(f"cannot read {path}: its {shape} array does not fit in memory") from None
    except Exception as exc:
        raise DataError(f"cannot read {path} as a NumPy array (.npy): {_reason(exc)}") from None


def _looks_like_hdf5(path: Path) -> bool:
    """HDF5's signature sits at offset 0 or after a user block (512 bytes in MATLAB v7.3 files)."""
    signature = b"\x89HDF\r\n\x1a\n"
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return any(head[offset:offset + 8] == signature for offset in (0, 512, 1024, 2048))


def _describe(variables: dict[str, np.ndarray]) -> str:
    return ", ".join(f"{k} {tuple(v.shape)} {v.dtype}" for k, v in variables.items()) or "none"


def find_cube(variables: dict[str, np.ndarray], path) -> tuple[str, np.ndarray]:
    cubes = {k: v for k, v in variables.items() if v.ndim == 3 and v.dtype.kind in "iuf"}
    if not cubes:
        raise DataError(f"{path} holds no 3-D array (rows × cols × bands); variables found: {_describe(variables)}")
    name = max(cubes, key=lambda k: cubes[k].size)
    return name, cubes[name]


def find_gt(variables: dict[str, np.ndarray], spatial: tuple[int, int] | None, path) -> tuple[str, np.ndarray]:
    """A 2-D integer-valued array; names with ``gt`` first, then one matching the cube's spatial shape."""
    def integral(v: np.ndarray) -> bool:
        return v.dtype.kind in "iub" or (v.dtype.kind == "f" and np.all(np.mod(v, 1) == 0))

    candidates = {k: v for k, v in variables.items() if v.ndim == 2 and v.dtype.kind in "iufb" and integral(v)}
    if not candidates:
        raise DataError(f"{path} holds no 2-D ground-truth array of class numbers; "
                        f"variables found: {_describe(variables)}")
    ranked = sorted(candidates, key=lambda k: ("gt" not in k.lower(),
                                               spatial is not None and candidates[k].shape != spatial))
    return ranked[0], candidates[ranked[0]]


def _read_any(path: Path) -> dict[str, np.ndarray]:
    suffix = path.suffix.lower()
    if suffix == ".mat":
        return read_mat(path)
    if suffix == ".npy":
        return {path.stem: read_npy(path)}
    raise DataError(f"unsupported file {path}: expected a .mat (MATLAB v5 or v7.3) or .npy file")


def _sibling_gt(path: Path) -> Path | None:
    for suffix in (".mat", ".npy"):
        for stem in (path.stem + "_gt", path.stem.replace("_corrected", "") + "_gt"):
            candidate = path.with_name(stem + suffix)
            if candidate.is_file() and candidate != path:
                return candidate
    return None


def check_shapes(cube: np.ndarray, gt: np.ndarray, where: str) -> None:
    if cube.ndim != 3:
        raise DataError(f"{where}: the cube must be 3-D (rows × cols × bands), got shape {tuple(cube.shape)}")
    if gt.ndim != 2:
        raise DataError(f"{where}: the ground truth must be 2-D (rows × cols), got shape {tuple(gt.shape)}")
    if cube.shape[:2] != gt.shape:
        raise DataError(f"{where}: cube and ground truth differ in spatial shape: cube {tuple(cube.shape)} "
                        f"(rows × cols × bands) vs ground truth {tuple(gt.shape)}")


def load_file_scene(path: str | os.PathLike, gt_path: str | os.PathLike | None = None, *,
                    name: str | None = None) -> Scene:
    """A user's cube (``.mat`` or ``.npy``) and ground truth (same ``.mat``, ``gt_path``, or ``<stem>_gt.*``)."""
    path = Path(path).expanduser()
    variables = _read_any(path)
    _cube_key, cube = find_cube(variables, path)
    if gt_path is not None:
        gt_file = Path(gt_path).expanduser()
        _gt_key, gt = find_gt(_read_any(gt_file), cube.shape[:2], gt_file)
    else:
        rest = {k: v for k, v in variables.items() if k != _cube_key}
        gt_file = path
        try:
            _gt_key, gt = find_gt(rest, cube.shape[:2], path)
        except DataError:
            gt_file = _sibling_gt(path)
            if gt_file is None:
                raise DataError(f"no ground truth for {path}: the file holds none ({_describe(variables)}) and "
                                f"there is no {path.stem}_gt.mat or {path.stem}_gt.npy beside it") from None
            _gt_key, gt = find_gt(_read_any(gt_file), cube.shape[:2], gt_file)
    # A known scene's variable name (e.g. ``paviaU``) brings its class names, colours and wavelengths.
    known = next((i for i in SCENES.values() if i.cube_key.lower() == _cube_key.lower()), None)
    return _make_scene(name or (known.name if known else path.stem), cube, gt, source=str(path),
                       where=f"{path} / {gt_file}", info=known, files=(path, gt_file))


def check_values(cube: np.ndarray, gt: np.ndarray, cube_file, gt_file) -> None:
    """Numbers where numbers are expected: a finite cube, whole non-negative class numbers in the ground truth.

    PCA and the classifiers downstream fail on NaN or ±inf with messages that name no file, and a
    float ground truth would be truncated silently.
    """
    if cube.dtype.kind not in "iuf":
        raise DataError(f"{cube_file}: the cube holds {cube.dtype} values; expected numbers (integer or float)")
    if gt.dtype.kind not in "iufb":
        raise DataError(f"{gt_file}: the ground truth holds {gt.dtype} values; expected class numbers")
    if 0 in cube.shape:
        raise DataError(f"{cube_file}: the cube is empty (shape {tuple(cube.shape)})")
    if cube.dtype.kind == "f":
        bad = int(cube.size - np.count_nonzero(np.isfinite(cube)))
        if bad:
            nan = int(np.count_nonzero(np.isnan(cube)))
            raise DataError(f"{cube_file}: the cube holds {bad:,} non-finite values ({nan:,} NaN, {bad - nan:,} "
                            f"±inf) of {cube.size:,}; replace or mask them before loading the scene")
    if gt.dtype.kind == "f":
        bad = int(gt.size - np.count_nonzero(np.isfinite(gt)))
        if bad:
            raise DataError(f"{gt_file}: the ground truth holds {bad:,} non-finite values (NaN or ±inf); "
                            f"expected whole class numbers (0 = unlabelled)")
        if not np.all(np.mod(gt, 1) == 0):
            raise DataError(f"{gt_file}: the ground truth holds fractional values; expected whole class numbers")


def _make_scene(name: str, cube: np.ndarray, gt: np.ndarray, *, source: str, where: str,
                info: SceneInfo | None = None, files: tuple[object, object] | None = None) -> Scene:
    check_shapes(cube, gt, where)
    cube_file, gt_file = files or (where, where)
    check_values(cube, gt, cube_file, gt_file)
    gt = np.asarray(gt).astype(np.int64)
    if gt.min() < 0:
        raise DataError(f"{where}: ground-truth classes must be ≥ 0 (0 = unlabelled), found {gt.min()}")
    known = info or SCENES.get(name)
    num_classes = int(gt.max())
    if num_classes < 2:
        raise DataError(f"{where}: the ground truth needs at least 2 classes, found {num_classes}")
    if known is not None and num_classes <= len(known.class_names):
        class_names, colors = list(known.class_names), list(known.colors)
        wavelengths = known.wavelengths()
        wavelengths = wavelengths if len(wavelengths) == cube.shape[2] else None
        rgb = known.rgb_bands
    else:
        class_names = [f"class {i}" for i in range(1, num_classes + 1)]
        colors = [PALETTE[i % len(PALETTE)] for i in range(num_classes)]
        wavelengths, rgb = None, None
    bands = cube.shape[2]
    if rgb is None or max(rgb) >= bands:
        rgb = (int(bands * 0.75), int(bands * 0.5), int(bands * 0.25))
    return Scene(name=name, cube=np.ascontiguousarray(cube, dtype=np.float32), gt=gt, class_names=class_names,
                 colors=colors, wavelengths=wavelengths, source=source, rgb_bands=tuple(int(b) for b in rgb))


def _tensorly_indian_pines() -> Scene:
    from importlib import resources

    try:
        folder = resources.files("tensorly") / "datasets" / "data"
        with resources.as_file(folder / "Indian_pines_corrected.npy") as cube_file, \
                resources.as_file(folder / "Indian_pines_gt.npy") as gt_file:
            cube, gt = np.load(cube_file), np.load(gt_file)
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise DataError("the offline Indian Pines scene comes with the package tensorly 0.10.0, which is missing "
                        f"or incomplete ({exc}); reinstall it with: pip install tensorly==0.10.0") from None
    return _make_scene("indian_pines", cube, gt, source="tensorly 0.10.0: datasets/data/Indian_pines_*.npy",
                       where="tensorly Indian Pines")


# -- downloads -----------------------------------------------------------------------------------------------
def download_file(url: str, target: Path, *, sha256: str | None = None,
                  progress: Callable[[int, int], None] | None = None, timeout: float = 30.0) -> Path:
    """Download ``url`` to ``target`` (see :func:`engines.core.files.download_file`); a failure is a DataError."""
    from engines.core.files import DownloadError
    from engines.core.files import download_file as fetch

    try:
        return fetch(url, target, sha256=sha256, progress=progress, timeout=timeout,
                     hint=f"download it by hand and put it in {target.parent}")
    except DownloadError as exc:
        raise DataError(str(exc)) from None


def scene_folder(name: str, data_dir: str | os.PathLike | None = None) -> Path:
    return Path(data_dir) if data_dir is not None else default_data_dir() / name


def download_scene(name: str, *, data_dir=None, progress: Callable[[str, int, int], None] | None = None) -> Path:
    """Fetch a scene's files from the GIC page into its folder; files already there are verified, not fetched."""
    info = _scene_info(name)
    folder = scene_folder(name, data_dir)
    for file_name, (url, digest) in info.files.items():
        target = folder / file_name
        if target.is_file():
            verify_file(target, digest)
            continue
        download_file(url, target, sha256=digest,
                      progress=None if progress is None else (lambda d, t, f=file_name: progress(f, d, t)))
    return folder


def verify_file(path: Path, digest: str | None) -> None:
    recorded = path.with_name(path.name + ".sha256")
    expected = digest
    if expected is None and recorded.is_file():
        try:
            expected = recorded.read_bytes()[:200].decode("ascii").strip()
        except (OSError, UnicodeDecodeError):
            raise DataError(f"{recorded} (the digest recorded at download) is unreadable: delete it and "
                            f"{path.name}, and download again") from None
    if expected is not None and sha256_of(path) != expected:
        raise DataError(f"{path} has sha256 {sha256_of(path)}, expected {expected}: delete it and download again")


def _scene_info(name: str) -> SceneInfo:
    if name not in SCENES:
        raise DataError(f"unknown scene {name!r}; valid choices: {', '.join(SCENES)}")
    return SCENES[name]


def load_scene(name: str, *, path: str | None = None, gt_path: str | None = None, data_dir=None,
               download: bool = False, crop=None) -> Scene:
    """A scene by name (``indian_pines`` offline; the others from the data folder) or from ``path``."""
    if path:
        scene = load_file_scene(path, gt_path)
    elif name == "indian_pines" and data_dir is None:
        scene = _tensorly_indian_pines()
    else:
        info = _scene_info(name)
        folder = scene_folder(name, data_dir)
        cube_file, gt_file = (folder / f for f in info.files)
        if not (cube_file.is_file() and gt_file.is_file()):
            if download:
                download_scene(name, data_dir=data_dir)
            else:
                urls = "; ".join(url for url, _ in info.files.values())
                raise DataError(f"{info.title} is not on this computer. Download {urls} and put the files in "
                                f"{folder} (or run: workbench hsi-download {name})")
        for f, (_url, digest) in info.files.items():
            verify_file(folder / f, digest)
        cube_vars, gt_vars = read_mat(cube_file), read_mat(gt_file)
        cube = cube_vars.get(info.cube_key)
        if cube is None:
            cube = find_cube(cube_vars, cube_file)[1]
        gt = gt_vars.get(info.gt_key)
        if gt is None:
            gt = find_gt(gt_vars, cube.shape[:2], gt_file)[1]
        scene = _make_scene(name, cube, gt, source=str(folder), where=f"{cube_file} / {gt_file}",
                            files=(cube_file, gt_file))
    return crop_scene(scene, crop) if crop else scene


def parse_crop(crop) -> tuple[int, int, int, int]:
    """``(top, left, height, width)`` from a 4-sequence or the text ``"top:bottom,left:right"``."""
    if isinstance(crop, str):
        try:
            rows, cols = crop.split(",")
            (r0, r1), (c0, c1) = (tuple(int(v) for v in part.split(":")) for part in (rows, cols))
        except ValueError:
            raise DataError(f"crop must be 'top:bottom,left:right' (e.g. '0:40,0:40'), got {crop!r}") from None
        return r0, c0, r1 - r0, c1 - c0
    try:
        top, left, height, width = (int(v) for v in crop)
    except (TypeError, ValueError):
        raise DataError(f"crop must be [top, left, height, width], got {crop!r}") from None
    return top, left, height, width


def crop_scene(scene: Scene, crop) -> Scene:
    top, left, height, width = parse_crop(crop)
    rows, cols = scene.shape
    if top < 0 or left < 0 or height < 1 or width < 1 or top + height > rows or left + width > cols:
        raise DataError(f"crop {crop!r} does not fit the {rows}×{cols} scene {scene.name}")
    window = (slice(top, top + height), slice(left, left + width))
    return Scene(name=scene.name, cube=np.ascontiguousarray(scene.cube[window]), gt=scene.gt[window].copy(),
                 class_names=scene.class_names, colors=scene.colors, wavelengths=scene.wavelengths,
                 source=scene.source, rgb_bands=scene.rgb_bands,
                 info={**scene.info, "crop": [top, left, height, width]})


# -- pixels: which are labelled, the stratified split, PCA ------------------------------------------------
def labelled_pixels(gt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(pixels, labels)``: (row, col) of every labelled pixel in row-major order, classes from 0."""
    pixels = np.argwhere(gt > 0).astype(np.int64)
    return pixels, (gt[pixels[:, 0], pixels[:, 1]] - 1).astype(np.int64)


def split_pixels(labels: np.ndarray, train_ratio: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Stratified, seeded split of indices into ``labels`` (the authors' ``train_test_split(stratify=y)``).

    A class with a single labelled pixel (possible in a cropped scene) cannot be stratified; it goes to test.
    """
    from sklearn.model_selection import train_test_split

    if not 0.0 < train_ratio < 1.0:
        raise DataError(f"train_ratio must be between 0 and 1 (e.g. 0.1 or 0.3), got {train_ratio}")
    index = np.arange(len(labels))
    classes, counts = np.unique(labels, return_counts=True)
    single = np.isin(labels, classes[counts < 2])
    try:
        train, test = train_test_split(index[~single], train_size=train_ratio, stratify=labels[~single],
                                       random_state=seed)
    except ValueError as exc:
        raise DataError(f"cannot split {len(labels)} labelled pixels of {len(classes)} classes with "
                        f"train_ratio={train_ratio}: {exc}") from None
    return np.sort(train), np.sort(np.concatenate([test, index[single]]))


def stratified_subset(labels: np.ndarray, size: int, seed: int) -> np.ndarray:
    """At most ``size`` indices, in proportion to the classes (seeded), sorted."""
    from sklearn.model_selection import train_test_split

    if size <= 0 or size >= len(labels):
        return np.arange(len(labels))
    try:
        keep, _ = train_test_split(np.arange(len(labels)), train_size=size, stratify=labels, random_state=seed)
    except ValueError:  # a class too small to stratify: fall back to a plain seeded sample
        keep = np.random.default_rng(seed).choice(len(labels), size, replace=False)
    return np.sort(keep)


def reduce_bands(cube: np.ndarray, components: int, *, fit_pixels: np.ndarray | None = None,
                 seed: int = 0) -> tuple[np.ndarray, float]:
    """PCA with whitening to ``components`` bands (as the authors' ``applyPCA``); returns (cube, variance kept).

    ``fit_pixels`` (row, col) fits the PCA on those pixels only; the authors fit on the whole scene.
    """
    from sklearn.decomposition import PCA

    rows, cols, bands = cube.shape
    if components < 1 or components > bands:
        raise DataError(f"cannot keep {components} PCA components: the scene has {bands} bands "
                        f"(choose 1 … {bands})")
    flat = cube.reshape(-1, bands).astype(np.float64)
    fit_on = flat if fit_pixels is None else flat[fit_pixels[:, 0] * cols + fit_pixels[:, 1]]
    if components > len(fit_on):
        raise DataError(f"cannot fit {components} PCA components on {len(fit_on)} pixels")
    # The full SVD is deterministic (the randomized solver "auto" may pick is not) and fast at this size.
    pca = PCA(n_components=components, whiten=True, svd_solver="full", random_state=seed).fit(fit_on)
    reduced = pca.transform(flat).astype(np.float32).reshape(rows, cols, components)
    return reduced, float(pca.explained_variance_ratio_.sum())
