"""Retrieval on the command line: train records mAP both ways, retrieval-eval and retrieval-features."""
import json

from tests.engines.labs.retrieval.test_data import write_dscmr_folder
from workbench.cli import main


def _last_json(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])


def test_train_then_eval_a_retrieval_run(tmp_path, capsys):
    folder = write_dscmr_folder(tmp_path / "feats")
    code = main(["train", "--task", "retrieval", "--model", "dscmr", "--data", "dscmr_mat", "--epochs", "3",
                 "--lr", "0.003", "--batch-size", "20", "--set", f"data.path={folder}", "--set", "model.hidden=32",
                 "--set", "model.common=16", "--set", "losses=j1+j3", "--json"])
    assert code == 0
    result = _last_json(capsys.readouterr().out)
    metrics = result["metrics"]
    assert metrics["map_a2b"] > metrics["map_chance"] and metrics["map_b2a"] > metrics["map_chance"]
    assert {"j1_loss", "j2_loss", "j3_loss"} <= set(metrics)

    assert main(["retrieval-eval", str(result["run_id"]), "--json"]) == 0
    scores = _last_json(capsys.readouterr().out)
    assert abs(scores["map_a2b"] - metrics["map_a2b"]) < 1e-6 and scores["modalities"] == ["image", "text"]


def test_features_command_describes_the_data_and_rejects_bad_input_in_one_line(tmp_path, capsys):
    folder = write_dscmr_folder(tmp_path / "feats")
    assert main(["retrieval-features", "--data", "dscmr_mat", "--set", f"data.path={folder}", "--json"]) == 0
    out = _last_json(capsys.readouterr().out)
    assert out["dims"] == [12, 8] and out["train"] == 80 and out["classes"] == 4 and out["chance_map"] == 0.25
    (folder / "train_txt.mat").unlink()
    assert main(["retrieval-features", "--data", "dscmr_mat", "--set", f"data.path={folder}"]) == 2
    err = capsys.readouterr().err
    assert "train_txt.mat is missing" in err and len(err.strip().splitlines()) == 1
    assert main(["retrieval-features", "--data", "digits"]) == 2
    assert main(["retrieval-eval", "999"]) == 2


def test_task_meta_mirrors_the_engine():
    from engines.core.tasks import get_task
    from workbench.tasks_meta import PRIMARY_METRICS

    assert PRIMARY_METRICS["retrieval"] == (get_task("retrieval").primary_metric, True)
