"""Everything PySide6 / pyqtgraph: main window, panels, workers, dialogs."""
