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


def test_calibration_scales_the_fastest_step_by_the_batches_of_an_epoch(monkeypatch):
    import math

    from engines.labs.classify.task import build_problem
    from workbench import studies

    config = plan_preset(PRESETS.get("se-dimension"), seeds=1, study_id="s")[3].config  # sse
    problem = build_problem(config)
    timings = iter([0.01, 0.002])  # the fastest training step, then the fastest scoring batch
    monkeypatch.setattr(studies, "_fastest", lambda fn, **kw: (fn(), next(timings))[1])
    result = studies.calibrate(config)
    batches = math.ceil(len(problem.train_set) / config.batch_size), math.ceil(len(problem.test_set) / config.batch_size)
    assert result.epoch == pytest.approx(0.01 * batches[0] + 0.002 * batches[1])
    assert result.start > 0


def test_the_fastest_of_repeated_calls_counts():
    import time

    from workbench.studies import _fastest

    delays = iter([0.03, 0.005, 0.02, 0.02, 0.02])
    assert _fastest(lambda: time.sleep(next(delays)), at_least=5, budget=0) == pytest.approx(0.005, abs=0.004)


def test_an_estimate_adds_the_median_of_recorded_runs_and_the_calibrations():
    from types import SimpleNamespace

    from workbench.studies import Calibration, cost_key, estimate_study, recorded_seconds_per_epoch

    planned = plan_study("classify", {"model": "small_cnn", "epochs": 3}, "batch_size", [16, 32], 2)
    first, second = cost_key(planned[0].config), cost_key(planned[2].config)

    def run(planned_config, seconds, epoch, **extra):
        return SimpleNamespace(status=extra.get("status", "finished"), tags=extra.get("tags", []), epoch=epoch,
                               seconds=seconds, config=planned_config.to_dict() | extra.get("config", {}))

    runs = [run(planned[0].config, 20, 2), run(planned[0].config, 30, 2), run(planned[0].config, 90, 2),
            run(planned[0].config, 500, 2, tags=["pretrained"]), run(planned[0].config, 500, 2, status="failed"),
            run(planned[0].config, 500, 1, config={"max_steps": 5})]
    recorded = recorded_seconds_per_epoch(runs)
    assert recorded == {first: [10.0, 15.0, 45.0]}
    waiting = estimate_study(planned, recorded)
    assert waiting.seconds is None and waiting.missing == (second,)
    done = estimate_study(planned, recorded, {second: Calibration(epoch=4.0, start=2.0)})
    assert done.seconds == pytest.approx(2 * 3 * 15.0 + 2 * (3 * 4.0 + 2.0))
    assert (done.runs, done.epochs, done.measured_runs, done.calibrated) == (4, 12, 3, 1)
