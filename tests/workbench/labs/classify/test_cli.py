"""Command-line options of the classification lab: attention pairs, aliases, recipes, study preset."""
from __future__ import annotations

import json

import pytest

from workbench.cli import UsageError, build_parser, config_from_args, main


def config_for(*args):
    return config_from_args(build_parser().parse_args(["train", *args]))


def test_attention_value_may_carry_more_model_options():
    config = config_for("--model", "mobilenet_v2", "--set", "attention=se,r=16")
    assert config.model_options == {"attention": "se", "reduction": 16}
    config = config_for("--model", "mobilenet_v1", "--set", "attention=scse,r=8,squeeze=max", "--set", "relu6=true")
    assert config.model_options == {"attention": "scse", "reduction": 8, "squeeze": "max", "relu6": True}
    assert config_for("--model", "resnet18", "--set", "attention=se").model_options == {"attention": "se"}
    assert config_for("--set", "data.size=16,data.test_fraction=0.5").data_options == {"size": 16,
                                                                                       "test_fraction": 0.5}


@pytest.mark.parametrize("args, needle", [
    (["--model", "mobilenet_v2", "--set", "attention=cbam"], "cbam"),
    (["--model", "mobilenet_v2", "--set", "attention=se,q=3"], "'q'"),
    (["--model", "mobilenet_v2", "--set", "attention=se,r=0"], "reduction"),
    (["--model", "small_cnn", "--set", "attention=se,squeeze=median"], "median"),
    (["--set", "recipe=marathon"], "marathon"),
])
def test_bad_model_options_are_usage_errors(args, needle):
    with pytest.raises(UsageError, match=needle):
        config_for(*args)


def test_recipes_set_the_base_and_explicit_options_win():
    course = config_for("--model", "mobilenet_v2", "--set", "recipe=course")
    assert (course.epochs, course.batch_size, course.optimizer, course.lr) == (10, 128, "sgd", 0.01)
    assert course.keep_epoch_weights
    full = config_for("--model", "mobilenet_v2", "--set", "recipe=full", "--epochs", "3", "--set", "lr=0.05")
    assert (full.epochs, full.scheduler, full.momentum, full.weight_decay, full.lr) == (3, "cosine", 0.9, 5e-4, 0.05)


@pytest.mark.slow
@pytest.mark.parametrize("model", ["mobilenet_v1", "mobilenet_v2", "resnet18"])
def test_training_with_se_from_the_command_line(model, capsys):
    args = ["train", "--model", model, "--epochs", "1", "--batch-size", "16", "--set", "attention=se,r=4",
            "--set", "width_mult=0.25", "--set", "max_steps=3", "--set", "data.size=16,data.test_fraction=0.05",
            "--json"]
    assert main(args) == 0
    outcome = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert outcome["status"] == "finished" and 0.0 <= outcome["metrics"]["test_accuracy"] <= 1.0
    from workbench.store import RunStore

    with RunStore() as store:
        run = store.get_run(outcome["run_id"])
    assert run.config["model_options"] == {"attention": "se", "reduction": 4, "width_mult": 0.25}


def test_output_activation_study_on_mobilenet_plans_two_groups_of_two_seeds():
    from workbench.studies import PRESETS, plan_preset

    planned = plan_preset(PRESETS.get("output-activation-mobilenet"), study_id="s")
    assert len(planned) == 4
    assert [p.config.model_options["output"] for p in planned] == ["none", "none", "softmax", "softmax"]
    assert {p.config.model for p in planned} == {"mobilenet_v2"} and {p.config.data for p in planned} == {"digits"}


def test_summary_and_recipes_commands(capsys):
    assert main(["summary", "mobilenet_v1", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["params"] == 2_142_026 and len(summary["separable"]) == 9
    assert main(["summary", "mobilenet_v2", "--set", "attention=se,r=8", "--set", "width_mult=0.5"]) == 0
    assert "depthwise-separable layers: 17" in capsys.readouterr().out
    assert main(["summary", "mobilenet_v2", "--set", "attention=cbam"]) == 2
    assert "cbam" in capsys.readouterr().err
    assert main(["recipes", "--json"]) == 0
    assert set(json.loads(capsys.readouterr().out)) == {"course", "full"}


def test_bench_report_formats_every_figure():
    from workbench.labs.classify.bench import format_report

    training = {"reference_images_per_s": 27.5, "workbench_images_per_s": 59.0, "ratio": 2.145, "goal_ratio": 2.0,
                "max_loss_difference": 2e-5}
    report = {"quick": True, "machine": {"torch": "x", "torch_threads": 2, "load_average": [1.0]},
              "training": {"mobilenet_v2": training},
              "inference": {"mobilenet_v2": {"params": 2_296_922, "flops": 182_309_888,
                                             "latency_ms_per_image_batch1": 9.5,
                                             "latency_ms_per_image_batch64": 2.25}},
              "numerics": "channels-last"}
    text = format_report(report)
    assert "2.15×" in text and "2,296,922" in text and "2.250" in text and "channels-last" in text
