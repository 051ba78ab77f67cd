"""`--export ... --what frontier|picked` on a study run on the embedded emulator."""

from __future__ import annotations

import csv
import io
import json

from jstui.cli.main import main
from jstui.domain.frontier import frontier_export_columns, frontier_table
from jstui.engine.session import EngineSession, load

from tests.frontier.emulated import FAST_MODELS


def test_frontier_export_is_the_front_of_the_snapshot(finished, capsys):
    study_path, home = finished
    assert main(["--home", str(home), "--export", "csv", "--what", "frontier", str(study_path)]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    with EngineSession(load(study_path), home, readonly=True) as s:
        expected = frontier_table(s.snapshot(), s.study.frontier)
        assert list(rows[0]) == frontier_export_columns(s.study.frontier)
    assert [r["candidate"] for r in rows] == [r.candidate for r in expected.rows]
    assert [int(r["rank"]) for r in rows] == list(range(1, len(rows) + 1))
    xs = [float(r[expected.settings.x]) for r in rows]
    assert xs == sorted(xs)


def test_picked_export_carries_what_reproducing_needs(finished, capsys):
    study_path, home = finished
    cand = FAST_MODELS[0][1]
    assert main(["--home", str(home), "--export", "json", "--what", "picked", "--model", cand, str(study_path)]) == 0
    [picked] = json.loads(capsys.readouterr().out)
    with EngineSession(load(study_path), home, readonly=True) as s:
        row = next(r for r in s.snapshot().tuning_jobs if r.candidate == cand)
        described = s.clients.sagemaker.describe_training_job(TrainingJobName=row.best_training_job_name)
    assert picked["candidate"] == cand and picked["model_id"] == FAST_MODELS[0][0]
    assert picked["training_job_name"] == row.best_training_job_name
    assert picked["artifact_uri"] == described["ModelArtifacts"]["S3ModelArtifacts"]
    assert picked["training_image"] == described["AlgorithmSpecification"]["TrainingImage"]
    assert picked["inference_image"]
    hps = {k[3:]: v for k, v in picked.items() if k.startswith("hp.")}
    assert hps == {k: v for k, v in described["HyperParameters"].items() if not k.startswith("_tuning")}
    assert picked["objective"] == row.best_objective


def test_picked_without_model_is_a_usage_error(finished, capsys):
    study_path, home = finished
    assert main(["--home", str(home), "--export", "json", "--what", "picked", "--offline", str(study_path)]) == 2
    err = capsys.readouterr().err
    assert "--model" in err and len(err.strip().splitlines()) == 1
