"""The data folder of Settings reaches CIFAR-10 through the workbench (engines never read the settings)."""
from __future__ import annotations

from engines.core.tasks import make_config
from tests.engines.labs.classify.test_cifar10 import write_cifar_folder
from workbench.runner import TrainingSession, create_run, with_data_folder
from workbench.settings import Settings, save_settings
from workbench.store import RunStore


def test_cifar10_gets_the_settings_data_folder_unless_a_root_is_given(tmp_path):
    save_settings(Settings(data_dir=str(tmp_path / "chosen")))
    assert with_data_folder("cifar10", {"max_train": 4}) == {"max_train": 4, "root": str(tmp_path / "chosen")}
    assert with_data_folder("cifar10", {"root": "/elsewhere"}) == {"root": "/elsewhere"}
    # Other datasets' options are theirs: image_folder's root is the images, never the data folder.
    assert with_data_folder("image_folder", {}) == {}
    assert with_data_folder("digits", {"seed": 1}) == {"seed": 1}


def test_a_cifar10_run_reads_the_settings_folder_and_records_the_config_as_given(tmp_path):
    write_cifar_folder(tmp_path / "chosen")
    save_settings(Settings(data_dir=str(tmp_path / "chosen")))
    config = make_config("classify", model="small_cnn", data="cifar10", epochs=1, batch_size=10,
                         model_options={"width": 4}, data_options={"augment": False})
    with RunStore() as store:
        run_id = create_run(store, config)
        outcome = TrainingSession(config, store=store, run_id=run_id).run()
        assert outcome.status == "finished", outcome.message
        run = store.get_run(run_id)
        assert run.config["data_options"] == {"augment": False}  # no machine's folder in the record
    assert "root" not in config.data_options


def test_offline_the_message_names_the_settings_folder(tmp_path):
    save_settings(Settings(data_dir=str(tmp_path / "empty")))
    config = make_config("classify", model="small_cnn", data="cifar10", epochs=1,
                         data_options={"download": False})
    with RunStore() as store:
        outcome = TrainingSession(config, store=store, run_id=create_run(store, config)).run()
    assert outcome.status == "failed"
    assert str(tmp_path / "empty" / "cifar-10-batches-py") in outcome.message
    assert "data_batch_1" in outcome.message
