"""Upgrades keep working: a journal written by jstui before the `jstui` namespace existed (schema 1,
tests/engine/journals/README.md says how it was made) opens, is migrated in place, and everything in it
reads: launches, tuning and training jobs, the saved snapshot, endpoints; the CLI exports it."""

from __future__ import annotations

import csv
import io
import shutil
import sqlite3
from pathlib import Path

import pytest
from jstui.cli.main import main
from jstui.domain.endpoints import DeployStep, HostingStatus
from jstui.domain.exitcodes import ExitCode
from jstui.engine.journal import MIGRATIONS, SCHEMA_VERSION, Journal, LaunchState
from jstui.engine.snapshot_codec import snapshot_from_json
from jstui.study import load_study

ROOT = Path(__file__).resolve().parents[2]
OLD = Path(__file__).resolve().parent / "journals" / "schema1-288f684-neu-det.sqlite"
NEU_DET = ROOT / "sample_studies" / "neu-det.toml"


def _version(path: Path) -> int:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute("PRAGMA user_version").fetchone()[0]
    finally:
        con.close()


@pytest.fixture
def old_home(tmp_path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(OLD, home / "journal.sqlite")
    return home


def test_every_schema_version_has_its_step():
    assert sorted(MIGRATIONS) == list(range(1, SCHEMA_VERSION))


def test_a_journal_from_before_the_rename_opens_and_reads(old_home):
    assert _version(OLD) == 1
    study = load_study(NEU_DET)
    j = Journal.open(old_home)
    try:
        assert _version(old_home / "journal.sqlite") == SCHEMA_VERSION
        launches = j.launches(study.name)
        assert {launch.candidate for launch in launches} == {c.name for c in study.candidates}
        assert all(launch.state is LaunchState.LAUNCHED for launch in launches)
        records = j.tuning_jobs(study.name)
        assert set(records) == {launch.tuning_job_name for launch in launches}
        assert all(r.describe for r in records.values())
        assert j.terminal_training_jobs([launch.tuning_job_name for launch in launches])
        body = j.snapshot_body(study.name)
        assert body is not None
        snap = snapshot_from_json(body)
        assert snap.study == study.name
        assert {t.candidate for t in snap.tuning_jobs} == {c.name for c in study.candidates}
        assert all(t.status == "Completed" for t in snap.tuning_jobs)
        assert snap.training_jobs and snap.spend_usd > 0
        # the deploy the old code made: schema 1's one `state` column split into the step and the status
        [endpoint] = j.endpoints(study.name)
        assert (endpoint["state"], endpoint["status"]) == (DeployStep.ENDPOINT, HostingStatus.IN_SERVICE)
        # the old JumpStart cache (keyed without instance type or source) is gone, the new table works
        assert j.jumpstart("x", "*", "us-east-1", "ml.p3.2xlarge", "live") is None
        j.save_jumpstart("x", "*", "us-east-1", "ml.p3.2xlarge", "live", {"training_image": "i"})
    finally:
        j.close()
    Journal.open(old_home).close()  # a second open finds it current: nothing to do
    assert _version(old_home / "journal.sqlite") == SCHEMA_VERSION


def test_the_cli_exports_the_old_journal_offline(old_home, capsys):
    assert main(["--home", str(old_home), "--export", "csv", "--offline", str(NEU_DET)]) == ExitCode.OK
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["candidate"] for r in rows} == {c.name for c in load_study(NEU_DET).candidates}
    assert all(r["status"] == "Completed" and float(r["cost_usd"]) > 0 for r in rows)


def test_a_newer_journal_than_this_jstui_is_refused_untouched(old_home):
    path = old_home / "journal.sqlite"
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.close()
    before = path.read_bytes()
    assert main(["--home", str(old_home), "--export", "csv", "--offline", str(NEU_DET)]) == ExitCode.JOURNAL
    assert path.read_bytes() == before
