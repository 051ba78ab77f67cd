"""Re-check of issue 16's user errors from the command line (done-when 5): inputs the first fix still
answered wrongly, each now one line and a documented exit code, with nothing created or written."""

from __future__ import annotations

from jstui.cli.main import main
from jstui.domain.exitcodes import ExitCode

from tests.engine.conftest import sagemaker_client, write_study


def test_an_empty_candidate_never_picks_the_only_one(tmp_path, emulator, capsys):
    # `jstui deploy STUDY "$MODEL" --yes` with MODEL unset: "" is a substring of every name, so a
    # study of one candidate deployed it (a billable endpoint); stop already refused "" (issue 16, 6)
    path = write_study(tmp_path, models=1, skip=15)
    g = ["--home", str(tmp_path / "home"), "--endpoint-url", emulator.url]
    assert main(g + ["launch", str(path), "--yes", "--wait"]) == ExitCode.OK
    capsys.readouterr()
    for blank in ("", "  "):
        assert main(g + ["deploy", str(path), blank, "--yes", "--no-wait"]) == ExitCode.USAGE
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "empty" in err[0], err
    sm = sagemaker_client(emulator.url)
    assert sm.list_endpoints()["Endpoints"] == [] and sm.list_models()["Models"] == []


def test_an_empty_study_never_means_the_study_opened_last(tmp_path, emulator, capsys):
    # `jstui stop "$STUDY" --yes` with STUDY unset stopped every tuning job of the study opened last
    path = write_study(tmp_path, models=2, skip=15)
    g = ["--home", str(tmp_path / "home"), "--endpoint-url", emulator.url]
    emulator.pause()  # the jobs stay InProgress whatever the machine's speed
    assert main(g + ["launch", str(path), "--yes"]) == ExitCode.OK
    capsys.readouterr()
    for argv in (["stop", "", "--yes"], ["stop", " ", "--yes"], ["status", ""], ["--export", "csv", ""]):
        assert main(g + argv) == ExitCode.USAGE, argv
        err = capsys.readouterr().err.strip().splitlines()
        assert err == ["jstui: STUDY is empty (an unset shell variable?); name a study file or a study in the journal"]
    sm = sagemaker_client(emulator.url)
    statuses = {s["HyperParameterTuningJobStatus"] for s in sm.list_hyper_parameter_tuning_jobs()["HyperParameterTuningJobSummaries"]}
    assert statuses == {"InProgress"}  # nothing was stopped


def _edited(tmp_path, old: str, new: str):
    path = write_study(tmp_path, models=1, skip=15)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_version_that_is_not_a_string_is_one_line(tmp_path, capsys):
    path = _edited(tmp_path, '\nname = "mobilenet', '\nversion = 2\nname = "mobilenet')
    assert main(["--home", str(tmp_path / "home"), "launch", str(path)]) == ExitCode.USAGE
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].endswith("models[1].version: expected a string, got 2 (put it in quotes)"), err


def test_a_catalog_that_is_a_folder_or_a_device_says_so(tmp_path, capsys):
    (tmp_path / "cat").mkdir()
    for where, what in ((str(tmp_path / "cat"), "is a folder, not a CSV file"),
                        ("/dev/null", "is not a regular file (a pipe or device?)")):
        path = _edited(tmp_path, 'catalog = "', f'catalog = "{where}" # ')
        assert main(["--home", str(tmp_path / "home"), "launch", str(path)]) == ExitCode.USAGE
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and f"emulator.catalog: catalog '{where}' {what}" in err[0], err


def test_a_read_only_journal_file_is_not_blamed_on_its_folder(tmp_path):
    # chmod 444 journal.sqlite in a writable folder said "check that its folder is writable"
    import sqlite3

    from jstui.engine.journal import translate

    err = translate(sqlite3.OperationalError("attempt to write a readonly database"), tmp_path / "journal.sqlite",
                    "write the journal", 30)
    assert err is not None and err.exit_code == ExitCode.ENVIRONMENT
    assert "check that it and its folder are writable" in str(err)


def test_a_damaged_row_in_the_journal_is_exit_7_not_a_traceback(tmp_path, emulator, capsys):
    # the schema checks caught a dropped table or column; a row whose stored value no longer reads
    # (a launch state, a stored JSON answer, the saved snapshot) was an internal error, exit 1
    import shutil
    import sqlite3

    path = write_study(tmp_path, models=1, skip=15)
    home = tmp_path / "home"
    g = ["--home", str(home), "--endpoint-url", emulator.url]
    assert main(g + ["launch", str(path), "--yes", "--wait"]) == ExitCode.OK
    pristine = tmp_path / "pristine.sqlite"
    with sqlite3.connect(home / "journal.sqlite") as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(home / "journal.sqlite", pristine)
    damage = {
        "launches": "UPDATE launches SET state = 'bogus'",
        "tuning job": "UPDATE tuning_jobs SET summary = '{not json'",
        "training job": "UPDATE training_jobs SET describe = '[['",
        "snapshot": "UPDATE snapshots SET body = 'xx'",
    }
    for what, sql in damage.items():
        shutil.copy(pristine, home / "journal.sqlite")
        with sqlite3.connect(home / "journal.sqlite") as con:
            con.execute(sql)
        capsys.readouterr()
        for argv in (["status", "t1"], ["launch", str(path), "--yes"]):
            assert main(g + argv) == ExitCode.JOURNAL, (what, argv, capsys.readouterr().err)
            err = capsys.readouterr().err.strip().splitlines()
            assert len(err) == 1 and "journal is damaged" in err[0] and str(home) in err[0], (what, err)
    assert main(g + ["studies"]) == ExitCode.OK  # the list still shows every study
    assert "snapshot unreadable (journal damaged)" in capsys.readouterr().out
