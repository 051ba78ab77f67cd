from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from jstui.domain.errors import JournalError
from jstui.domain.exitcodes import ExitCode
from jstui.engine.journal import LAUNCHED, LAUNCHING, QUEUED, SCHEMA_VERSION, Journal
from jstui.engine.snapshot_codec import snapshot_from_json, snapshot_to_json
from tests.engine.fixtures import demo_snapshot


def _digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_corrupt_journal_refused_and_untouched(tmp_path):
    path = tmp_path / "journal.sqlite"
    path.write_bytes(b"this is not sqlite" * 300)
    before = _digest(path)
    with pytest.raises(JournalError) as err:
        Journal.open(tmp_path)
    assert err.value.exit_code == ExitCode.JOURNAL and str(path) in str(err.value)
    assert _digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["journal.sqlite"]


def test_newer_journal_refused_and_untouched(tmp_path):
    path = tmp_path / "journal.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE x (a)")
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.commit()
    con.close()
    before = _digest(path)
    with pytest.raises(JournalError, match="newer jstui"):
        Journal.open(tmp_path)
    assert _digest(path) == before


def test_launch_states_and_generations(tmp_path):
    j = Journal.open(tmp_path)
    assert j.queue("s", "a", 1, "s-a-1", "m")
    assert not j.queue("s", "a", 1, "s-a-1", "m")  # once per (candidate, generation)
    j.set_launch_state("s", "a", 1, LAUNCHING)
    j.set_launch_state("s", "a", 1, LAUNCHED)
    j.queue("s", "a", 2, "s-a-2", "m")
    cur = j.current_launches("s")
    assert cur["a"].generation == 2 and cur["a"].state == QUEUED
    assert [l.state for l in j.launches("s")] == [LAUNCHED, QUEUED]
    j.close()


def test_two_processes_write_the_same_journal(tmp_path):
    """A TUI and a `status` on one home: concurrent writers neither fail nor lose rows."""
    code = (
        "import sys; from pathlib import Path; from jstui.engine.journal import Journal\n"
        "j = Journal.open(Path(sys.argv[1]))\n"
        "for i in range(150):\n"
        "    j.add_event('s', 'k', f'{sys.argv[2]}-{i}')\n"
        "    j.save_tuning_job(f'{sys.argv[2]}-{i % 7}', 's', fingerprint=str(i))\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path), tag]) for tag in ("p1", "p2")]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    j = Journal.open(tmp_path)
    assert len(j.events("s", limit=1000)) == 300
    assert len(j.tuning_jobs("s")) == 14


def test_snapshot_round_trip(tmp_path):
    snap = demo_snapshot()
    j = Journal.open(tmp_path)
    j.save_snapshot("demo", snapshot_to_json(snap))
    assert snapshot_from_json(j.snapshot_body("demo")) == snap


def test_forget_removes_only_that_study(tmp_path):
    j = Journal.open(tmp_path)
    for s in ("one", "two"):
        j.upsert_study(s, tmp_path / f"{s}.toml", "emulator", "us-east-1")
        j.queue(s, "a", 1, f"{s}-a", "m")
        j.add_event(s, "k", "x")
    assert j.forget_study("one")
    assert [r.name for r in j.studies()] == ["two"]
    assert j.launches("one") == [] and len(j.launches("two")) == 1


def test_prune_events_keeps_the_newest_of_one_kind(tmp_path):
    j = Journal.open(tmp_path)
    for i in range(30):
        j.add_event("s", "budget-check", f"c{i}")
    j.add_event("s", "launched", "keep me")
    j.prune_events("s", "budget-check", keep=5)
    left = j.events("s", limit=100)
    assert [e["message"] for e in left] == [f"c{i}" for i in range(25, 30)] + ["keep me"]


def test_tuning_jobs_reads_the_stored_json_once_then_only_what_changed(tmp_path):
    # a refresh reads every record three times: the JSON text (~15 MB for 1,000 tuning jobs) was
    # fetched and compared on each read; now once, then only rows saved since, and all of it again
    # only after another connection committed
    j = Journal.open(tmp_path)
    for i in range(3):
        j.save_tuning_job(f"tj-{i}", "s", describe={"HyperParameterTuningJobStatus": "InProgress"}, counters="{}")
    full, some = [], []

    def trace(sql: str) -> None:
        if "FROM tuning_jobs WHERE study=" in sql:
            (some if "name IN" in sql else full).append(sql)

    j._con.set_trace_callback(trace)
    for _ in range(3):
        assert len(j.tuning_jobs("s")) == 3
    assert (len(full), len(some)) == (1, 0)
    j.save_tuning_job("tj-1", "s", describe={"HyperParameterTuningJobStatus": "Completed"})
    j.save_tuning_job("tj-9", "s", describe={"HyperParameterTuningJobStatus": "InProgress"})
    got = j.tuning_jobs("s")
    assert (len(full), len(some)) == (1, 1)
    assert got["tj-1"].describe == {"HyperParameterTuningJobStatus": "Completed"} and set(got) == {"tj-0", "tj-1", "tj-2", "tj-9"}
    other = Journal.open(tmp_path)  # another process's connection
    other.save_tuning_job("tj-2", "s", describe={"HyperParameterTuningJobStatus": "Stopped"})
    other.close()
    assert j.tuning_jobs("s")["tj-2"].describe == {"HyperParameterTuningJobStatus": "Stopped"}
    assert len(full) == 2
    j.tuning_jobs("s")
    assert len(full) == 2
    j.forget_study("s")
    assert j.tuning_jobs("s") == {}
    j.close()
