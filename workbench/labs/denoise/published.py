"""The authors' DnCNN weights, fetched on demand (as torchvision and KAIR fetch theirs) and installed as runs.

The files are downloaded into the user cache (``<workbench home>/cache/weights``), checked against the sha256
recorded here, read with the same weights-only importers as "Import weights…" and recorded as a finished
``denoise`` run. They are never shipped with the application: the DnCNN repository states no licence.
``WORKBENCH_WEIGHTS_MIRROR=URL/`` replaces everything before the file name (mirrors, air-gapped sites, tests).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

from workbench import paths

MIRROR_ENV = "WORKBENCH_WEIGHTS_MIRROR"
MAX_BYTES = 64 << 20  # the published files are 0.6–2.2 MB; anything far larger is not one of them
_DNCNN = "https://raw.githubusercontent.com/cszn/DnCNN/e93b27812d3ff523a3a79d19e5e50d233d7a8d0a/model"


@dataclass(frozen=True)
class Published:
    name: str
    url: str
    sha256: str
    title: str
    source: str
    licence: str

    @property
    def file_name(self) -> str:
        return unquote(Path(urlsplit(self.url).path).name)

    def to_json(self) -> dict:
        return {"name": self.name, "url": download_url(self), "sha256": self.sha256, "title": self.title,
                "source": self.source, "licence": self.licence, "file": self.file_name}


PUBLISHED: tuple[Published, ...] = (
    Published("dncnn_s_25",
              "https://raw.githubusercontent.com/cszn/KAIR/fc1732f4a4514e42ce15e5b3a1e18c828af47a1e/"
              "model_zoo/dncnn_25.pth",
              "0451a70de9b672ae037270498fbb1c17a1c1c4403785df586ff65df5b858e5b0",
              "DnCNN-S, σ = 25 (the authors' PyTorch weights, KAIR)", "KAIR (Kai Zhang)", "MIT"),
    Published("dncnn_s_15", f"{_DNCNN}/specifics/sigma=15.mat",
              "657d5115fa05d371dbf0df1f0a931eff274dae29d08a9cc0824a28caf2460e21",
              "DnCNN-S, σ = 15 (the authors' MatConvNet weights)", "DnCNN repository (Kai Zhang)",
              "none stated: downloaded for you, never shipped"),
    Published("dncnn_s_50", f"{_DNCNN}/specifics/sigma=50.mat",
              "517dc0b55a8da2c129704ed7921b8557aac40cf3aae9f700dc41a9e25cad0983",
              "DnCNN-S, σ = 50 (the authors' MatConvNet weights)", "DnCNN repository (Kai Zhang)",
              "none stated: downloaded for you, never shipped"),
    Published("dncnn_b", f"{_DNCNN}/GD_Gray_Blind.mat",
              "37f76da0b71dd2b2789ce91848fe2f184ab486203c9af9ac1b98199b60ea02b0",
              "DnCNN-B, blind σ ∈ [0, 55] (the authors' MatConvNet weights)", "DnCNN repository (Kai Zhang)",
              "none stated: downloaded for you, never shipped"),
)


class PublishedError(ValueError):
    """An entry cannot be installed: unknown name, offline, a damaged download; the message says what to do."""


def get(name: str) -> Published:
    for entry in PUBLISHED:
        if entry.name == name:
            return entry
    raise PublishedError(f"no published weights {name!r}; available: {', '.join(e.name for e in PUBLISHED)}")


def download_url(entry: Published) -> str:
    mirror = os.environ.get(MIRROR_ENV, "").strip()
    return mirror.rstrip("/") + "/" + entry.file_name if mirror else entry.url


def cache_dir() -> Path:
    return paths.home() / "cache" / "weights"


def fetch(entry: Published, *, progress: Callable[[int, int], None] | None = None,
          should_stop: Callable[[], bool] | None = None) -> Path:
    """The entry's file in the cache, downloaded (and sha256-checked) unless a good copy is there."""
    from engines.core.files import DownloadError, download_file, sha256_of

    target = cache_dir() / entry.file_name
    if target.is_file():
        try:
            if sha256_of(target) == entry.sha256:
                return target
        except OSError:
            pass
    url = download_url(entry)
    try:
        return download_file(url, target, sha256=entry.sha256, progress=progress, max_bytes=MAX_BYTES,
                             should_stop=should_stop,
                             hint=f"download it yourself and add it with Import weights… "
                                  f"(workbench import-weights FILE), or set {MIRROR_ENV} to a folder URL holding "
                                  f"{entry.file_name}")
    except DownloadError as exc:
        raise PublishedError(str(exc)) from None


def installed_run(entry: Published, store) -> int | None:
    """The id of a run holding exactly this file (imported by hand or installed here), if any."""
    for run in store.list_runs(task="denoise"):
        if run.summary.get("sha256") == entry.sha256 and run.status == "finished":
            return run.id
    return None


def install(name: str, *, store=None, progress: Callable[[int, int], None] | None = None,
            should_stop: Callable[[], bool] | None = None) -> tuple[int, bool]:
    """(run id, whether it was created now) for the published entry ``name``: fetched, checked, imported."""
    from engines.labs.denoise.weights import WeightsError
    from workbench.labs.denoise.service import import_weights
    from workbench.store import RunStore

    entry = get(name)
    own = store is None
    store = store or RunStore()
    try:
        existing = installed_run(entry, store)
        if existing is not None:
            return existing, False
        path = fetch(entry, progress=progress, should_stop=should_stop)
        try:
            imported = import_weights(path, name=entry.title, store=store)
        except WeightsError as exc:
            raise PublishedError(f"{entry.name}: the downloaded file could not be imported ({exc})") from None
        return imported.run_id, True
    finally:
        if own:
            store.close()
