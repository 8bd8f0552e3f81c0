"""The Classification lab's *Models* tab: the model picker with its layer summary, and *Train* with a recipe.

The summary comes from :mod:`engines.core.model_summary`; *Train* queues a run through the window's runner
(recorded like every other run), keeping each epoch's weights for the Attention tab's scrubber.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from workbench.ui.shell.main_window import MainWindow

NO_RECIPE = QT_TRANSLATE_NOOP("ClassificationModelsTab", "(form values)")


class ClassificationModelsTab(QWidget):
    """Model, attention, width, dataset, recipe and epochs; the chosen model's summary beside them."""

    message = Signal(str)

    def __init__(self, main_window: "MainWindow") -> None:
        super().__init__()
        from engines.core.data import dataset_names
        from engines.core.models import model_names
        from engines.labs.classify.recipes import recipe_names
        from engines.models.attention import ATTENTIONS

        self.main_window = main_window
        self._summaries: dict[tuple, Any] = {}

        self.model_box = QComboBox()
        self.model_box.setObjectName("labModel")
        for name in model_names(task="classify"):
            self.model_box.addItem(name, name)
        self.attention_box = QComboBox()
        self.attention_box.setObjectName("labAttention")
        for kind in ATTENTIONS:
            self.attention_box.addItem(kind, kind)
        self.width_box = QComboBox()
        for width in (1.0, 0.75, 0.5, 0.25):
            self.width_box.addItem(f"{width:g}", width)
        self.data_box = QComboBox()
        self.data_box.setObjectName("labData")
        for name in dataset_names(task="classify"):
            self.data_box.addItem(name, name)
        self.data_box.setCurrentIndex(max(0, self.data_box.findData("digits")))
        self.recipe_box = QComboBox()
        self.recipe_box.setObjectName("labRecipe")
        self.recipe_box.addItem(self.tr(NO_RECIPE), "")
        for name in recipe_names():
            self.recipe_box.addItem(name, name)
        self.epochs_box = QSpinBox()
        self.epochs_box.setRange(0, 10_000)
        self.epochs_box.setSpecialValueText(self.tr("recipe / default"))
        self.train_button = QPushButton(self.tr("Train"))
        self.train_button.setObjectName("labTrain")
        self.train_button.clicked.connect(self.train)
        for box in (self.model_box, self.attention_box, self.width_box):
            box.currentIndexChanged.connect(lambda _i: self._on_choice())
        self.recipe_box.currentIndexChanged.connect(self._show_recipe)

        form = QFormLayout()
        form.addRow(self.tr("Model"), self.model_box)
        form.addRow(self.tr("Attention"), self.attention_box)
        form.addRow(self.tr("Width multiplier"), self.width_box)
        form.addRow(self.tr("Dataset"), self.data_box)
        form.addRow(self.tr("Recipe"), self.recipe_box)
        form.addRow(self.tr("Epochs"), self.epochs_box)
        self.recipe_label = QLabel()
        self.recipe_label.setWordWrap(True)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addLayout(form)
        left_layout.addWidget(self.recipe_label)
        left_layout.addWidget(self.train_button)
        left_layout.addStretch(1)

        self.summary_table = QTableWidget(0, 5)
        self.summary_table.setObjectName("summaryTable")
        self.summary_table.setHorizontalHeaderLabels(
            [self.tr("Layer"), self.tr("Type"), self.tr("Output"), self.tr("Params"), self.tr("FLOPs")])
        self.summary_table.verticalHeader().hide()
        self.summary_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.summary_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.summary_table.horizontalHeader().setStretchLastSection(True)
        self.summary_table.verticalHeader().setDefaultSectionSize(22)
        self.summary_totals = QLabel()
        self.summary_totals.setObjectName("summaryTotals")
        self.summary_totals.setWordWrap(True)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.summary_totals)
        right_layout.addWidget(self.summary_table, 1)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)  # the splitter fills the tab, edge to edge
        layout.addWidget(splitter)
        # Computed when the tab is shown (a counted forward pass costs ~0.5 s the first time), not while the
        # window starts; a choice made while the tab is hidden is summarised when it shows.
        self.summary = None
        self._summary_stale = True

    def showEvent(self, event) -> None:
        if self._summary_stale:
            self.update_summary()
        super().showEvent(event)

    def _on_choice(self) -> None:
        if self.isVisible():
            self.update_summary()
        else:
            self._summary_stale = True

    def _model_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {}
        from engines.core.models import model_spec
        from engines.core.registry import keyword_options

        accepted = keyword_options(model_spec(self.model_box.currentData()).builder)
        attention = self.attention_box.currentData()
        if "attention" in accepted and attention != accepted["attention"].default:
            options["attention"] = attention
        width = self.width_box.currentData()
        if "width_mult" in accepted and width != 1.0:
            options["width_mult"] = width
        return options

    @Slot()
    def update_summary(self) -> None:
        from engines.core.model_summary import summarize_registered

        name = self.model_box.currentData()
        if not name:
            return
        self._summary_stale = False
        options = self._model_options()
        key = (name, tuple(sorted(options.items())))
        try:
            summary = self._summaries.get(key) or summarize_registered(name, **options)
        except (ValueError, TypeError) as exc:
            self.summary_totals.setText(str(exc))
            return
        self._summaries[key] = summary
        self.summary = summary
        table = self.summary_table
        table.setRowCount(len(summary.rows))
        for row, layer in enumerate(summary.rows):
            cells = (layer.name, layer.kind, "×".join(map(str, layer.output_shape)), f"{layer.params:,}",
                     f"{layer.flops:,}")
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col >= 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(row, col, item)
        text = self.tr("%1 parameters, %2 MFLOPs per 32×32 image").replace("%1", f"{summary.params:,}") \
            .replace("%2", f"{summary.flops / 1e6:.1f}")
        if summary.separable:
            ratios = [s.ratio for s in summary.separable]
            text += self.tr("; %1 depthwise-separable layers cost %2–%3 of a standard convolution "
                            "(1/N + 1/D_K²)").replace("%1", str(len(ratios))) \
                .replace("%2", f"{min(ratios):.3f}").replace("%3", f"{max(ratios):.3f}")
        self.summary_totals.setText(text)

    def _show_recipe(self) -> None:
        from engines.labs.classify.recipes import RECIPES

        name = self.recipe_box.currentData()
        self.recipe_label.setText(QCoreApplication.translate("Recipes", RECIPES[name].title) if name else "")

    def train_config(self):
        from engines.core.tasks import make_config
        from engines.labs.classify.recipes import recipe_values

        values: dict[str, Any] = {"model": self.model_box.currentData(), "data": self.data_box.currentData(),
                                  "keep_epoch_weights": True}
        recipe = self.recipe_box.currentData()
        if recipe:
            values.update(recipe_values(recipe))
        if self.epochs_box.value():
            values["epochs"] = self.epochs_box.value()
        values["model_options"] = self._model_options()
        return make_config("classify", **values).validate()

    @Slot()
    def train(self) -> int | None:
        try:
            config = self.train_config()
        except ValueError as exc:
            self.message.emit(str(exc))
            return None
        run_id = self.main_window.start_job(config)
        if run_id is None:  # the window said why (a store that cannot record runs)
            return None
        self.message.emit(self.tr("Run #%1 queued").replace("%1", str(run_id)))
        return run_id
