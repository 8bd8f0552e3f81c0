"""The authors' DnCNN weights on demand: `pretrained install NAME` from a loopback HTTP server (the mirror),
sha256-checked, imported through the weights-only importers, recorded as a run; offline and tampered files
install nothing."""
from __future__ import annotations

import functools
import hashlib
import http.server
import json
import threading
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import save_tiny_dncnn, save_tiny_dncnn_mat
from workbench.labs.denoise import published
from workbench.store import RunStore


@pytest.fixture
def serve(monkeypatch):
    """``serve(folder)`` → a loopback HTTP server over ``folder``, set as the weights mirror."""
    servers = []

    def start(folder: Path) -> str:
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
        handler.log_message = lambda *args: None
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        monkeypatch.setenv(published.MIRROR_ENV, url)
        return url

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _entry_for(monkeypatch, path: Path, name: str = "dncnn_s_25") -> published.Published:
    """The entry ``name`` with the sha256 of a file the test wrote (the real digests are of the authors' files)."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    entries = tuple(published.Published(e.name, e.url, digest if e.name == name else e.sha256, e.title, e.source,
                                        e.licence) for e in published.PUBLISHED)
    monkeypatch.setattr(published, "PUBLISHED", entries)
    return published.get(name)


def test_every_published_entry_names_a_file_a_url_a_digest_and_a_licence():
    names = [e.name for e in published.PUBLISHED]
    assert names == ["dncnn_s_25", "dncnn_s_15", "dncnn_s_50", "dncnn_b"]
    for entry in published.PUBLISHED:
        assert entry.url.startswith("https://raw.githubusercontent.com/cszn/") and len(entry.sha256) == 64
        assert entry.licence and entry.source
    assert published.get("dncnn_s_15").file_name == "sigma=15.mat"
    with pytest.raises(published.PublishedError, match="available: dncnn_s_25"):
        published.get("nope")


def test_install_downloads_checks_imports_and_records_once(cli, serve, tmp_path, monkeypatch):
    folder = tmp_path / "mirror"
    folder.mkdir()
    weights = save_tiny_dncnn(folder / "dncnn_25.pth")
    _entry_for(monkeypatch, weights)
    serve(folder)
    result = cli("pretrained", "install", "dncnn_s_25", "--json")
    assert result.rc == 0, result.text
    (row,) = json.loads(result.out.strip().splitlines()[-1])
    assert row["created"] and row["licence"] == "MIT"
    with RunStore() as store:
        run = store.get_run(row["run_id"])
    assert run.task == "denoise" and run.status == "finished" and run.config["sigma"] == 25.0
    assert (published.cache_dir() / "dncnn_25.pth").read_bytes() == weights.read_bytes()
    again = cli("pretrained", "install", "dncnn_s_25")  # already there: no second run, no download
    assert again.rc == 0 and "(already installed)" in again.out
    with RunStore() as store:
        assert len(store.list_runs()) == 1
    # The installed run denoises through the CLI like any other run.
    from PIL import Image

    image = tmp_path / "img.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (32, 32), dtype=np.uint8)).save(image)
    assert cli("denoise", image, "--run", row["run_id"], "--sigma", "25", "--out", tmp_path / "out").rc == 0


@pytest.mark.parametrize("name", [e.name for e in published.PUBLISHED])
def test_each_published_entry_installs_from_a_mirror_in_its_own_format(name, cli, serve, tmp_path, monkeypatch):
    """KAIR's .pth and the MatConvNet .mat files, each under the file name the entry's URL ends with."""
    folder = tmp_path / "mirror"
    folder.mkdir()
    file_name = published.get(name).file_name
    writer = save_tiny_dncnn_mat if file_name.endswith(".mat") else save_tiny_dncnn
    _entry_for(monkeypatch, writer(folder / file_name), name)
    serve(folder)
    result = cli("pretrained", "install", name, "--json")
    assert result.rc == 0, result.text
    (row,) = json.loads(result.out.strip().splitlines()[-1])
    with RunStore() as store:
        run = store.get_run(row["run_id"])
    assert run.task == "denoise" and run.status == "finished" and row["created"]
    blind = name == "dncnn_b"
    assert bool(run.config.get("blind")) == blind
    if not blind:
        assert run.config["sigma"] == float(name.rsplit("_", 1)[1])
    from engines.models import load_trained_model

    model = load_trained_model(run.checkpoint)
    assert sum(p.numel() for p in model.parameters()) > 0


@pytest.mark.parametrize("damage", ["tampered", "truncated", "missing"])
def test_a_damaged_or_missing_download_installs_nothing(damage, cli, serve, tmp_path, monkeypatch):
    folder = tmp_path / "mirror"
    folder.mkdir()
    weights = save_tiny_dncnn(tmp_path / "dncnn_25.pth")
    _entry_for(monkeypatch, weights)
    if damage == "tampered":
        data = bytearray(weights.read_bytes())
        data[len(data) // 2] ^= 0xFF
        (folder / "dncnn_25.pth").write_bytes(bytes(data))
    elif damage == "truncated":
        (folder / "dncnn_25.pth").write_bytes(weights.read_bytes()[:1000])
    url = serve(folder)
    result = cli("pretrained", "install", "dncnn_s_25")
    assert result.rc == 1 and "Traceback" not in result.text
    assert f"{url}dncnn_25.pth" in result.err and "Import weights" in result.err
    assert ("expected" in result.err) if damage != "missing" else ("404" in result.err or "Not Found" in result.err)
    assert not (published.cache_dir() / "dncnn_25.pth").exists()
    assert not list(published.cache_dir().glob("*.part"))
    with RunStore() as store:
        assert store.list_runs() == []


def test_offline_is_one_line_naming_the_url_and_the_alternative(cli, monkeypatch):
    monkeypatch.setenv(published.MIRROR_ENV, "http://127.0.0.1:9/")  # the discard port: nothing listens
    result = cli("pretrained", "install", "dncnn_b")
    assert result.rc == 1 and "Traceback" not in result.text
    assert "http://127.0.0.1:9/GD_Gray_Blind.mat" in result.err and "Import weights" in result.err


def test_list_shows_the_published_entries(cli):
    result = cli("pretrained", "list", "--json")
    rows = {r["name"]: r for r in json.loads(result.out.strip().splitlines()[-1])}
    assert rows["dncnn_b"]["published"] and rows["dncnn_b"]["file"] == "GD_Gray_Blind.mat"


@pytest.mark.slow  # a 17-layer DnCNN over a 256² image
def test_the_authors_weights_from_a_mirror_reach_the_published_psnr_on_set12(cli, serve, shared_data, tmp_path):
    """The acceptance run: install dncnn_s_25 from a mirror of the real file, denoise Set12's 05.png at σ 25."""
    weights = shared_data / "dncnn_weights"
    if not (weights / "dncnn_25.pth").is_file():
        pytest.skip("dncnn_25.pth not in the shared data")
    serve(weights)
    installed = cli("pretrained", "install", "dncnn_s_25", "--json")
    assert installed.rc == 0, installed.text
    run_id = json.loads(installed.out.strip().splitlines()[-1])[0]["run_id"]
    result = cli("denoise", shared_data / "set12" / "05.png", "--run", run_id, "--add-noise", "--sigma", "25",
                 "--out", tmp_path / "out", "--json")
    assert result.rc == 0, result.text
    (row,) = json.loads(result.out.strip().splitlines()[-1])["files"]
    assert row["psnr"] >= 29.5, row
