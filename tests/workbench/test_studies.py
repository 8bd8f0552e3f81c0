import pytest

from workbench.studies import FACTOR_TAG, PRESETS, plan_preset, plan_study, study_of


def test_preset_expands_to_values_times_seeds_with_tags():
    planned = plan_preset(PRESETS.get("output-activation"), seeds=2, study_id="s1")
    assert len(planned) == 6
    outputs = [p.config.model_options["output"] for p in planned]
    assert outputs == ["none", "none", "softmax", "softmax", "log_softmax", "log_softmax"]
    assert [p.config.seed for p in planned] == [0, 1] * 3
    assert all(study_of(p.tags) == "s1" for p in planned)
    assert f"{FACTOR_TAG}model_options.output=softmax" in planned[2].tags


def test_custom_study_on_a_config_field_and_bad_input():
    planned = plan_study("classify", {"model": "small_cnn", "epochs": 1}, "lr", [1e-3, 1e-2], 1)
    assert [p.config.lr for p in planned] == [1e-3, 1e-2]
    with pytest.raises(ValueError, match="no_such_key"):
        plan_study("classify", {}, "no_such_key", [1], 1)
    with pytest.raises(ValueError, match="optimizer"):
        plan_study("classify", {}, "optimizer", ["rmsprop"], 1)
    with pytest.raises(ValueError, match="at least one"):
        plan_study("classify", {}, "lr", [], 1)


def test_a_study_over_another_tasks_models_or_datasets_is_refused_before_any_run():
    from engines.core.config import ConfigError

    with pytest.raises(ConfigError, match="model 'hybridsn' is not a classify model; valid choices: mobilenet_v1"):
        plan_study("classify", {"data": "digits"}, "model", ["small_cnn", "hybridsn"], 1)
    with pytest.raises(ConfigError, match="dataset 'indian_pines' is not a classify dataset; valid choices: "
                                          "cifar10, digits"):
        plan_study("classify", {"model": "small_cnn"}, "data", ["digits", "indian_pines"], 1)


@pytest.mark.parametrize("name", sorted(PRESETS.names()))
def test_study_runs_are_named_by_the_factors_value_and_seed(name):
    preset = PRESETS.get(name)
    planned = plan_preset(preset, seeds=2, study_id="s")
    names = [p.name for p in planned]
    assert len(set(names)) == len(names)  # no two runs of a study share a name
    for i, run in enumerate(planned):
        value = preset.values[i // 2]
        assert str(value) in run.name and run.name.endswith(f"· seed {run.config.seed}")
        if "." in preset.factor:  # the option's own name, not the group a list would elide it in
            short = preset.factor.rsplit(".", 1)[1]
            assert run.name.startswith(f"{short}={value} ·") and preset.factor not in run.name
    # Same seed, different value: the names differ exactly where the value does.
    firsts = [run.name for run in planned[::2]]
    assert len(set(firsts)) == len(preset.values)
