"""`jstui [STUDY]`: user errors come before the app starts, as one line and exit code 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _jstui(*args: str, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jstui", "--home", str(home), *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=60, stdin=subprocess.DEVNULL)


def test_unknown_study_is_one_line(tmp_path):
    out = _jstui(str(tmp_path / "nope.toml"), home=tmp_path)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "nope.toml" in lines[0] and "Traceback" not in out.stderr


def test_no_terminal_is_one_line_and_does_not_import_the_app(tmp_path):
    out = _jstui(home=tmp_path)  # the default sample study, but stdin is not a terminal
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        "jstui: the TUI needs a terminal; for scripts use `jstui status` or `jstui --export csv`"
    ]


def test_closing_does_not_hang_on_a_stuck_session(capsys):
    import threading

    from jstui.cli.tui import _close

    release, closed = threading.Event(), threading.Event()

    class Stuck:
        def close(self):
            release.wait(60)
            closed.set()

    try:
        _close(Stuck(), timeout_s=0.2)
        assert not closed.is_set()  # _close returned while close() is still stuck
        assert "the service is not answering" in capsys.readouterr().err
    finally:
        release.set()
