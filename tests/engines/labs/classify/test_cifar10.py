"""The CIFAR-10 loader on a tiny folder in the official layout (pickled batches), offline."""
from __future__ import annotations

import os
import pickle

import numpy as np
import pytest
import torch

from engines.core.data import DataError, load_dataset
from engines.labs.classify.cifar10 import FOLDER, MEAN, STD, TEST_FILES, TRAIN_FILES


def write_cifar_folder(root, per_batch: int = 6, seed: int = 0):
    """Batches as the official archive has them: Python-2-style protocol-2 pickles with bytes keys."""
    rng = np.random.default_rng(seed)
    folder = root / FOLDER
    folder.mkdir(parents=True)
    for name in (*TRAIN_FILES, *TEST_FILES):
        batch = {b"batch_label": name.encode(), b"labels": rng.integers(0, 10, per_batch).tolist(),
                 b"data": rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8),
                 b"filenames": [f"{name}_{i}.png".encode() for i in range(per_batch)]}
        with open(folder / name, "wb") as fh:
            pickle.dump(batch, fh, protocol=2)
    names = [n.encode() for n in ("airplane", "automobile", "bird", "cat", "deer",
                                  "dog", "frog", "horse", "ship", "truck")]
    with open(folder / "batches.meta", "wb") as fh:
        pickle.dump({b"label_names": names, b"num_cases_per_batch": per_batch, b"num_vis": 3072}, fh, protocol=2)
    return folder


def test_loads_the_official_layout_with_normalisation(tmp_path):
    folder = write_cifar_folder(tmp_path)
    splits = load_dataset("cifar10", root=str(tmp_path), augment=False)
    assert (len(splits.train), len(splits.test)) == (30, 6)
    assert splits.num_classes == 10 and splits.input_shape == (3, 32, 32)
    assert splits.class_names[0] == "airplane" and splits.class_names[9] == "truck"
    with open(folder / "test_batch", "rb") as fh:
        raw = pickle.load(fh)  # our own file, written above
    x, y = splits.test[2]
    expected = torch.from_numpy(raw[b"data"][2].reshape(3, 32, 32)).float() / 255
    expected = (expected - torch.tensor(MEAN).view(3, 1, 1)) / torch.tensor(STD).view(3, 1, 1)
    torch.testing.assert_close(x, expected)
    assert int(y) == raw[b"labels"][2]
    assert splits.test.raw_image(2).shape == (32, 32, 3)


def test_augmentation_draws_from_the_global_torch_rng(tmp_path):
    write_cifar_folder(tmp_path)
    splits = load_dataset("cifar10", root=str(tmp_path), max_train=4)
    assert len(splits.train) == 4
    torch.manual_seed(3)
    a = torch.stack([splits.train[i][0] for i in range(4)])
    torch.manual_seed(3)
    b = torch.stack([splits.train[i][0] for i in range(4)])
    c = torch.stack([splits.train[i][0] for i in range(4)])
    assert torch.equal(a, b) and not torch.equal(b, c)


def test_missing_folder_offline_names_folder_files_and_url(tmp_path):
    with pytest.raises(DataError) as err:
        load_dataset("cifar10", root=str(tmp_path / "nowhere"), download=False)
    message = str(err.value)
    assert str(tmp_path / "nowhere" / FOLDER) in message
    assert "data_batch_1" in message and "test_batch" in message
    assert "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz" in message


def test_without_a_root_the_engine_reads_the_environment_or_data_never_the_workbench_settings(tmp_path, monkeypatch):
    """The workbench passes its data folder as ``root`` (tests/workbench/test_data_folder.py); alone, the
    engine looks in ``$WORKBENCH_DATA_DIR``, else ``./data``."""
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path / "from-env"))
    with pytest.raises(DataError, match="data_batch_1") as err:
        load_dataset("cifar10", download=False)
    assert str(tmp_path / "from-env" / FOLDER) in str(err.value)
    monkeypatch.delenv("WORKBENCH_DATA_DIR")
    monkeypatch.chdir(tmp_path)
    write_cifar_folder(tmp_path / "data")
    assert len(load_dataset("cifar10", download=False).test) == 6


def test_missing_batch_file_is_named(tmp_path):
    folder = write_cifar_folder(tmp_path)
    os.remove(folder / "data_batch_3")
    with pytest.raises(DataError, match="data_batch_3"):
        load_dataset("cifar10", root=str(tmp_path))


def test_truncated_batch_file_is_named(tmp_path):
    folder = write_cifar_folder(tmp_path)
    data = (folder / "data_batch_2").read_bytes()
    (folder / "data_batch_2").write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match="data_batch_2"):
        load_dataset("cifar10", root=str(tmp_path))


class _Exploit:
    def __reduce__(self):
        return (os.system, ("echo owned > pwned.txt",))


def test_a_pickle_that_would_run_code_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = write_cifar_folder(tmp_path)
    with open(folder / "test_batch", "wb") as fh:
        pickle.dump({"labels": [0], "data": _Exploit()}, fh)
    with pytest.raises(DataError, match="not allowed"):
        load_dataset("cifar10", root=str(tmp_path))
    assert not (tmp_path / "pwned.txt").exists()


def test_training_through_the_task_on_the_tiny_folder(tmp_path):
    from engines.core.events import Failed, Finished
    from engines.core.tasks import make_config
    from tests.helpers import final_event

    write_cifar_folder(tmp_path)
    config = make_config("classify", model="small_cnn", data="cifar10", epochs=1, batch_size=10,
                         model_options={"width": 4}, data_options={"root": str(tmp_path)})
    from engines.labs.classify.task import fit

    end = final_event(fit(config))
    assert isinstance(end, Finished), end
    assert 0.0 <= end.summary["metrics"]["test_accuracy"] <= 1.0

    bad = make_config("classify", model="small_cnn", data="cifar10", epochs=1,
                      data_options={"root": str(tmp_path / "empty"), "download": False})
    end = final_event(fit(bad))
    assert isinstance(end, Failed) and "data_batch_1" in end.reason


def test_augmented_run_resumed_mid_epoch_lands_on_the_same_weights(tmp_path):
    """Augmentation draws from the RNG the checkpoint captures, so stop + resume equals a straight run."""
    from engines.core.checkpoint import load_checkpoint
    from engines.core.control import RunControl
    from engines.core.events import Finished, StepDone
    from engines.core.tasks import make_config
    from engines.labs.classify.task import fit
    from tests.helpers import final_event

    write_cifar_folder(tmp_path / "data", per_batch=8)
    config = make_config("classify", model="small_cnn", data="cifar10", epochs=2, batch_size=8,
                         model_options={"width": 4}, data_options={"root": str(tmp_path / "data")},
                         keep_epoch_weights=True)
    straight = tmp_path / "straight"
    assert final_event(fit(config, checkpoint_dir=straight)).status == "finished"
    assert (straight / "epoch_1.pt").exists() and (straight / "epoch_2.pt").exists()

    split = tmp_path / "split"
    control = RunControl()
    for event in fit(config, checkpoint_dir=split, control=control):
        if isinstance(event, StepDone) and event.step == 3:
            control.request_stop()
        last = event
    assert isinstance(last, Finished) and last.status == "stopped"
    assert final_event(fit(config, checkpoint_dir=split, resume_from=split / "last.pt")).status == "finished"
    a, b = load_checkpoint(straight / "last.pt")["model"], load_checkpoint(split / "last.pt")["model"]
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=0, atol=1e-6, msg=key)
    # The per-epoch snapshots are weights only and rebuild through load_trained_model.
    from engines.models import load_trained_model

    snapshot = load_checkpoint(straight / "epoch_1.pt")
    assert "optimizer" not in snapshot and snapshot["epoch"] == 1
    assert load_trained_model(straight / "epoch_2.pt").state_dict().keys() == a.keys()
