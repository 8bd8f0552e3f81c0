"""Config fields and the model/dataset options typed by the builder's and loader's signatures."""
from __future__ import annotations

import pytest

from engines.core.config import SEED_MAX, ConfigError, check_options, coerce_option, parse_literal
from engines.core.tasks import make_config


def _builder(*, width: int = 16, dropout: float = 0.0, batchnorm: bool = True, output: str = "none",
             width_mult: float = 1.0, max_items: int = 0, path: str | None = None, crop=None):
    """A stand-in model builder: its keyword options are what check_options reads."""


_builder.option_choices = {"output": ("none", "softmax", "log_softmax")}


@pytest.mark.parametrize("given, expected", [
    ({"width": "8"}, {"width": 8}),
    ({"width": 8.0}, {"width": 8}),
    ({"batchnorm": "no"}, {"batchnorm": False}),
    ({"batchnorm": "YES"}, {"batchnorm": True}),
    ({"batchnorm": 0}, {"batchnorm": False}),
    ({"output": "none"}, {"output": "none"}),
    ({"dropout": "0"}, {"dropout": 0.0}),
    ({"max_items": "0"}, {"max_items": 0}),
    ({"path": "none"}, {"path": "none"}),  # a text option keeps its text
    ({"path": None}, {"path": None}),
    ({"crop": "none"}, {"crop": None}),  # an untyped option whose default is None
    ({"crop": "0:4,0:4"}, {"crop": "0:4,0:4"}),
    ({"w": "4"}, {"width": 4}),  # an alias
])
def test_values_are_typed_by_the_signature(given, expected):
    assert check_options("model 'x'", _builder, given, aliases={"w": "width"},
                         choices=_builder.option_choices) == expected


@pytest.mark.parametrize("given, needle", [
    ({"batchnorm": "maybe"}, "batchnorm"),
    ({"batchnorm": 2}, "batchnorm"),
    ({"width": "0"}, "width"),
    ({"width": True}, "width"),
    ({"width": 2.5}, "width"),
    ({"dropout": "1"}, "dropout"),
    ({"dropout": "inf"}, "dropout"),
    ({"width_mult": 0}, "width_mult"),
    ({"max_items": -1}, "max_items"),
    ({"output": None}, "output"),
    ({"output": "sigmoid"}, "valid choices: none, softmax, log_softmax"),
    ({"height": 3}, "valid options: batchnorm, crop"),
])
def test_bad_values_name_the_option_and_the_value(given, needle):
    with pytest.raises(ConfigError, match=needle):
        check_options("model 'x'", _builder, given, choices=_builder.option_choices)


def test_none_is_text_for_parse_literal():
    assert parse_literal("none") == "none" and parse_literal("16") == 16 and parse_literal("true") is True


def test_shares_of_a_split_lie_strictly_inside_0_and_1():
    for value in ("0", "1"):
        with pytest.raises(ConfigError, match="test_fraction"):
            coerce_option("dataset 'd'", "test_fraction", value, float, 0.2)
    assert coerce_option("dataset 'd'", "val_fraction", "0", float, 0.1) == 0.0


@pytest.mark.parametrize("values, needle", [
    ({"seed": SEED_MAX + 1}, "seed"),
    ({"seed": -1}, "seed"),
    ({"threads": 100_000}, "threads"),
    ({"epochs": 2**70}, "epochs"),
    ({"lr": float("nan")}, "lr"),
    ({"label_smoothing": 1.5}, "label_smoothing"),
])
def test_config_fields_are_bounded(values, needle):
    with pytest.raises(ConfigError, match=needle):
        make_config("classify", **values).validate()


def test_validate_normalises_the_options_it_was_given():
    config = make_config("classify", model="mobilenet_v2",
                         model_options={"r": "8", "attention": "se", "relu6": "true"},
                         data_options={"size": "16"}).validate()
    assert config.model_options == {"reduction": 8, "attention": "se", "relu6": True}
    assert config.data_options == {"size": 16}
