"""Rows of the wrong shape (valid SQLite and valid JSON, but a list where an object was stored, a key
gone, a count as text): exit 7 naming the journal, the table and the row, and the journal untouched."""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing

import pytest

from jstui.cli.main import main
from jstui.domain.errors import JournalError
from jstui.domain.exitcodes import ExitCode
from jstui.engine import journal_shapes as shapes
from jstui.engine.session import EngineSession, load

from .conftest import write_study

# Wrong values put in place of a stored one (or the key removed): of another JSON type than most fields hold.
WRONG = ([1], "x", {"k": 1}, None)


def _restore(pristine, journal) -> None:
    """The pristine journal back in place, without the WAL a previous command left beside it."""
    for extra in ("-wal", "-shm"):
        journal.with_name(journal.name + extra).unlink(missing_ok=True)
    shutil.copy(pristine, journal)


def _dump(path) -> list[str]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return list(con.iterdump())
    finally:
        con.close()


@pytest.fixture
def launched(tmp_path, emulator):
    """A finished one-candidate study's journal (checkpointed into one file), its home and study file."""
    path = write_study(tmp_path, models=1, skip=15)
    home = tmp_path / "home"
    assert main(["--home", str(home), "--endpoint-url", emulator.url, "launch", str(path), "--yes", "--wait"]) == 0
    with closing(sqlite3.connect(home / "journal.sqlite")) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pristine = tmp_path / "pristine.sqlite"
    shutil.copy(home / "journal.sqlite", pristine)
    return home, pristine, path


def _documents(pristine) -> list[tuple[str, str, str, str, object]]:
    """(table, key column, key, JSON column, spec) of every stored document jstui reads."""
    con = sqlite3.connect(pristine)
    out = []
    for column, spec in (("summary", shapes.TUNING_SUMMARY), ("describe", shapes.TUNING_DESCRIBE),
                         ("training_summaries", shapes.TRAINING_SUMMARIES)):  # fmt: skip
        for (name,) in con.execute(f"SELECT name FROM tuning_jobs WHERE {column} IS NOT NULL"):
            out.append(("tuning_jobs", "name", name, column, spec))
    (name,) = con.execute("SELECT name FROM training_jobs ORDER BY name LIMIT 1").fetchone()
    out.append(("training_jobs", "name", name, "describe", shapes.TRAINING_DESCRIBE))
    con.close()
    return out


def _paths(value, at=(), depth=0):
    """Every key path in a document, two levels of objects deep, through the first item of a list."""
    if depth > 2:
        return
    if isinstance(value, dict):
        for k, v in value.items():
            yield at + (k,)
            yield from _paths(v, at + (k,), depth + 1)
    elif isinstance(value, list) and value:
        yield at + (0,)
        yield from _paths(value[0], at + (0,), depth)


def _set(doc, path, value):
    out = json.loads(json.dumps(doc))
    target = out
    for step in path[:-1]:
        target = target[step]
    if value is _GONE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return out


_GONE = object()


def _mutations(pristine, wrong_values=WRONG):
    con = sqlite3.connect(pristine)
    for table, key_col, key, column, spec in _documents(pristine):
        (text,) = con.execute(f"SELECT {column} FROM {table} WHERE {key_col}=?", (key,)).fetchone()
        doc = json.loads(text)
        for wrong in ([1], "x", {"k": 1}):  # the whole document of another type
            yield table, key, column, spec, wrong
        for path in _paths(doc):
            for wrong in (*wrong_values, _GONE):
                yield table, key, column, spec, _set(doc, path, wrong)
    con.close()


def test_every_wrong_shape_of_a_stored_document_is_read_or_refused_never_a_traceback(launched):
    # Each key two levels deep of each stored document, set to a value of another type or removed: opening
    # the study (no saved snapshot: it builds one from the rows) either reads it (a key jstui does not
    # read, or a value that still works) or refuses the journal naming the table and the row, and leaves
    # the file as it was.
    home, pristine, path = launched
    journal = home / "journal.sqlite"
    study = load(path)
    outcomes = {"read": 0, "refused": 0}
    for table, key, column, _spec, doc in _mutations(pristine):
        _restore(pristine, journal)
        with closing(sqlite3.connect(journal)) as con, con:
            con.execute(f"UPDATE {table} SET {column}=? WHERE name=?", (json.dumps(doc), key))
            con.execute("DELETE FROM snapshots")
        before = _dump(journal)
        try:
            session = EngineSession(study, home)
        except JournalError as exc:
            assert str(journal) in str(exc) and f"table {table}, row {key!r}" in str(exc), str(exc)
            assert _dump(journal) == before  # nothing written: not even the study's opened_at
            outcomes["refused"] += 1
        else:
            session.snapshot()
            session.close()
            outcomes["read"] += 1
    assert outcomes["read"] and outcomes["refused"] > 50, outcomes


DAMAGE = (
    "UPDATE tuning_jobs SET training_summaries = '{}'",
    "UPDATE tuning_jobs SET describe = json_set(describe, '$.TrainingJobStatusCounters', json('[1]'))",
    "UPDATE training_jobs SET describe = json_remove(describe, '$.FinalMetricDataList[0].MetricName')",
    "UPDATE studies SET path = x'00ff'",
    "UPDATE studies SET created_at = 'yesterday'",
    "UPDATE launches SET generation = 'one'",
    "UPDATE launches SET recipe = '[]'",
    "UPDATE events SET body = '[1]'",
)


def test_wrong_shaped_rows_end_every_journal_command_with_one_line_and_exit_7(launched, emulator, capsys):
    home, pristine, path = launched
    journal = home / "journal.sqlite"
    g = ["--home", str(home), "--endpoint-url", emulator.url]
    commands = (["status", "t1"], ["--export", "csv", "t1"], ["stop", "t1", "--yes"], ["launch", str(path), "--yes"],
                ["studies"])
    for damage, argv in ((d, a) for d in DAMAGE for a in commands):
        table = damage.split()[1]
        _restore(pristine, journal)
        with closing(sqlite3.connect(journal)) as con, con:
            assert con.execute(damage).rowcount > 0
        before = _dump(journal)
        capsys.readouterr()
        code = main(g + argv)
        err = capsys.readouterr().err.strip().splitlines()
        if argv == ["studies"] and table != "studies":
            assert code == ExitCode.OK, err  # the list reads only the studies and their saved snapshots
            continue
        assert code == ExitCode.JOURNAL, (damage, argv, err)
        assert len(err) == 1 and str(journal) in err[0] and f"table {table}, row " in err[0], (damage, argv, err)
        assert _dump(journal) == before, (damage, argv)  # the damaged row kept, and opening wrote nothing


def test_a_damaged_study_is_refused_before_its_opened_at_is_written(launched, emulator, capsys):
    # the session's open used to update studies.opened_at first, then meet the damage
    home, pristine, _ = launched
    journal = home / "journal.sqlite"
    _restore(pristine, journal)
    with closing(sqlite3.connect(journal)) as con, con:
        con.execute("UPDATE tuning_jobs SET summary = '\"text\"'")
        con.execute("UPDATE studies SET opened_at = 1.0")
    assert main(["--home", str(home), "--endpoint-url", emulator.url, "status", "t1"]) == ExitCode.JOURNAL
    with closing(sqlite3.connect(journal)) as con, con:
        assert con.execute("SELECT opened_at FROM studies").fetchone() == (1.0,)
        assert con.execute("SELECT summary FROM tuning_jobs").fetchone() == ('"text"',)
