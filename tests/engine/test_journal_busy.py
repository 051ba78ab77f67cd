"""Two processes on one journal: a busy journal is waited for, then either used or refused with one
line and exit 8 (ENVIRONMENT), never called "unreadable" (exit 7 is for a corrupt or newer journal).
Another process holds the journal's write lock, as a second jstui in the middle of a write does.
Nothing here measures time: the waiting is proven by the waiter's own notice, printed while the lock
is still held, and the deadline is made short through JSTUI_JOURNAL_TIMEOUT."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from jstui.cli.main import main
from jstui.domain.errors import EnvironmentProblem, JournalBusy
from jstui.domain.exitcodes import ExitCode
from jstui.engine.journal import Journal

ROOT = Path(__file__).resolve().parents[2]

# Holds BEGIN IMMEDIATE (the write lock) with one row written, until a line arrives on stdin.
HOLDER = r"""
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN IMMEDIATE")
con.execute("INSERT INTO events (study, kind, message) VALUES ('s', 'k', 'written by the holder')")
print("holding", flush=True)
sys.stdin.readline()
con.execute("COMMIT")
print("released", flush=True)
"""


class Holder:
    def __init__(self, journal_path: Path):
        self.proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(journal_path)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "holding"

    def release(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.write("\n")
            self.proc.stdin.flush()
            assert self.proc.stdout.readline().strip() == "released"
        assert self.proc.wait(timeout=60) == 0


@pytest.fixture
def home(tmp_path):
    Journal.open(tmp_path / "home").close()
    return tmp_path / "home"


def _jstui(home: Path, timeout_s: str, *args: str) -> subprocess.Popen:
    env = {**os.environ, "JSTUI_JOURNAL_TIMEOUT": timeout_s}
    return subprocess.Popen([sys.executable, "-m", "jstui", "--home", str(home), *args], cwd=ROOT, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_busy_journal_is_waited_for_then_used(home):
    holder = Holder(home / "journal.sqlite")
    try:
        waiter = _jstui(home, "600", "studies")
        notice = waiter.stderr.readline()  # printed while it waits: the lock is still held
        assert "another jstui is writing the journal" in notice and str(home) in notice, notice
        assert waiter.poll() is None
    finally:
        holder.release()
    out, err = waiter.communicate(timeout=120)
    assert waiter.returncode == 0, err
    assert "studies in" in out and err == ""
    j = Journal.open(home)
    assert [e["message"] for e in j.events("s")] == ["written by the holder"]
    j.close()


def test_a_journal_held_past_the_deadline_is_one_line_and_exit_8(home):
    holder = Holder(home / "journal.sqlite")
    try:
        waiter = _jstui(home, "0.2", "studies")
        out, err = waiter.communicate(timeout=120)
    finally:
        holder.release()
    assert waiter.returncode == ExitCode.ENVIRONMENT == 8, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "another jstui holds the journal" in lines[0] and str(home) in lines[0], err
    assert "unreadable" not in err and "Traceback" not in err and out == ""
    # the holder's write survived, and the journal is fine afterwards
    j = Journal.open(home)
    assert [e["message"] for e in j.events("s")] == ["written by the holder"]
    j.close()


def test_in_process_the_busy_error_is_journal_busy_not_journal_error(home):
    holder = Holder(home / "journal.sqlite")
    try:
        with pytest.raises(JournalBusy) as err:
            Journal.open(home, timeout=0.1)
    finally:
        holder.release()
    assert err.value.exit_code == ExitCode.ENVIRONMENT


def test_writes_meeting_a_busy_journal_wait_then_fail_with_journal_busy(home):
    j = Journal.open(home, timeout=0.1)
    holder = Holder(home / "journal.sqlite")
    try:
        with pytest.raises(JournalBusy):
            j.add_event("s", "k", "blocked")
    finally:
        holder.release()
    j.add_event("s", "k", "after")  # the same connection works once the lock is gone
    assert [e["message"] for e in j.events("s")] == ["written by the holder", "after"]
    j.close()


def test_a_home_that_cannot_be_a_folder_is_exit_8(tmp_path, capsys):
    (tmp_path / "a-file").write_text("x")
    assert main(["--home", str(tmp_path / "a-file" / "home"), "studies"]) == ExitCode.ENVIRONMENT
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "a-file" in err[0], err
    with pytest.raises(EnvironmentProblem):
        Journal.open(tmp_path / "a-file" / "home")


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root enters any folder")
def test_a_home_that_cannot_be_entered_is_exit_8(tmp_path, capsys):
    locked = tmp_path / "locked"
    (locked / "home").mkdir(parents=True)
    locked.chmod(0)
    try:
        assert main(["--home", str(locked / "home"), "studies"]) == ExitCode.ENVIRONMENT
    finally:
        locked.chmod(0o755)
    assert "permission" in capsys.readouterr().err.lower()


def test_a_bad_timeout_setting_is_a_usage_error(home, monkeypatch, capsys):
    monkeypatch.setenv("JSTUI_JOURNAL_TIMEOUT", "soon")
    assert main(["--home", str(home), "studies"]) == ExitCode.USAGE
    assert "JSTUI_JOURNAL_TIMEOUT" in capsys.readouterr().err



def test_a_full_disk_met_by_any_command_is_one_line_and_exit_8(monkeypatch, tmp_path, capsys):
    import errno

    from jstui.cli import studies

    def full(args):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "somewhere"))

    monkeypatch.setattr(studies, "run", full)
    assert main(["--home", str(tmp_path / "home"), "studies"]) == ExitCode.ENVIRONMENT
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "No space left on device" in err[0] and "somewhere" in err[0], err


def test_the_journal_names_a_full_disk_and_a_read_only_file_as_environment_problems(tmp_path):
    from jstui.engine.journal import translate

    path = tmp_path / "journal.sqlite"
    for message in ("database or disk is full", "attempt to write a readonly database"):
        err = translate(sqlite3.OperationalError(message), path, "write the journal", 30)
        assert isinstance(err, EnvironmentProblem) and not isinstance(err, JournalBusy), message
        assert str(path) in str(err)
    assert isinstance(translate(sqlite3.OperationalError("database is locked"), path, "x", 30), JournalBusy)
    assert translate(sqlite3.DatabaseError("file is not a database"), path, "x", 30).exit_code == ExitCode.JOURNAL
