"""Look and feel: plots follow the palette, one icon set for the actions, the application icon."""
from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QPalette

from workbench.ui.shell.theme import ACTION_ICONS, app_icon, follow_system_palette, plot_colors


@pytest.fixture
def pg():
    import pyqtgraph

    return pyqtgraph


@pytest.fixture
def restore_palette(qapp, pg):
    palette = qapp.palette()
    options = {k: pg.getConfigOption(k) for k in ("background", "foreground")}
    yield
    qapp.setPalette(palette)
    pg.setConfigOptions(**options)


def _palette(window: str, base: str, text: str) -> QPalette:
    p = QPalette()
    p.setColor(QPalette.ColorRole.Window, QColor(window))
    p.setColor(QPalette.ColorRole.Base, QColor(base))
    p.setColor(QPalette.ColorRole.Text, QColor(text))
    p.setColor(QPalette.ColorRole.WindowText, QColor(text))
    return p


def test_plots_take_the_palette_and_follow_its_changes(qtbot, qapp, pg, restore_palette):
    qapp.setPalette(_palette("#f0f0f0", "#ffffff", "#101010"))
    follow_system_palette(qapp)
    plot = pg.PlotWidget()  # default background: pyqtgraph's config, now the palette's
    qtbot.addWidget(plot)
    curve = plot.plot([0, 1, 2], pen=pg.mkPen("#ff0000"))
    custom_axis = plot.getPlotItem().getAxis("right")
    custom_axis.setPen("#00aa00")
    plot.setTitle("loss")
    axis = plot.getPlotItem().getAxis("left")
    assert axis.pen().color().name() == "#101010"
    assert plot.backgroundBrush().color().name() == "#ffffff"

    qapp.setPalette(_palette("#2d2d30", "#1e1e20", "#e6e6e6"))  # the desktop turns dark
    qapp.processEvents()
    assert pg.getConfigOption("foreground").name() == "#e6e6e6"
    assert axis.pen().color().name() == "#e6e6e6" and axis.textPen().color().name() == "#e6e6e6"
    assert plot.backgroundBrush().color().name() == "#1e1e20"
    assert "#e6e6e6" in plot.getPlotItem().titleLabel.item.toHtml()
    # Colours chosen on purpose stay.
    assert curve.opts["pen"].color().name() == "#ff0000"
    assert custom_axis.pen().color().name() == "#00aa00"


def test_transparent_plots_stay_transparent(qtbot, qapp, pg, restore_palette):
    follow_system_palette(qapp)
    plot = pg.PlotWidget()
    plot.setBackground(None)
    qtbot.addWidget(plot)
    qapp.setPalette(_palette("#2d2d30", "#1e1e20", "#e6e6e6"))
    qapp.processEvents()
    assert plot.backgroundBrush().style().name == "NoBrush"


def test_plot_colors_are_a_text_fields():
    background, foreground = plot_colors(_palette("#2d2d30", "#1e1e20", "#e6e6e6"))
    assert (background.name(), foreground.name()) == ("#1e1e20", "#e6e6e6")


def test_menu_actions_get_icons_from_one_set(qtbot):
    from workbench.ui.shell.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    named = [getattr(win, name) for name in ACTION_ICONS if hasattr(win, name)]
    assert len(named) >= 10
    assert all(not action.icon().isNull() for action in named)
    win.close()


def test_app_icon_has_every_rendered_size():
    sizes = {s.width() for s in app_icon().availableSizes()}
    assert {16, 32, 48, 256} <= sizes
