"""The runs list as a user sees it: drawn status icons, a default width that shows model, dataset and metric in
full, study runs named by their factor's value, and imported or shipped runs that say what they are."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QIcon
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionViewItem

from workbench.store import STATUSES, RunStore
from workbench.ui.shell.runs_model import RunsTableModel, status_icon, status_text

COLUMN = {name: i for i, name in enumerate(RunsTableModel.COLUMNS)}


def _cell(browser, run_id: int, column: str):
    """The index of ``run_id``'s cell in ``column`` as the view shows it (through the sort/filter proxy)."""
    source = browser.model.index(browser.model.row_of(run_id), COLUMN[column])
    return browser.proxy.mapFromSource(source)


def _opaque(icon: QIcon, side: int = 16, min_alpha: int = 255) -> list[tuple[int, int, int]]:
    image = icon.pixmap(QSize(side, side)).toImage()
    return [(c.red(), c.green(), c.blue()) for c in (image.pixelColor(x, y) for x in range(image.width())
                                                      for y in range(image.height())) if c.alpha() >= min_alpha]


def _contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two colours (3:1 is the minimum for graphical objects)."""
    def luminance(c: QColor) -> float:
        channels = [v / 255 for v in (c.red(), c.green(), c.blue())]
        linear = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    low, high = sorted((luminance(a), luminance(b)))
    return (high + 0.05) / (low + 0.05)


def test_every_status_is_a_drawn_icon_of_its_own_and_its_word_stays_for_screen_readers(make_window):
    ids = {}
    with RunStore() as store:  # created by this process, so the window keeps queued, running and paused as they are
        for status in STATUSES:
            ids[status] = store.create_run(task="classify", model="small_cnn", dataset="digits", config={"epochs": 2})
            if status != "queued":
                store.set_status(ids[status], status, "why it ended" if status == "failed" else "")
    win = make_window(show=True)
    browser = win.browser
    images = {}
    for status, run_id in ids.items():
        index = _cell(browser, run_id, "Status")
        assert browser.model.run_at(browser.model.row_of(run_id)).status == status
        icon = index.data(Qt.ItemDataRole.DecorationRole)
        assert isinstance(icon, QIcon) and not icon.isNull(), status
        drawn = _opaque(icon, min_alpha=128)
        assert len(drawn) >= 16, f"{status}: only {len(drawn)} visible pixels"
        images[status] = icon.pixmap(QSize(16, 16)).toImage()
        # No font glyph that a desktop font may lack: the cell has no text, the word is for screen readers.
        assert not index.data(Qt.ItemDataRole.DisplayRole)
        assert index.data(Qt.ItemDataRole.AccessibleTextRole) == status_text(status)
        assert index.data(Qt.ItemDataRole.ToolTipRole).startswith(status_text(status))
    assert "why it ended" in _cell(browser, ids["failed"], "Status").data(Qt.ItemDataRole.ToolTipRole)
    distinct = {bytes(image.constBits()) for image in images.values()}
    assert len(distinct) == len(STATUSES), "two statuses share an icon"
    # The status filter offers the same icons beside the words.
    combo = browser.status_filter
    for i in range(1, combo.count()):
        assert not combo.itemIcon(i).isNull() and combo.itemText(i) == status_text(combo.itemData(i))


def test_status_icons_are_cached_per_ratio_and_read_on_light_and_dark_windows(qapp):
    from workbench.ui.shell.theme import _dark_palette

    light_base = QApplication.style().standardPalette().color(QApplication.palette().ColorRole.Base)
    dark_base = _dark_palette().color(_dark_palette().ColorRole.Base)
    for status in (*STATUSES, "a status from a newer version"):
        assert status_icon(status, device_pixel_ratio=1.0) is status_icon(status, device_pixel_ratio=1.0)
        sharp = status_icon(status, device_pixel_ratio=2.0, dark=False)
        assert QSize(32, 32) in sharp.availableSizes(), "no pixmap drawn for a 2× screen"
        for dark, base in ((False, light_base), (True, dark_base)):
            drawn = Counter(_opaque(status_icon(status, device_pixel_ratio=1.0, dark=dark)))
            main = QColor(*drawn.most_common(1)[0][0])  # the shape's colour, not its white or dark marks
            assert _contrast(main, base) >= 3.0, (status, dark, main.name(), base.name())
        assert _opaque(status_icon(status, dark=True)) != _opaque(status_icon(status, dark=False))


def _shown_in_full(view, index) -> bool:
    """Whether the cell at ``index`` lies inside the viewport and its text is drawn without eliding."""
    option = QStyleOptionViewItem()
    view.initViewItemOption(option)
    view.itemDelegate().initStyleOption(option, index)
    option.rect = view.visualRect(index)
    if option.rect.left() < 0 or option.rect.right() >= view.viewport().width():
        return False
    text_rect = view.style().subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, view)
    margin = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
    return option.fontMetrics.horizontalAdvance(option.text) <= text_rect.width() - 2 * margin


def _finished(store, task: str, model: str, dataset: str, metrics: dict, **fields) -> int:
    run_id = store.create_run(task=task, model=model, dataset=dataset, config={"epochs": 20},
                              name=fields.pop("name", ""), tags=fields.pop("tags", ()))
    store.update_run(run_id, epoch=20, summary={"metrics": metrics}, **fields)
    store.set_status(run_id, "finished")
    return run_id


@pytest.mark.parametrize("size", [None, (1366, 768)], ids=["default", "1366x768"])
def test_default_width_shows_model_dataset_and_metric_in_full(make_window, size):
    with RunStore() as store:
        runs = [
            _finished(store, "hsi", "hybridsn", "indian_pines", {"overall_accuracy": 0.9919}),
            _finished(store, "classify", "mobilenet_v2", "digits", {"test_accuracy": 0.9972}),
            _finished(store, "retrieval", "dscmr", "indian_pines_views", {"map_average": 0.5663}),
            _finished(store, "denoise", "dncnn", "skimage_samples", {"val_psnr": 30.3217}),
        ]
    win = make_window(show=True, size=size)
    QApplication.processEvents()
    if size is None:
        assert (win.width(), win.height()) == (1400, 860)  # the window's own default
    view = win.browser.view
    indian_pines = _cell(win.browser, runs[0], "Dataset")
    assert view.columnWidth(indian_pines.column()) >= view.fontMetrics().horizontalAdvance("indian_pines")
    for run_id in runs:
        for column in ("ID", "Status", "Model", "Dataset", "Metric"):
            index = _cell(win.browser, run_id, column)
            assert _shown_in_full(view, index), (size, column, index.data(), view.columnWidth(index.column()),
                                                 view.viewport().width())
    # The dock asks for what those columns need, so it opens that wide wherever the window has room for it.
    needed = sum(view.columnWidth(COLUMN[c]) for c in ("ID", "Status", "Model", "Dataset", "Metric"))
    assert view.sizeHint().width() >= needed


def test_a_column_the_user_resized_keeps_its_width_when_the_list_reloads(make_window):
    with RunStore() as store:
        _finished(store, "hsi", "hybridsn", "indian_pines", {"overall_accuracy": 0.9})
    win = make_window(show=True)
    header = win.browser.view.horizontalHeader()
    fitted = header.sectionSize(COLUMN["Model"])
    header.resizeSection(COLUMN["Dataset"], 41)  # as a drag on the header does
    with RunStore() as store:
        _finished(store, "classify", "se_mobilenet_v2_with_a_long_name", "digits", {"test_accuracy": 0.9})
    win.browser.refresh()
    assert header.sectionSize(COLUMN["Dataset"]) == 41
    assert header.sectionSize(COLUMN["Model"]) > fitted  # a column left alone still fits what is new


def test_metric_column_shows_each_tasks_primary_metric_from_the_summary(make_window):
    from workbench.tasks_meta import PRIMARY_METRICS

    rng = np.random.default_rng(7)
    values = {}
    with RunStore() as store:
        for task, (metric, _higher) in PRIMARY_METRICS.items():
            value = float(rng.uniform(20, 35) if metric == "val_psnr" else rng.uniform(0.3, 0.99))
            values[_finished(store, task, "m", "d", {metric: value, "train_loss": 0.1})] = (metric, value)
            assert not store.metrics(max(values))  # no metric points: the summary is all there is
        queued = store.create_run(task="classify", model="m", dataset="d", config={"epochs": 2})
    win = make_window(show=True)
    for run_id, (metric, value) in values.items():
        text = _cell(win.browser, run_id, "Metric").data()
        if metric == "val_psnr":
            assert text.endswith(" dB") and float(text.removesuffix(" dB")) == pytest.approx(value, abs=0.006)
        else:
            assert float(text) == pytest.approx(value, abs=6e-5)
        assert text in _cell(win.browser, run_id, "Model").data(Qt.ItemDataRole.ToolTipRole)
    assert _cell(win.browser, queued, "Metric").data() == "–"
    # Sorting by the column orders by the value, with runs that have none last (descending).
    win.browser.view.sortByColumn(COLUMN["Metric"], Qt.SortOrder.DescendingOrder)
    proxy = win.browser.proxy
    from workbench.ui.shell.runs_model import RUN_ID_ROLE

    order = [proxy.index(r, 0).data(RUN_ID_ROLE) for r in range(proxy.rowCount())]
    assert order[-1] == queued


def test_imported_weights_say_imported_and_a_shipped_model_shows_its_final_metric(make_window, tmp_path):
    from tests.helpers import save_tiny_dncnn
    from workbench import pretrained
    from workbench.labs.denoise.service import import_weights

    imported = import_weights(save_tiny_dncnn(tmp_path / "dncnn_25.pth")).run_id
    entry = next(e for e in pretrained.entries() if e.task == "classify")
    shipped = pretrained.install(entry).run_id
    win = make_window(show=True)
    browser = win.browser

    assert _cell(browser, imported, "Epoch").data() == "imported"  # not "0/2": nothing was trained here
    assert _cell(browser, imported, "Metric").data() == "–"
    assert "Imported weights" in _cell(browser, imported, "Model").data(Qt.ItemDataRole.ToolTipRole)

    accuracy = entry.evaluation["test_accuracy"]
    assert float(_cell(browser, shipped, "Metric").data()) == pytest.approx(accuracy, abs=6e-5)
    assert _cell(browser, shipped, "Epoch").data() == f"{entry.epochs}/{entry.config['epochs']}"
    assert "pretrained" in _cell(browser, shipped, "Model").data(Qt.ItemDataRole.ToolTipRole)


def test_study_runs_are_listed_by_factor_value_and_keep_their_study_in_the_tooltip(make_window):
    from workbench.runner import create_run
    from workbench.studies import PRESETS, plan_preset

    preset = PRESETS.get("output-activation")
    planned = plan_preset(preset, seeds=2, study_id="output-activation-1")
    with RunStore() as store:
        ids = [create_run(store, p.config, name=p.name, tags=p.tags) for p in planned]
    win = make_window(show=True)
    names = [_cell(win.browser, run_id, "Name").data() for run_id in ids]
    assert len(set(names)) == len(names)
    for name, p in zip(names, planned):
        value = p.config.model_options["output"]
        assert name.startswith(f"output={value} ·") and f"seed {p.config.seed}" in name
        assert "model_options" not in name
    tip = _cell(win.browser, ids[2], "Name").data(Qt.ItemDataRole.ToolTipRole)
    assert "Study: output-activation-1" in tip and "model_options.output=softmax" in tip
    win.browser.search.setText("output-activation-1")  # the study's id finds its runs
    assert win.browser.proxy.rowCount() == len(ids)


def test_status_icons_follow_a_switch_to_a_dark_palette(make_window, qapp):
    from workbench.ui.shell.theme import _dark_palette

    with RunStore() as store:
        run_id = store.create_run(task="classify", model="m", dataset="d", config={"epochs": 2})
    win = make_window(show=True)
    combo = win.browser.status_filter
    paused = combo.findData("paused")
    light = _opaque(combo.itemIcon(paused))
    before = _opaque(_cell(win.browser, run_id, "Status").data(Qt.ItemDataRole.DecorationRole))
    original = qapp.palette()
    try:
        qapp.setPalette(_dark_palette())
        qapp.processEvents()
        assert _opaque(combo.itemIcon(paused)) == _opaque(status_icon("paused", dark=True)) != light
        after = _opaque(_cell(win.browser, run_id, "Status").data(Qt.ItemDataRole.DecorationRole))
        assert after == _opaque(status_icon("queued", dark=True)) != before
    finally:
        qapp.setPalette(original)
