"""Human-readable CLI output never carries a raw control character from a study file or the
service (issue 16, "Security" 1), and `stop STUDY ""` (an unset shell variable) is a usage error,
not "stop everything" (issue 16, "Money" 6)."""

from __future__ import annotations

import dataclasses
import re

from jstui.cli import status as status_cmd
from jstui.cli.main import main
from jstui.cli.progress import progress_line

from tests.engine.conftest import tuning_job_names, write_study
from tests.tui.fake_session import make_snapshot, replace_row

RETITLE = "\\u001b]2;PWNED\\u0007"  # as written in TOML: OSC 2, set the window title
RAW = "\x1b]2;PWNED\x07"
SHOWN = "\\x1b]2;PWNED\\x07"


def _hostile_study(tmp_path, name="t1"):
    return write_study(tmp_path, name=name, models=1)


def test_study_file_errors_quote_values_escaped(tmp_path, capsys):
    path = _hostile_study(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace('instance_type = "ml.p3.2xlarge"',
                                                             f'instance_type = "{RETITLE}"'), encoding="utf-8")
    assert main(["--home", str(tmp_path / "home"), "launch", str(path)]) == 2
    err = capsys.readouterr().err
    assert "instance_type" in err and "\x1b" not in err and SHOWN in err


def test_status_table_and_progress_line_escape_service_text(capsys):
    snap = make_snapshot()
    first = snap.tuning_jobs[0].candidate
    snap = replace_row(snap, first, status=f"InProgress{RAW}", waiting_reason=f"quota {RAW}",
                       tuning_job_name=f"job-{RAW}")
    status_cmd._print(dataclasses.replace(snap, connection=dataclasses.replace(snap.connection, state="offline",
                                                                              message=f"boom {RAW}")), as_json=False)
    out, err = capsys.readouterr()
    assert "\x1b]" not in out + err and "\x07" not in out + err
    assert "\\x1b]2;PWNED" in re.sub(r"\s+", "", out)  # folded across lines by the table, but there
    assert SHOWN in err
    line = progress_line(snap)
    assert "\x1b" not in line and SHOWN in line


def test_stop_with_an_empty_candidate_is_a_usage_error_and_stops_nothing(tmp_path, emulator, capsys):
    path = write_study(tmp_path, models=2)
    g = ["--home", str(tmp_path / "home"), "--endpoint-url", emulator.url]
    assert main(g + ["launch", str(path), "--yes"]) == 0
    capsys.readouterr()
    for empty in ("", "  "):
        assert main(g + ["stop", str(path), empty, "--yes"]) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and "MODEL is empty" in err
    assert main(g + ["status", str(path), "--json"]) == 0
    assert "Stopping" not in capsys.readouterr().out and "Stopped" not in capsys.readouterr().out
    assert len(tuning_job_names(emulator.url)) == 2
