#!/usr/bin/env python
"""A screenshot tour of the real window: one PNG per state and ``tour.json`` with captions and the numbers shown.

    python packaging/tour.py --out DIR [--states a,b,...] [--size 1600x1000] [--lang en|zh_CN]
                             [--dncnn-weights FILE] [--keep-home]

The window is the application's own (``MainWindow`` in the ``QApplication`` made as the program makes it, so the
theme and translations apply), shown offscreen when there is no display, on a fresh workbench home with the
shipped models installed and private window settings. Each state drives the window as a user would (form values,
buttons, clicks, the public slots) and waits on its signals with a deadline; a state that fails records its error
in ``tour.json`` and the tour goes on (exit code 1 at the end). See ``docs/tour.md``.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
STATES = ["first_paint", "first_launch", "live_training", "compare_seed_group", "finished_study", "attention",
          "confusion_gallery", "denoising", "hsi_map", "retrieval_browser", "chinese", "course_questions",
          "study_report"]
SHARED_ENV = "WORKBENCH_SHARED_DATA"  # the shared data folder; default ../shared/data beside the repository
FONT_SUFFIXES = (".ttf", ".ttc", ".otf")


class StateError(RuntimeError):
    """A state could not reach what its screenshot should show."""


# -- environment, before Qt is imported --------------------------------------------------------------------------
def font_folder(into: Path) -> str | None:
    """A folder of links to the system's font files (from ``fc-list``), for Qt's offscreen platform."""
    files: list[str] = []
    try:
        listed = subprocess.run(["fc-list", "--format", "%{file}\n"], capture_output=True, text=True, timeout=30)
        files = [line.strip() for line in listed.stdout.splitlines() if line.strip().lower().endswith(FONT_SUFFIXES)]
    except (OSError, subprocess.SubprocessError):
        pass
    if not files:
        for folder in ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".fonts")):
            files += [str(p) for p in Path(folder).rglob("*") if p.suffix.lower() in FONT_SUFFIXES]
    if not files:
        return None
    into.mkdir(parents=True, exist_ok=True)
    for path in files:
        link = into / Path(path).name
        if not link.exists():
            try:
                link.symlink_to(path)
            except OSError:
                continue
    return str(into)


def prepare_environment(args, temp: Path) -> Path:
    """Offscreen without a display, a fresh home with the shipped models, fonts, the language; returns the home."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen" and not os.environ.get("QT_QPA_FONTDIR"):
        folder = font_folder(temp / "fonts")
        if folder:
            os.environ["QT_QPA_FONTDIR"] = folder
    home = Path(args.home) if args.home else temp / "home"
    os.environ["WORKBENCH_HOME"] = str(home)
    os.environ["WORKBENCH_PRETRAINED"] = "on"
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as the program does: the GUI thread keeps its core
    if args.lang and args.lang != "en":
        os.environ["LANG"] = os.environ["LC_ALL"] = f"{args.lang}.UTF-8"
        os.environ["LANGUAGE"] = args.lang
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return home


def shared_data() -> Path | None:
    folder = Path(os.environ.get(SHARED_ENV) or ROOT.parent / "shared" / "data")
    return folder if folder.is_dir() else None


# -- waiting on the window ------------------------------------------------------------------------------------------
def wait(ms: int = 50) -> None:
    """Run the event loop for ``ms`` (timers, queued signals, deferred deletions).

    Not ``QTest.qWait``: it holds the GIL while it sleeps, which starves the window's own Python threads (the
    engines' import after the first paint took ten times as long under it).
    """
    from PySide6.QtCore import QCoreApplication, QEvent

    app = QCoreApplication.instance()
    deadline = time.monotonic() + ms / 1000
    while True:
        app.processEvents()
        app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        left = deadline - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(0.01, left))


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise StateError(f"{what}: not within {timeout:.0f} s")
        wait(30)


class Catch:
    """Records a signal's emissions (``args`` of each) so a state can wait for the one it needs."""

    def __init__(self, signal) -> None:
        self.calls: list[tuple] = []
        self.signal = signal
        signal.connect(self._record)

    def _record(self, *args) -> None:
        self.calls.append(args)

    def close(self) -> None:
        try:
            self.signal.disconnect(self._record)
        except (RuntimeError, TypeError):
            pass


def wait_signal(signal, timeout: float, what: str, start: Callable[[], Any] | None = None,
                accept: Callable[..., bool] | None = None):
    """Call ``start`` and wait for ``signal`` (one whose arguments ``accept`` takes); returns the start's value."""
    catch = Catch(signal)
    try:
        value = start() if start is not None else None
        wait_until(lambda: any(accept is None or accept(*c) for c in catch.calls), timeout, what)
        return value
    finally:
        catch.close()


# -- the tour -------------------------------------------------------------------------------------------------------
class Tour:
    def __init__(self, args, home: Path, temp: Path) -> None:
        self.args = args
        self.home = home
        self.temp = temp
        self.out = Path(args.out)
        self.size = tuple(int(v) for v in args.size.lower().split("x"))
        self.window = None
        self.app = None
        self.records: list[dict] = []
        self.live_run: int | None = None
        self.seed_runs: list[int] = []
        self.shown_at: float | None = None

    # helpers
    def shipped(self, name: str) -> int:
        for run in self.window.store.list_runs():
            if "pretrained" in run.tags and run.summary.get("pretrained", {}).get("name") == name:
                return run.id
        raise StateError(f"the shipped run {name!r} is not installed in this home")

    def lab(self, title: str):
        from tests.ui.qt_helpers import open_lab

        return open_lab(self.window, title)

    def ensure_engines(self) -> None:
        if not self.window.labs:
            wait_until(lambda: bool(self.window.labs), 180, "the engines and labs loading")

    def grab(self, path: Path) -> tuple[int, int]:
        wait(250)  # layouts, plots' deferred redraws
        image = self.window.grab()
        if not image.save(str(path)):
            raise StateError(f"cannot write {path}")
        return image.width(), image.height()

    # the window
    def make_window(self) -> None:
        from PySide6.QtCore import QSettings

        from workbench.ui.shell.app import _make_app

        self.app = _make_app()
        if self.args.lang:
            from workbench.ui.shell.i18n import install_translators

            install_translators(self.app, self.args.lang)
        qsettings = self.temp / "qsettings"
        for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
            QSettings.setPath(fmt, QSettings.Scope.UserScope, str(qsettings))
        QSettings().clear()
        from workbench.ui.shell.main_window import MainWindow

        self.window = MainWindow()
        self.window.setProperty("suppress_dialogs", True)  # warnings are recorded, not modal boxes over the shot
        self.window.setProperty("ephemeral", True)
        self.window.resize(*self.size)

    def show(self) -> None:
        self.window.show()
        wait_until(lambda: self.window.windowHandle() is not None and self.window.windowHandle().isExposed(), 10,
                   "the window appearing")
        self.shown_at = time.perf_counter()

    # states: each returns (caption, numbers); the tour grabs the window after it returns
    def first_paint(self):
        started = time.perf_counter()
        self.show()
        # The lab tabs are there at once, each with its loading bar while the engines import in a thread.
        from workbench.ui.shell.lab import LabPlaceholder

        self.window.tabs.setCurrentIndex(2)
        current = self.window.tabs.currentWidget()
        if not isinstance(current, LabPlaceholder):
            raise StateError("the engines had already loaded: no lab placeholder to show")
        wait(100)
        tabs = [self.window.tabs.tabText(i) for i in range(self.window.tabs.count())]
        return ("The window at its first paint: every lab's tab is there, the current one with its busy bar, "
                "while torch and the engines load", {"seconds_to_show": round(self.shown_at - started, 2),
                                                      "tabs": tabs, "labs_built": len(self.window.labs)})

    def first_launch(self):
        if not self.window.isVisible():
            self.show()
        self.ensure_engines()
        self.window.tabs.setCurrentWidget(self.window.training_tab)
        if self.args.select:
            self.window.browser.select([self.args.select])
        runs = self.window.store.list_runs()
        wait(300)
        loaded = self.window._preloader.seconds if self.window._preloader is not None else None
        return ("First launch: the engines loaded, the shipped runs listed, the latest run's curves on Training",
                {"runs_listed": self.window.browser.model.rowCount(), "shipped": [r.title for r in runs
                                                                                   if "pretrained" in r.tags],
                 "engine_import_seconds": None if loaded is None else round(loaded, 2)})

    def live_training(self):
        self.ensure_engines()
        w = self.window
        w.tabs.setCurrentWidget(w.training_tab)
        w.task_box.setCurrentIndex(w.task_box.findData("classify"))
        form = w.config_form
        form.set_values({"model": "small_cnn", "data": "digits", "epochs": 3, "batch_size": 32, "threads": 1,
                         "seed": 0})
        form.model_editors["width"].set(8)
        epochs, steps = Catch(w.runner.epoch_done), Catch(w.runner.steps)
        try:
            wait_signal(w.runner.run_started, 120, "the run starting", start=w.start_button.click)
            self.live_run = w.runner.current_run_id
            if self.live_run is None:
                raise StateError("no run was started from the form")
            w.browser.select([self.live_run])  # the user clicks the new run: its curves alone
            # Grab in the second epoch: a test point plotted and the loss curve still moving.
            wait_until(lambda: bool(epochs.calls) or not w.runner.busy, 120, "the first epoch")
            first = steps.calls[-1][1][-1][0] if steps.calls else 0
            wait_until(lambda: (steps.calls and steps.calls[-1][1][-1][0] >= first + 15) or not w.runner.busy, 60,
                       "steps of the second epoch")
            w.curves.redraw(force=True)
            self._grabbed = self.grab(self._path)  # now: the numbers below are those on screen
            step, progress = (steps.calls[-1][1][-1][:2]) if steps.calls else (0, 0.0)
        finally:
            epochs.close()
            steps.close()
        running = w.runner.busy and w.runner.current_run_id == self.live_run
        metrics = dict(epochs.calls[-1][2]) if epochs.calls else {}
        accuracy = metrics.get("test_accuracy")
        return (f"Training a small CNN on digits started from the New-run form, live: run #{self.live_run} in epoch "
                f"{min(int(progress) + 1, 3)} of 3, step {step}"
                + (f"; test accuracy {accuracy:.4f} after epoch 1" if accuracy is not None else ""),
                {"run_id": self.live_run, "step": step, "running_when_grabbed": running,
                 "test_accuracy_epoch_1": accuracy})

    def compare_seed_group(self):
        import dataclasses

        from workbench.runner import config_for_run

        w = self.window
        self.ensure_engines()
        if self.live_run is None:
            self.live_training()
        wait_until(lambda: not w.runner.busy, 180, f"run #{self.live_run} finishing")
        config = config_for_run(w.store, self.live_run)
        ids = [self.live_run]
        for seed in (1, 2):
            ids.append(w.start_job(dataclasses.replace(config, seed=seed)))
        if None in ids:
            raise StateError(f"a seed run could not be queued: {w.property('last_warning')}")
        wait_until(lambda: not w.runner.busy and not w.runner.queue and all(
            w.store.get_run(i).status not in ("queued", "running") for i in ids), 240, "the seed runs finishing")
        self.seed_runs = ids
        w.browser.select(ids)
        w.browser.view.setFocus()
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        QTest.keyClick(w, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
        wait_until(lambda: w.tabs.currentWidget() is w.compare_tab, 10, "Ctrl+D opening Compare")
        rows = w.compare.table_values()
        groups = [r for r in rows if r["kind"] == "group"]
        if not groups:
            raise StateError(f"no seed group among the compare rows {rows}")
        group = groups[0]
        finals = [w.store.get_run(i).metrics.get("test_accuracy") for i in ids]
        return (f"Three runs that differ only by seed, compared (Ctrl+D): one row, test accuracy "
                f"{group['final']:.4f} ± {group.get('final_std') or 0:.4f} (n={group['n']})",
                {"run_ids": ids, "test_accuracy": finals, "mean": group["final"], "std": group.get("final_std"),
                 "n": group["n"]})

    def finished_study(self):
        from workbench.studies import PRESETS, plan_preset

        w = self.window
        self.ensure_engines()
        wait_until(lambda: not w.runner.busy, 180, "the previous runs finishing")
        preset = PRESETS.get("output-activation")
        planned = plan_preset(preset, seeds=1, overrides={
            "epochs": 1, "batch_size": 32, "threads": 1, "model_options": {"width": 8}, "data_options": {"size": 16}})
        w.tabs.setCurrentWidget(w.training_tab)
        ids = w.queue_study(planned, preset.factor)
        if len(ids) != len(planned):
            raise StateError(f"only {len(ids)} of {len(planned)} study runs were queued: "
                             f"{w.property('last_warning')}")
        wait_until(lambda: w.tabs.currentWidget() is w.compare_tab and not w.runner.busy, 300,
                   "the study finishing and Compare opening")
        groups = {r["label"]: r["final"] for r in w.compare.table_values()}
        title = preset.title
        shown = ", ".join(f"{label} {value:.4f}" for label, value in groups.items() if value is not None)
        return (f"A finished study ('{title}', 1 seed, 1 epoch, 16×16 digits): Compare grouped by the output "
                f"activation; test accuracy {shown}", {"study": preset.name, "run_ids": ids, "test_accuracy": groups})

    def attention(self):
        self.ensure_engines()
        run_id = self.shipped("se_mobilenet_v2_digits")
        lab = self.lab("Classification")
        attention = lab.attention_tab
        lab.tabs.setCurrentWidget(attention)
        if not attention.select_se_run(run_id):
            raise StateError(f"the attention view does not offer the shipped SE run #{run_id}")
        attention.block_box.setCurrentIndex(attention.block_box.count() // 2)
        wait_until(lambda: attention.bar_chart.bar_count() > 0, 30, "the excitation bars")
        values = attention.bar_chart.values
        # Class specificity: the mean excitations of two classes at an early, a middle and a late block.
        attention.class_a.setCurrentIndex(3)
        attention.class_b.setCurrentIndex(8)
        wait_signal(attention.class_means_ready, 120, "the mean excitations per class",
                    start=attention.class_button.click)
        return (f"Classification ▸ Attention: the squeeze-and-excitation gates of the shipped SE MobileNet V2 "
                f"(run #{run_id}) for one test digit, block {attention.block_box.currentText()}; below, the mean "
                f"excitations of classes {attention.class_a.currentText()} and {attention.class_b.currentText()}",
                {"run_id": run_id, "block": attention.block_box.currentText(),
                 "channels": attention.bar_chart.bar_count(), "mean_gate": round(float(sum(values) / len(values)), 4)})

    def confusion_gallery(self):
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        self.ensure_engines()
        lab = self.lab("Classification")
        evaluation = lab.evaluation_tab
        lab.refresh_runs()
        lab.tabs.setCurrentWidget(evaluation)
        run_id = self.seed_runs[0] if self.seed_runs else (self.live_run or self.shipped("mobilenet_v2_digits"))
        if not evaluation.offers(run_id):
            run_id = self.shipped("mobilenet_v2_digits")
        evaluation.select_run(run_id)
        wait_signal(evaluation.evaluation_ready, 120, "the evaluation",
                    start=lambda: QTest.mouseClick(evaluation.evaluate_button, Qt.MouseButton.LeftButton))
        ev = evaluation.evaluation
        size = len(ev.class_names)
        cells = [(int(ev.confusion[r, c]), r, c) for r in range(size) for c in range(size) if r != c]
        count, row, col = max(cells) if cells and max(cells)[0] > 0 else (int(ev.confusion[3, 3]), 3, 3)
        wait(200)
        rect = evaluation.confusion.visualItemRect(evaluation.confusion.item(row, col))
        QTest.mouseClick(evaluation.confusion.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        wait_until(lambda: evaluation.gallery.count() == min(count, evaluation.GALLERY_LIMIT), 10,
                   "the cell's gallery")
        return (f"Classification ▸ Evaluation of run #{run_id}: test accuracy {ev.accuracy:.4f}; the confusion "
                f"cell true {ev.class_names[row]} → predicted {ev.class_names[col]} clicked, its {count} image(s) "
                f"in the gallery", {"run_id": run_id, "test_accuracy": float(ev.accuracy),
                                     "cell": [ev.class_names[row], ev.class_names[col]], "cell_count": count,
                                     "gallery": evaluation.gallery.count()})

    def _dncnn_run(self, lab) -> tuple[int | None, str]:
        """A DnCNN run: the given weights, the shared published ones, or the authors' download; else why not."""
        candidates = []
        if self.args.dncnn_weights:
            candidates.append(Path(self.args.dncnn_weights))
        data = shared_data()
        if data is not None:
            candidates += [data / "dncnn_weights" / "dncnn_25.pth", data / "dncnn_weights" / "sigma=25.mat"]
        for path in candidates:
            if path.is_file():
                run_id = lab.import_weights(str(path))
                if run_id is not None:
                    return run_id, f"imported {path.name}"
        done = Catch(lab.weights_job.finished)
        try:
            lab.get_authors_dncnn()
            wait_until(lambda: bool(done.calls), 60, "the authors' DnCNN download")
        except StateError as exc:
            lab.weights_job.cancel()
            return None, str(exc)
        finally:
            done.close()
        runs = [c for c in lab.choices.values() if c.method == "dncnn"]
        if runs:
            return int(runs[0].key.split(":")[1]), "downloaded the authors' weights"
        return None, str(self.window.property("last_warning") or "the authors' DnCNN could not be fetched")

    def denoising(self):
        import numpy as np

        self.ensure_engines()
        lab = self.lab("Denoising")
        wait_until(lambda: not lab.busy, 120, "the lab's start-up preview")
        run_id, how = self._dncnn_run(lab)
        keys = ([f"run:{run_id}"] if run_id is not None else []) + (["nlm"] if run_id is not None else ["nlm", "tv"])
        lab.set_checked(keys)
        lab.sigma.setValue(25.0)
        lab.add_noise.setChecked(True)
        data = shared_data()
        image = data / "set12" / "05.png" if data is not None else None
        if image is None or not image.is_file():
            from PIL import Image

            yy, xx = np.mgrid[0:256, 0:256]
            synthetic = (128 + 60 * np.sin(xx / 9.0) * np.cos(yy / 13.0) + 40 * ((xx // 32 + yy // 32) % 2))
            image = self.temp / "synthetic.png"
            Image.fromarray(np.clip(synthetic, 0, 255).astype(np.uint8)).save(image)
        wait_until(lambda: not lab.busy, 120, "the previous denoising job")
        wait_signal(lab.batch_finished, 180, f"denoising {image.name}", start=lambda: lab.open_paths([str(image)]))
        wait_until(lambda: not lab.busy, 30, "the denoising job ending")
        outcome = lab.current_outcome
        if outcome is None or not outcome.results:
            raise StateError(f"no result for {image.name}: {lab.errors or lab.status.text()}")
        lab.swipe.setValue(500)
        psnr = {choice.short or choice.title: round(float(result.psnr), 2) for choice, result in outcome.results
                if result.psnr is not None}
        numbers: dict[str, Any] = {"image": image.name, "sigma": 25, "noisy_psnr": round(float(outcome.noisy_psnr), 2),
                                   "psnr": psnr, "dncnn": how if run_id is not None else "unavailable: " + how}
        shown = ", ".join(f"{k} {v:.2f} dB" for k, v in psnr.items())
        caption = (f"Denoising {image.name} at σ 25 (noisy {numbers['noisy_psnr']:.2f} dB): {shown}; the swipe line "
                   f"at mid-image")
        if run_id is None:
            caption += " (DnCNN unavailable here, classical methods only)"
        return caption, numbers

    def hsi_map(self):
        import numpy as np
        from PySide6.QtCore import QPointF, Qt
        from PySide6.QtTest import QTest

        self.ensure_engines()
        run_id = self.shipped("hybridsn_indian_pines_30")
        lab = self.lab("Hyperspectral")
        wait_signal(lab.maps_ready, 180, "the scene loading", start=lambda: lab.show_runs([run_id]))
        wait_until(lambda: not lab.busy, 30, "the load job ending")
        if lab.missing:
            started = time.perf_counter()
            wait_signal(lab.maps_ready, 300, "the map", start=lambda: QTest.mouseClick(lab.compute_button,
                                                                                       Qt.MouseButton.LeftButton))
            seconds = time.perf_counter() - started
            wait_until(lambda: not lab.busy, 30, "the map job ending")
        else:
            seconds = 0.0
        view = lab.map_view
        if len(view.panels) < 2:
            raise StateError("the run's map panel is not shown")
        panel = view.panels[1]
        gt = view.scene_view.gt
        labelled = np.argwhere(gt > 0)
        centre = np.array(gt.shape) / 2
        row, col = (int(v) for v in labelled[np.argmin(((labelled - centre) ** 2).sum(1))])
        target = QPointF(col + 0.5, row + 0.5)
        wait_until(lambda: view.pixel_at(panel.view.mapViewToScene(target)) == (panel, row, col), 10,
                   "the map view settling")
        shown = Catch(lab.spectrum_shown)
        try:
            QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                             pos=view.mapFromScene(panel.view.mapViewToScene(target)))
            wait_until(lambda: bool(shown.calls), 10, "the clicked pixel's spectrum")
        finally:
            shown.close()
        (scores,) = lab.map_scores()
        return (f"Hyperspectral: the shipped HybridSN's Indian Pines map (OA {100 * scores['overall_accuracy']:.1f} %, "
                f"AA {100 * scores['average_accuracy']:.1f} %, κ {scores['kappa']:.3f} on its test pixels) beside the "
                f"ground truth; pixel (row {row}, col {col}) clicked",
                {"run_id": run_id, "map_seconds": round(seconds, 1), "overall_accuracy": scores["overall_accuracy"],
                 "average_accuracy": scores["average_accuracy"], "kappa": scores["kappa"],
                 "test_pixels": scores["pixels_scored"], "pixel": [row, col]})

    def retrieval_browser(self):
        from PySide6.QtCore import Qt

        self.ensure_engines()
        run_id = self.shipped("dscmr_indian_pines_views")
        lab = self.lab("Retrieval")
        if lab.analysis is None or lab.run_id != run_id:
            wait_signal(lab.analysis_ready, 240, "the run's analysis", start=lambda: lab.show_runs([run_id]))
        wait_until(lambda: not lab.busy and lab.analysis is not None, 60, "the analysis job ending")
        browser = lab.browser_tab
        lab.tabs.setCurrentWidget(browser)
        # A typical query: the first whose precision@k is at least the run's mAP (a query whose neighbours are
        # all of other classes would misrepresent the run).
        k = browser.k_box.value()
        wanted = lab.analysis.scores.get("map_average", 0.5)
        query = 0
        for row in range(min(browser.query_list.count(), 400)):
            index = browser.query_list.item(row).data(Qt.ItemDataRole.UserRole)
            _order, _sims, same = lab.analysis.ranking(browser.query_modality(), index, top=k)
            if same[:k].mean() >= wanted:
                query = row
                break
        browser.query_list.setCurrentRow(query)
        wait_until(lambda: browser.results.rowCount() > 0, 10, "the ranked results")
        run = self.window.store.get_run(run_id)
        scores = lab.analysis.scores
        return (f"Retrieval ▸ Browser: the shipped DSCMR run #{run_id} (mAP {scores.get('map_average', 0):.4f}), "
                f"query {browser.query_list.currentItem().text()} and its ranked results; "
                f"{browser.precision_label.text()}",
                {"run_id": run_id, "map_average": scores.get("map_average"),
                 "map_chance": run.metrics.get("map_chance"), "query": browser.query_list.currentItem().text(),
                 "precision": browser.precision_label.text()})

    def chinese(self):
        """The same window in Chinese: a child tour with the same home, language set as a user's locale sets it."""
        child_out = Path(tempfile.mkdtemp(prefix="tour-zh-", dir=self.temp))
        command = [sys.executable, str(Path(__file__).resolve()), "--out", str(child_out), "--states",
                   "first_launch", "--size", self.args.size, "--lang", "zh_CN", "--home", str(self.home)]
        if self.live_run is not None:
            command += ["--select", str(self.live_run)]  # a run with curves, as the user left the window
        env = dict(os.environ, LANG="zh_CN.UTF-8", LC_ALL="zh_CN.UTF-8", LANGUAGE="zh_CN")
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=240)
        try:
            report = json.loads((child_out / "tour.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise StateError(f"the Chinese window did not report (exit {done.returncode}): "
                             f"{done.stderr[-1500:]}") from None
        (state,) = report["states"]
        if state.get("error"):
            raise StateError(f"the Chinese window: {state['error']}")
        self._child_png = child_out / state["file"]
        return ("The same window in Simplified Chinese (LANG=zh_CN): menus, tabs, runs list, New-run form and "
                "the Training tab", {**state.get("numbers", {}), "language": report.get("language")})

    def course_questions(self):
        """A three-seed study of the first question, then Help ▸ Course questions with its card judged on it."""
        from workbench.studies import PRESETS, plan_preset
        from workbench.ui.shell.answers_view import AnswersDialog

        w = self.window
        self.ensure_engines()
        wait_until(lambda: not w.runner.busy, 180, "the previous runs finishing")
        preset = PRESETS.get("output-activation")
        planned = plan_preset(preset, seeds=3, overrides={
            "epochs": 2, "batch_size": 32, "threads": 1, "model_options": {"width": 8}, "data_options": {"size": 16}})
        w.tabs.setCurrentWidget(w.training_tab)
        ids = w.queue_study(planned, preset.factor)
        if len(ids) != len(planned):
            raise StateError(f"only {len(ids)} of {len(planned)} study runs were queued")
        wait_until(lambda: not w.runner.busy and all(w.store.get_run(i).status == "finished" for i in ids), 600,
                   "the three-seed study finishing")
        w.show_questions()
        dialog = w.findChild(AnswersDialog)
        wait_until(dialog.isVisible, 10, "the Course questions dialog")
        wait(400)
        card = dialog.cards[preset.name]
        verdict = card.verdict_text()
        if preset.name not in verdict or str(len(ids)) not in verdict:  # the study's tag and run count, any language
            raise StateError(f"the output-activation card does not show the study: {verdict[:200]}")
        image = dialog.grab()
        if not image.save(str(self._path)):
            raise StateError(f"cannot write {self._path}")
        self._grabbed = (image.width(), image.height())
        dialog.close()
        self.study_runs = ids
        sentences = [line.strip() for line in verdict.splitlines() if "softmax" in line and "points" in line]
        return ("Help ▸ Course questions: the output-activation card judged on a fresh three-seed study "
                "(2 epochs, 16×16 digits), the mechanism above and the published facts beside",
                {"run_ids": ids, "verdict": sentences[:2]})

    def study_report(self):
        """File ▸ Export report… of that study, as HTML and PDF; the screenshot is the report's first page as Qt
        lays it out for the PDF."""
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QColor, QImage, QPainter, QTextDocument

        from workbench.report import data_uri_images
        from workbench.ui.shell.report_export import ReportExporter

        w = self.window
        ids = getattr(self, "study_runs", None) or self.seed_runs
        if not ids:
            raise StateError("no study to report on (run the course_questions state first)")
        exporter = getattr(w, "report_exporter", None) or ReportExporter(w)
        w.report_exporter = exporter
        outcome: list[str] = []
        exporter.written.connect(lambda path: outcome.append(str(path)))
        exporter.failed.connect(lambda message: outcome.append("failed: " + message))
        html_path, pdf_path = self._path.with_suffix(".html"), self._path.with_suffix(".pdf")
        for path in (html_path, pdf_path):
            outcome.clear()
            if not exporter.export(str(path), run_ids=ids):
                raise StateError(f"the report of runs {ids} did not start")
            wait_until(lambda: bool(outcome) and not exporter.busy, 300, f"the report {path.name}")
            if outcome[0].startswith("failed"):
                raise StateError(outcome[0])
        document = html_path.read_text(encoding="utf-8")
        doc = QTextDocument()
        doc.setHtml(document)
        for src, png in data_uri_images(document):
            doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(src), QImage.fromData(png))
        width = 1000
        doc.setTextWidth(width)
        height = min(int(doc.size().height()), 1400)
        image = QImage(width, height, QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        doc.drawContents(painter)
        painter.end()
        if not image.save(str(self._path)):
            raise StateError(f"cannot write {self._path}")
        self._grabbed = (width, height)
        return (f"File ▸ Export report… of that study: {html_path.name} ({html_path.stat().st_size // 1024} KB, "
                f"self-contained) and {pdf_path.name} ({pdf_path.stat().st_size // 1024} KB); the top of the report "
                "as Qt lays it out for the PDF",
                {"html": html_path.name, "pdf": pdf_path.name, "images": len(data_uri_images(document))})

    # running
    def run(self, wanted: list[str]) -> int:
        self.out.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        self.make_window()
        failed = 0
        for name in wanted:
            index = STATES.index(name) + 1
            path = self.out / f"{index:02d}_{name}.png"
            record: dict[str, Any] = {"state": name, "file": path.name}
            t0 = time.perf_counter()
            try:
                self._child_png, self._grabbed, self._path = None, None, path
                if name != "first_paint" and not self.window.isVisible():
                    self.show()
                caption, numbers = getattr(self, name)()
                if self._child_png is not None:
                    shutil.copyfile(self._child_png, path)
                    from PySide6.QtGui import QImage

                    image = QImage(str(path))
                    width, height = image.width(), image.height()
                elif self._grabbed is not None:
                    width, height = self._grabbed
                else:
                    width, height = self.grab(path)
                if name == "first_paint" and self.window.labs:
                    raise StateError("the labs were built before the screenshot: it does not show the first paint")
                record.update(caption=caption, numbers=numbers, size=[width, height])
            except Exception as exc:  # noqa: BLE001 (a failed state is recorded and the tour goes on)
                failed += 1
                record.update(error=f"{type(exc).__name__}: {exc}",
                              traceback=traceback.format_exc(limit=6))
                try:
                    width, height = self.grab(path)  # what the window showed when it failed
                    record["size"] = [width, height]
                except Exception:  # noqa: BLE001
                    record["file"] = None
                print(f"tour: {name} failed: {exc}", file=sys.stderr, flush=True)
            record["seconds"] = round(time.perf_counter() - t0, 2)
            self.records.append(record)
            print(f"tour: {name} {record['seconds']} s", file=sys.stderr, flush=True)
            self.write_report(time.perf_counter() - started)
        self.close()
        self.write_report(time.perf_counter() - started)
        return 1 if failed else 0

    def write_report(self, seconds: float) -> None:
        from workbench.ui.shell.i18n import current_language

        report = {"size": list(self.size), "language": current_language(), "platform": os.environ.get(
            "QT_QPA_PLATFORM", ""), "seconds": round(seconds, 1), "states": self.records}
        (self.out / "tour.json").write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n",
                                            encoding="utf-8")

    def close(self) -> None:
        w = self.window
        if w is None:
            return
        if w.runner.busy:
            w.runner.cancel_queued()
            w.stop_run()
        w.close()
        wait(200)
        w.store.close()


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Screenshots of the real window, one per state, and tour.json.")
    parser.add_argument("--out", required=True, help="folder for the PNGs and tour.json")
    parser.add_argument("--states", default=",".join(STATES), help=f"comma-separated, of: {', '.join(STATES)}")
    parser.add_argument("--size", default="1600x1000", help="window size WIDTHxHEIGHT")
    parser.add_argument("--lang", default="", help="en or zh_CN (default: the system locale)")
    parser.add_argument("--dncnn-weights", default="", help="DnCNN weights to import for the denoising state")
    parser.add_argument("--keep-home", action="store_true", help="keep the temporary workbench home (printed)")
    parser.add_argument("--home", default="", help=argparse.SUPPRESS)  # the Chinese child reuses the tour's home
    parser.add_argument("--select", type=int, default=0, help=argparse.SUPPRESS)  # a run to select at launch
    args = parser.parse_args(argv)
    wanted = [s.strip() for s in args.states.split(",") if s.strip()]
    unknown = [s for s in wanted if s not in STATES]
    if unknown:
        parser.error(f"unknown state(s) {', '.join(unknown)}; choose from {', '.join(STATES)}")
    try:
        width, height = (int(v) for v in args.size.lower().split("x"))
        assert width >= 900 and height >= 560
    except (ValueError, AssertionError):
        parser.error("--size is WIDTHxHEIGHT, at least 900x560 (the window's minimum)")
    args.wanted = [s for s in STATES if s in wanted]
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    temp = Path(tempfile.mkdtemp(prefix="workbench-tour-"))
    home = prepare_environment(args, temp)
    try:
        return Tour(args, home, temp).run(args.wanted)
    finally:
        if args.keep_home:
            print(f"tour: workbench home kept at {home}", file=sys.stderr)
        else:
            shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
