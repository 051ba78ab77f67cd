"""Every user input that used to crash (exit 1) is one line and a documented exit code (issue 16,
"Crashes and hangs" 9 and "Misleading" 11), and no command writes to a journal it could not read."""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

import pytest

from jstui.cli.main import main
from jstui.engine.journal import Journal

from tests.engine.conftest import write_study


def _one_line(capsys) -> str:
    for handler in logging.getLogger().handlers:  # the CLI's debug log lives in the temporary home
        handler.close()
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err and "internal error" not in err, err
    return lines[0]


@pytest.mark.parametrize("budget", ["nan", "inf", "-inf", "1e308", "1e-308", "0"])
def test_absurd_budget_on_the_command_line_is_exit_2(tmp_path, capsys, budget):
    path = write_study(tmp_path, models=1)
    home = tmp_path / "home"
    assert main(["--home", str(home), "launch", str(path), "--yes", "--budget", budget]) == 2
    assert "--budget" in _one_line(capsys)
    assert not (home / "journal.sqlite").exists()  # refused before anything was opened


@pytest.mark.parametrize("speed", ["nan", "inf", "1e308", "1e-308", "0", "-5"])
def test_absurd_emulator_speed_is_exit_2(tmp_path, capsys, speed):
    state = tmp_path / "state.sqlite"
    assert main(["--home", str(tmp_path), "emulator", "--port", "0", "--state", str(state), "--speed", speed]) == 2
    assert "--speed" in _one_line(capsys)
    assert not state.exists()  # its state is not poisoned: never created


def test_binary_catalog_is_a_study_file_error(tmp_path, capsys):
    catalog = tmp_path / "bin.csv"
    catalog.write_bytes(bytes(range(256)) * 8)
    path = write_study(tmp_path, models=1)
    text = path.read_text(encoding="utf-8")
    path.write_text("\n".join(f'catalog = "{catalog}"' if line.startswith("catalog =") else line
                              for line in text.splitlines()), encoding="utf-8")
    assert main(["--home", str(tmp_path / "home"), "launch", str(path)]) == 2
    assert "not UTF-8" in _one_line(capsys)


@pytest.mark.parametrize("nest", ["[" * 3000 + "]" * 3000, "{a = " * 3000 + "1" + "}" * 3000])
def test_deeply_nested_toml_is_a_study_file_error(tmp_path, capsys, nest):
    path = tmp_path / "deep.toml"
    path.write_text(f'[study]\nname = "deep"\nx = {nest}\n', encoding="utf-8")
    assert main(["--home", str(tmp_path / "home"), "launch", str(path)]) == 2
    assert "nested too deeply" in _one_line(capsys)


def test_a_directory_or_fifo_given_as_study_is_named_as_such(tmp_path, capsys):
    (tmp_path / "dir.toml").mkdir()
    assert main(["--home", str(tmp_path / "home"), "status", str(tmp_path / "dir.toml")]) == 2
    assert "is a directory" in _one_line(capsys)
    os.mkfifo(tmp_path / "pipe.toml")
    assert main(["--home", str(tmp_path / "home"), "launch", str(tmp_path / "pipe.toml")]) == 2
    assert "not a regular file" in _one_line(capsys)


@pytest.mark.parametrize("damage", [
    "DROP TABLE launches",
    "ALTER TABLE snapshots RENAME COLUMN body TO other",
    "PRAGMA user_version = 0",
    "PRAGMA user_version = -3",
])
def test_a_damaged_schema_is_refused_and_never_written(tmp_path, capsys, damage):
    path = write_study(tmp_path, models=1)
    home = tmp_path / "home"
    Journal.open(home).close()
    con = sqlite3.connect(home / "journal.sqlite")
    con.execute(damage)
    con.commit()
    con.close()
    before = (home / "journal.sqlite").read_bytes()
    for argv in (["launch", str(path), "--yes"], ["studies"], ["--export", "csv", "--offline", str(path)]):
        assert main(["--home", str(home), *argv]) == 7
        assert "journal is damaged" in _one_line(capsys)
    assert (home / "journal.sqlite").read_bytes() == before


def test_the_debug_log_never_lands_in_the_working_directory(tmp_path, capsys, monkeypatch):
    """A home that cannot hold the log, and a system whose temporary folder is the working directory
    (tempfile's last resort): no log file at all rather than litter in the user's project."""
    import tempfile

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the home's parent should be")
    work = tmp_path / "project"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(work))
    main(["--home", str(blocker / "home"), "studies"])
    capsys.readouterr()
    assert list(work.iterdir()) == []


def test_a_debug_log_that_cannot_be_written_prints_no_traceback(tmp_path, capsys):
    """A full disk under the log (/dev/full answers every write with ENOSPC): the command's own
    answer is the only thing on stderr."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    home = tmp_path / "home"
    home.mkdir()
    (home / "jstui-debug.log").symlink_to("/dev/full")
    assert main(["--home", str(home), "--debug", "status", "no-such-study"]) == 2
    for handler in logging.getLogger().handlers:
        handler.close()
    err = capsys.readouterr().err
    assert "Logging error" not in err and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
