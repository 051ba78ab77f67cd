"""Issue 15 item 8: studies already run with a misreading regex are caught. Plausible ranges come
from the metric's name (jstui.domain.metrics); values outside are flagged on screen (a ⚠ in the
cell), in exports (a stderr warning; an opt-in `implausible` column), and `status --reread-metrics`
re-reads each ended job's log with the study's current definitions."""

from __future__ import annotations

import json
import math
import re

import pytest

from jstui.cli.main import main
from jstui.domain.exitcodes import ExitCode
from jstui.domain.metrics import PRESETS, implausibility, plausible_range, read_metrics
from jstui.domain.model import MetricDefinition
from jstui.tui.columns import COLUMNS_BY_KEY
from tests.engine.conftest import write_study
from tests.tui.fake_session import make_snapshot, replace_row


def test_every_preset_metric_has_a_plausible_range():
    for preset, defs in PRESETS.items():
        for d in defs:
            assert plausible_range(d.name) is not None, (preset, d.name)


@pytest.mark.parametrize("name,value", [
    ("val_accuracy", 8.0),  # Keras's "8.0000e-04" read by ([0-9\.]+)
    ("test_top_5_accuracy", 1.0001),
    ("validation:mAP", -0.1),
    ("Val_CrossEntropy", -0.5123),  # "-5.1230e-01" read by a sign-aware but exponent-blind regex
    ("test_throughput", -12.0),
    ("train:smooth_l1", -1.0),
    ("test_accuracy", math.nan),
])
def test_values_a_metric_cannot_take_are_flagged(name, value):
    line = implausibility(name, value)
    assert line is not None and line.startswith(name) and "outside" in line


@pytest.mark.parametrize("name,value", [
    ("val_accuracy", 0.0), ("val_accuracy", 1.0), ("val_accuracy", 8.0e-4), ("Val_SmoothL1", 0.0),
    ("test_throughput", 1234.5), ("num_params", 3.5e6), ("some_custom_score", -1e9), ("val_accuracy", None),
])
def test_plausible_or_unknown_values_are_not_flagged(name, value):
    assert implausibility(name, value) is None


def test_read_metrics_takes_the_last_match_and_skips_non_numbers():
    defs = (MetricDefinition("val_accuracy", r"val_accuracy: ([-+0-9.eE]+)"), MetricDefinition("loss", r"loss=(\S+)"))
    lines = ["epoch 1 - val_accuracy: 8.0000e-04", "loss=nope", "epoch 2 - val_accuracy: 0.5123", "loss=0.25"]
    assert read_metrics(lines, defs) == {"val_accuracy": 0.5123, "loss": 0.25}


def test_the_study_table_marks_implausible_cells():
    snap = make_snapshot()
    row = snap.tuning_jobs[0]
    bad = replace_row(snap, row.candidate, best_metrics={**row.best_metrics, "test_accuracy": 8.0}).tuning_jobs[0]
    cell = COLUMNS_BY_KEY["test_acc"].render(bad)
    assert cell.plain.endswith("⚠") and "8.000" in cell.plain
    good = replace_row(snap, row.candidate, best_metrics={**row.best_metrics, "test_accuracy": 0.8}).tuning_jobs[0]
    assert "⚠" not in COLUMNS_BY_KEY["test_acc"].render(good).plain


MISREAD = '''[[metrics.definitions]]
name = "val_accuracy"
regex = "- val_accuracy: ([0-9\\\\.]+)"

[[metrics.definitions]]
name = "test_accuracy"
regex = "- Number of parameters: ([0-9\\\\.]+)"

[[metrics.definitions]]
name = "test_throughput"
regex = "- Average test throughput: ([0-9\\\\.]+)"
'''


def test_a_misread_study_is_flagged_in_exports_and_reread_from_the_logs(tmp_path, capsys):
    """A study whose test_accuracy regex reads the wrong line (the parameter count: millions) runs on
    the emulator; the export warns; after fixing the regex, --reread-metrics reads fractions."""
    path = write_study(tmp_path, name="rr", models=2)
    path.write_text(re.sub(r'preset = "jumpstart-ic".*\n', lambda _: MISREAD, path.read_text(encoding="utf-8")), encoding="utf-8")
    home = ["--home", str(tmp_path / "home")]
    assert main([*home, "launch", str(path), "--yes", "--wait"]) == ExitCode.OK
    capsys.readouterr()

    # Exports: data unchanged by default (no new column), one warning on stderr; the column is opt-in.
    assert main([*home, "--export", "csv", "--what", "training-jobs", "--offline", str(path)]) == ExitCode.OK
    plain = capsys.readouterr()
    assert "implausible" not in plain.out.splitlines()[0]
    assert "jstui: warning: 4 training-jobs rows hold values outside their metric's plausible range" in plain.err
    assert "--reread-metrics" in plain.err
    assert main([*home, "--export", "json", "--what", "training-jobs", "--offline", "--plausibility", str(path)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert all(r["implausible"].startswith("test_accuracy ") and "outside [0, 1]" in r["implausible"] for r in rows)
    recorded = {r["training_job_name"]: r for r in rows}

    # Fix the regex in the study file, re-read.
    path.write_text(path.read_text(encoding="utf-8").replace("- Number of parameters: ", "- Test accuracy: "), encoding="utf-8")
    assert main([*home, "status", str(path), "--json", "--reread-metrics"]) == ExitCode.OK
    out = capsys.readouterr().out
    reread = json.loads(out[out.index('{\n  "reread_metrics"'):])["reread_metrics"]
    assert reread["jobs_read"] == 4 and reread["skipped"] == []
    assert {r["metric"] for r in reread["rows"]} == {"test_accuracy"}  # val_accuracy read the same: not shown
    for r in reread["rows"]:
        assert r["recorded"] == recorded[r["training_job_name"]]["test_accuracy"]
        assert r["recorded_implausible"] and r["differs"]
        assert 0.0 <= r["reread"] <= 1.0 and r["reread_implausible"] is None
