"""A shipped sample study is remembered by name, not by where this install keeps its file: after a
reinstall moved (or deleted) the copy it was opened from, `jstui caltech256` still opens it. Rows an
older jstui wrote with an install path are resolved the same way."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from jstui import sample_studies
from jstui.cli.main import main
from jstui.engine.journal import Journal
from jstui.engine.session import resolve_study


def _stored_path(home, name: str) -> str:
    con = sqlite3.connect(home / "journal.sqlite")
    try:
        return con.execute("SELECT path FROM studies WHERE name = ?", (name,)).fetchone()[0]
    finally:
        con.close()


@pytest.fixture
def old_install(tmp_path, monkeypatch):
    """The shipped samples as another install kept them (e.g. site-packages of a wheel install)."""
    root = tmp_path / "old-venv" / "site-packages" / "jstui" / "sample_studies"
    shutil.copytree(sample_studies.ROOT, root, ignore=shutil.ignore_patterns("__pycache__", "jumpstart", "images"))
    monkeypatch.setattr(sample_studies, "ROOT", root)
    monkeypatch.setattr(sample_studies, "DEFAULT_STUDY", root / "caltech256.toml")
    return root


def test_a_sample_opened_from_one_install_reopens_by_name_after_a_reinstall(tmp_path, old_install, monkeypatch, capsys):
    home = tmp_path / "home"
    j = Journal.open(home)
    j.upsert_study("caltech256", old_install / "caltech256.toml", "emulator", "us-east-1")
    j.close()
    assert _stored_path(home, "caltech256") == "sample:caltech256"
    # reinstall: the old copy is deleted, this install's samples are the real ones
    shutil.rmtree(old_install.parent.parent.parent)
    monkeypatch.undo()
    assert resolve_study("caltech256", home) == sample_studies.DEFAULT_STUDY
    j = Journal.open(home)
    assert j.last_opened().path == str(sample_studies.DEFAULT_STUDY)  # what bare `jstui` reopens
    j.close()
    # the command a user types: the plan of the study named caltech256 (nothing is created)
    assert main(["--home", str(home), "launch", "caltech256"]) == 0
    assert "is gone" not in capsys.readouterr().err
    assert _stored_path(home, "caltech256") == "sample:caltech256"


def test_a_row_with_an_older_installs_path_is_resolved_to_this_install(tmp_path):
    home = tmp_path / "home"
    Journal.open(home).close()
    gone = tmp_path / "removed-venv" / "lib" / "site-packages" / "jstui" / "sample_studies" / "neu-det.toml"
    con = sqlite3.connect(home / "journal.sqlite")
    con.execute("INSERT INTO studies (name, path, backend, region, created_at, opened_at) VALUES (?,?,?,?,?,?)",
                ("neu-det", str(gone), "emulator", "us-east-1", 1.0, 1.0))
    con.commit()
    con.close()
    assert resolve_study("neu-det", home) == sample_studies.ROOT / "neu-det.toml"
    j = Journal.open(home)
    assert [r.path for r in j.studies()] == [str(sample_studies.ROOT / "neu-det.toml")]
    j.close()


def test_a_users_own_study_stays_recorded_by_its_path(tmp_path, capsys):
    home = tmp_path / "home"
    mine = tmp_path / "mine" / "sample_studies" / "caltech256.toml"  # same file name, not a shipped sample
    mine.parent.mkdir(parents=True)
    mine.write_text(sample_studies.DEFAULT_STUDY.read_text(encoding="utf-8").replace(
        'name = "caltech256"', 'name = "my-caltech"', 1), encoding="utf-8")
    j = Journal.open(home)
    j.upsert_study("my-caltech", mine, "emulator", "us-east-1")
    j.close()
    assert _stored_path(home, "my-caltech") == str(mine)
    mine.unlink()  # a user's file that is gone is not replaced by the shipped sample of that file name
    assert main(["--home", str(home), "launch", "my-caltech"]) == 2
    assert "is gone" in capsys.readouterr().err
