"""Golden files for the export contract (CSV and JSON) on a fixed snapshot, plus the rules the
goldens embody, asserted on their own (so a regenerated golden cannot hide a broken rule)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from jstui.domain.export import render
from tests.engine.fixtures import demo_snapshot

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("what", ["tuning-jobs", "training-jobs"])
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_matches_golden(what, fmt):
    expected = (GOLDEN / f"{what}.{fmt}").read_text(encoding="utf-8")
    assert render(demo_snapshot(), what, fmt) == expected


def _rows(what):
    return list(csv.DictReader(io.StringIO(render(demo_snapshot(), what, "csv"))))


def test_training_columns_in_contract_order():
    header = render(demo_snapshot(), "training-jobs", "csv").splitlines()[0].split(",")
    fixed = ["study", "candidate", "model_id", "tuning_job_name", "training_job_name", "status", "failure_reason",
             "is_best", "objective"]
    assert header[: len(fixed)] == fixed
    assert header[len(fixed)] == "hp.learning_rate"
    assert header[-9:] == ["instance_type", "instance_count", "billable_seconds", "training_seconds", "cost_usd",
                           "cost_is_estimate", "created_at", "started_at", "ended_at"]
    # metrics in definition order, between hp.* and instance_type
    assert header[10:13] == ["val_accuracy", "test_accuracy", "test_throughput"]


def test_formula_injection_only_in_text_cells():
    rows = _rows("training-jobs")
    assert rows[2]["candidate"] == "'=cmd|calc"
    assert rows[2]["failure_reason"].startswith("'@SUM")
    assert rows[1]["test_accuracy"] == "-0.5"  # a negative number is not a formula


def test_missing_is_empty_and_booleans_and_times():
    rows = _rows("tuning-jobs")
    waiting = rows[2]
    assert waiting["status"] == "WaitingForQuota" and waiting["tuning_job_name"] == ""
    assert waiting["best_objective"] == "" and waiting["created_at"] == ""
    assert rows[0]["cost_is_estimate"] == "false" and rows[1]["cost_is_estimate"] == "true"
    assert rows[0]["created_at"] == "2026-01-02T10:00:00Z"


def test_json_has_same_keys_as_csv():
    for what in ("tuning-jobs", "training-jobs"):
        header = render(demo_snapshot(), what, "csv").splitlines()[0].split(",")
        records = json.loads(render(demo_snapshot(), what, "json"))
        assert all(list(r) == header for r in records)
        assert records[0]["cost_is_estimate"] is False
    records = json.loads(render(demo_snapshot(), "training-jobs", "json"))
    assert records[2]["objective"] is None and records[2]["candidate"] == "=cmd|calc"
