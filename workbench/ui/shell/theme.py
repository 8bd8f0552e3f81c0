"""Look and feel: the application icon, action icons, and plots that follow the system palette.

pyqtgraph draws with its own global colours (black background, grey axes) instead of the
widget palette, so plots would stay dark in a light desktop and the other way round.
:func:`follow_system_palette` sets pyqtgraph's colours from the :class:`QPalette` and
re-applies them to the plots already on screen whenever the palette changes (the desktop
switches between light and dark, or a style sheet changes the palette).

Only colours that are still the theme's are replaced: a curve pen or an axis someone
coloured on purpose keeps its colour.
"""
from __future__ import annotations

import sys

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QWidget

from workbench.paths import assets_dir

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def app_icon() -> QIcon:
    """The application icon: the SVG for any size, the rendered PNGs where they exist (crisp at 16-32 px)."""
    folder = assets_dir() / "icons"
    icon = QIcon()
    for size in ICON_SIZES:
        png = folder / f"cnn-workbench-{size}.png"
        if png.exists():
            icon.addFile(str(png))
    svg = folder / "cnn-workbench.svg"
    if svg.exists():
        icon.addFile(str(svg))
    return icon


# -- action icons -------------------------------------------------------------------------------
# One set for the whole menu: the freedesktop icon theme where the desktop has one (Linux),
# else the current style's standard icons (Windows, macOS, bare Linux). Mixing the two per
# action would give a patchwork, so the choice is made once for all actions.
ACTION_ICONS = {
    "study_action": ("document-new", QStyle.StandardPixmap.SP_FileDialogNewFolder),
    "start_action": ("media-playback-start", QStyle.StandardPixmap.SP_MediaPlay),
    "pause_action": ("media-playback-pause", QStyle.StandardPixmap.SP_MediaPause),
    "stop_action": ("media-playback-stop", QStyle.StandardPixmap.SP_MediaStop),
    "discard_action": ("process-stop", QStyle.StandardPixmap.SP_DialogDiscardButton),
    "continue_action": ("media-seek-forward", QStyle.StandardPixmap.SP_MediaSeekForward),
    "delete_action": ("edit-delete", QStyle.StandardPixmap.SP_TrashIcon),
    "rename_action": ("document-edit", QStyle.StandardPixmap.SP_FileDialogContentsView),
    "find_action": ("edit-find", QStyle.StandardPixmap.SP_FileDialogContentsView),
    "compare_action": ("view-list-details", QStyle.StandardPixmap.SP_FileDialogDetailedView),
    "preferences_action": ("preferences-system", QStyle.StandardPixmap.SP_ComputerIcon),
    "about_action": ("help-about", QStyle.StandardPixmap.SP_MessageBoxInformation),
}


def _theme_has_all(names) -> bool:
    return bool(QIcon.themeName()) and all(QIcon.hasThemeIcon(name) for name in names)


def install_action_icons(window) -> int:
    """Give the window's named actions icons from one set; returns how many got one."""
    use_theme = _theme_has_all(name for name, _ in ACTION_ICONS.values())
    style = window.style()
    count = 0
    for attribute, (theme_name, standard) in ACTION_ICONS.items():
        action = getattr(window, attribute, None)
        if action is None:
            continue
        action.setIcon(QIcon.fromTheme(theme_name) if use_theme else style.standardIcon(standard))
        count += 1
    return count


# -- palette ----------------------------------------------------------------------------------
def plot_colors(palette: QPalette) -> tuple[QColor, QColor]:
    """Background and foreground of a plot for ``palette``: the colours of a text field."""
    return palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text)


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def _same(a, b: QColor) -> bool:
    import pyqtgraph as pg

    return pg.mkColor(a).rgb() == b.rgb()


def apply_pyqtgraph_palette(palette: QPalette | None = None, *, recolour: bool = True) -> None:
    """Set pyqtgraph's background/foreground from ``palette`` and recolour the live plots (``recolour``: False
    where none exists yet — finding them scans every Python object, ~0.2 s once torch is loaded).

    Does nothing until pyqtgraph is imported (the window loads it after its first paint).
    """
    if "pyqtgraph" not in sys.modules:
        return
    import pyqtgraph as pg

    palette = palette or QApplication.palette()
    background, foreground = plot_colors(palette)
    old_foreground = pg.mkColor(pg.getConfigOption("foreground"))
    pg.setConfigOptions(background=background, foreground=foreground)
    for view in _graphics_views() if recolour else ():
        if getattr(view, "_background", None) == "default":
            view.setBackground("default")
        scene = view.scene()
        if scene is not None:
            _recolour_items(scene.items(), old_foreground, foreground)


def _graphics_views() -> list:
    """The live pyqtgraph views.

    Found among Python's objects rather than through ``QApplication.allWidgets()``: that
    wraps every widget, also ones whose C++ side is being torn down, and crashed PySide6 6.11
    after a window closed. pyqtgraph views are created from Python, so each has a wrapper
    whose validity shiboken tracks.
    """
    import gc

    import pyqtgraph as pg
    import shiboken6

    # type(), not isinstance(): the latter reads __class__, which some torch objects warn on.
    return [obj for obj in gc.get_objects() if issubclass(type(obj), pg.GraphicsView) and shiboken6.isValid(obj)]


def _recolour_items(items, old: QColor, new: QColor) -> None:
    import pyqtgraph as pg

    for item in items:
        if isinstance(item, pg.AxisItem):
            if _same(item.pen().color(), old):
                item.setPen(new)
            if _same(item.textPen().color(), old):
                item.setTextPen(new)
        elif isinstance(item, pg.LabelItem):
            if item.opts.get("color") is None:
                item.setText(item.text)  # re-renders with the new foreground
            elif _same(item.opts["color"], old):
                item.setText(item.text, color=new)


def _dark_palette() -> QPalette:
    """A Fusion dark palette, for platforms that report a dark scheme but give Qt no dark palette."""
    p = QPalette()
    window, base, text = QColor(45, 45, 48), QColor(30, 30, 32), QColor(230, 230, 230)
    disabled = QColor(127, 127, 127)
    for role, color in ((QPalette.ColorRole.Window, window), (QPalette.ColorRole.WindowText, text),
                        (QPalette.ColorRole.Base, base), (QPalette.ColorRole.AlternateBase, window),
                        (QPalette.ColorRole.ToolTipBase, window), (QPalette.ColorRole.ToolTipText, text),
                        (QPalette.ColorRole.PlaceholderText, disabled), (QPalette.ColorRole.Text, text),
                        (QPalette.ColorRole.Button, window), (QPalette.ColorRole.ButtonText, text),
                        (QPalette.ColorRole.BrightText, QColor(255, 80, 80)),
                        (QPalette.ColorRole.Link, QColor(90, 160, 240)),
                        (QPalette.ColorRole.Highlight, QColor(60, 120, 200)),
                        (QPalette.ColorRole.HighlightedText, QColor(255, 255, 255))):
        p.setColor(role, color)
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return p


class PaletteFollower(QWidget):
    """Recolours the plots when the application palette or the desktop's colour scheme changes.

    A hidden widget rather than an application-wide event filter: Qt sends every widget a
    palette change, and a filter on the application would run Python for every event.
    """

    def __init__(self, app: QApplication) -> None:
        super().__init__()
        self.app = app
        self.setObjectName("paletteFollower")
        self.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
        self.own_dark_palette = False  # True while the palette is ours, not the platform's
        self.applied = 0  # how many times the plots were recoloured (tests read it)
        app.aboutToQuit.connect(self.deleteLater)
        hints = QGuiApplication.styleHints()
        if hasattr(hints, "colorSchemeChanged"):  # Qt >= 6.5
            hints.colorSchemeChanged.connect(self._on_color_scheme)

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self.apply()
        super().changeEvent(event)

    def apply(self, *, recolour: bool = True) -> None:
        self.applied += 1
        apply_pyqtgraph_palette(self.app.palette(), recolour=recolour)

    def _on_color_scheme(self, scheme) -> None:
        # Most platform themes hand Qt a matching palette themselves (a PaletteChange follows);
        # only where the palette disagrees with the scheme is a Fusion palette set here.
        dark = scheme == Qt.ColorScheme.Dark
        if dark and not is_dark(self.app.palette()):
            self.app.setStyle("Fusion")
            self.app.setPalette(_dark_palette())
            self.own_dark_palette = True
        elif not dark and self.own_dark_palette:
            self.app.setPalette(self.app.style().standardPalette())
            self.own_dark_palette = False


_follower: PaletteFollower | None = None


def follow_system_palette(app: QApplication | None = None, *, recolour: bool = True) -> PaletteFollower:
    """Install the palette follower once for ``app`` and apply the current palette now (``recolour``: also to
    plots that already exist)."""
    global _follower
    import shiboken6

    app = app or QApplication.instance()
    if _follower is None or not shiboken6.isValid(_follower) or _follower.app is not app:
        _follower = PaletteFollower(app)
    _follower.apply(recolour=recolour)
    return _follower
