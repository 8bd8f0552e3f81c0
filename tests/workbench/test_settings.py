import json

import pytest

from workbench.settings import SCHEMA_VERSION, Settings, load_settings, migrate, save_settings


def test_round_trip_in_workbench_home(workbench_home):
    settings = Settings(device="cpu", threads=1, language="zh_CN", plot_refresh_hz=10, inference_precision="fp32")
    save_settings(settings)
    assert (workbench_home / "settings.json").exists()
    assert load_settings() == settings


def test_missing_or_damaged_file_gives_defaults(workbench_home):
    assert load_settings() == Settings()
    (workbench_home / "settings.json").write_text("{not json")
    assert load_settings() == Settings()


def test_unknown_keys_are_dropped_and_newer_schema_refused(workbench_home):
    (workbench_home / "settings.json").write_text(json.dumps({"schema_version": 1, "device": "cpu", "old": 1}))
    assert load_settings().device == "cpu"
    with pytest.raises(ValueError, match="newer"):
        migrate({"schema_version": SCHEMA_VERSION + 1})


def test_a_value_of_the_wrong_type_falls_back_to_its_default(workbench_home):
    (workbench_home / "settings.json").write_text(json.dumps(
        {"threads": "4", "plot_refresh_hz": True, "device": "cpu", "data_dir": ["/data"]}))
    settings = load_settings()
    assert (settings.threads, settings.plot_refresh_hz) == (Settings().threads, Settings().plot_refresh_hz)
    assert settings.device == "cpu" and settings.data_dir == Settings().data_dir


def test_a_file_without_a_schema_version_is_read_as_the_first_schema(workbench_home):
    (workbench_home / "settings.json").write_text(json.dumps({"threads": 2}))
    settings = load_settings()
    assert settings.threads == 2 and settings.schema_version == SCHEMA_VERSION


def test_a_file_with_the_retired_recent_folders_loads_and_is_saved_without_it(workbench_home):
    path = workbench_home / "settings.json"
    path.write_text(json.dumps({"schema_version": 1, "device": "cpu", "threads": 3,
                                "recent_folders": ["/data/cifar", "/data/bsd"]}))
    settings = load_settings()
    assert settings == Settings(device="cpu", threads=3)
    assert not hasattr(settings, "recent_folders")
    assert "recent_folders" not in migrate({"schema_version": 1, "recent_folders": ["/x"]})
    save_settings(settings)
    stored = json.loads(path.read_text())
    assert "recent_folders" not in stored and stored["schema_version"] == SCHEMA_VERSION == 1
    assert load_settings() == settings


def test_an_unknown_inference_precision_falls_back_to_auto_with_a_warning(workbench_home):
    from workbench.settings import load_warnings

    load_warnings()
    (workbench_home / "settings.json").write_text(json.dumps({"inference_precision": "fp8", "threads": 1}))
    settings = load_settings()
    assert (settings.inference_precision, settings.threads) == ("auto", 1)
    assert any("inference_precision='fp8'" in w for w in load_warnings())
