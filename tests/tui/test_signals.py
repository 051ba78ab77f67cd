"""A real `jstui` process under a pseudo-terminal (issue 16): SIGTERM and SIGHUP quit the TUI like
`q`, restoring the terminal (alternate screen left, mouse tracking off, cursor shown); and a
categorical value from the study file that holds an escape sequence, sent to the service and back as
a training job's hyperparameter, reaches the terminal escaped, never raw. Every wait is on a
condition with a generous deadline, nothing on timing."""

from __future__ import annotations

import os
import pty
import select
import signal
import struct
import sys
import termios
import fcntl
import time
from pathlib import Path

import pytest

from tests.engine.conftest import write_study

ROOT = Path(__file__).resolve().parents[2]
DEADLINE_S = 90.0
ENTER_ALT = b"\x1b[?1049h"
LEAVE_ALT = b"\x1b[?1049l"
SHOW_CURSOR = b"\x1b[?25h"
MOUSE_OFF = b"\x1b[?1000l"


def _exec_in_terminal(argv: list[str], rows: int, columns: int) -> None:
    """In the forked child: size the terminal before the app asks for it, then exec. COLUMNS and
    LINES (pytest's terminal writer leaves them in the C environment) would win over the size."""
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["TERM"] = "xterm-256color"
    os.execve(argv[0], argv, env)


def _read_until(fd: int, seen: bytearray, done, deadline: float) -> bool:
    while not done(bytes(seen)):
        if time.monotonic() > deadline:
            return False
        ready, _, _ = select.select([fd], [], [], 0.5)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the child has closed the terminal
            return done(bytes(seen))
        if not chunk:
            return done(bytes(seen))
        seen.extend(chunk)
    return True


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_termination_signal_restores_the_terminal(tmp_path, sig):
    path = write_study(tmp_path, models=1)
    argv = [sys.executable, "-m", "jstui", "--home", str(tmp_path / "home"), "--readonly", str(path)]
    pid, fd = pty.fork()
    if pid == 0:  # the child: its terminal is the pty
        os.chdir(ROOT)
        _exec_in_terminal(argv, 30, 100)
    try:
        seen = bytearray()
        # the app is up once it entered the alternate screen and drew the study's name
        assert _read_until(fd, seen, lambda b: ENTER_ALT in b and b"t1" in b.split(ENTER_ALT, 1)[-1],
                           time.monotonic() + DEADLINE_S), bytes(seen[-2000:])
        up_to = len(seen)
        os.kill(pid, sig)
        _read_until(fd, seen, lambda b: False, time.monotonic() + DEADLINE_S)  # until the child closes the pty
        _, status = os.waitpid(pid, 0)
        pid = 0
        after = bytes(seen[up_to:])
        assert LEAVE_ALT in after and SHOW_CURSOR in after and MOUSE_OFF in after, after[-500:]
        assert os.waitstatus_to_exitcode(status) == 130  # like Ctrl-C: jobs on the service keep running
    finally:
        if pid:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)


RETITLE_TOML = "\\u001b]2;PWNED\\u0007"  # as written in TOML: OSC 2 (set the window title) ... BEL
RETITLE_RAW = b"\x1b]2;PWNED"
RETITLE_SHOWN = b"\\x1b]2;PWNED\\x07"


def test_a_hostile_hyperparameter_value_reaches_the_terminal_escaped(tmp_path):
    from jstui.cli.main import main

    path = write_study(tmp_path, models=1, skip=15)  # a small model: ends in a second at the test speed
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("[metrics]", f'[tuning.ranges.note]\ntype = "categorical"\n'
                                              f'values = ["plain", "{RETITLE_TOML}"]\n\n[metrics]', 1), encoding="utf-8")
    home = tmp_path / "home"
    assert main(["--home", str(home), "launch", str(path), "--yes", "--wait"]) == 0  # the embedded emulator
    argv = [sys.executable, "-m", "jstui", "--home", str(home), "--readonly", str(path)]
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(ROOT)
        _exec_in_terminal(argv, 40, 200)  # wide enough that the hyperparameter columns are on screen
    try:
        seen = bytearray()
        assert _read_until(fd, seen, lambda b: b"Completed" in b.split(ENTER_ALT, 1)[-1],
                           time.monotonic() + DEADLINE_S), bytes(seen[-2000:])
        # open the candidate's tuning job (its training jobs and their hyperparameters); a key typed
        # before the table has focus is dropped, so press again until the screen is there
        deadline = time.monotonic() + DEADLINE_S
        while not _read_until(fd, seen, lambda b: b"Logs full size" in b, min(deadline, time.monotonic() + 2)):
            assert time.monotonic() < deadline, bytes(seen[-3000:])
            os.write(fd, b"\r")
        assert _read_until(fd, seen, lambda b: RETITLE_SHOWN in b, time.monotonic() + DEADLINE_S), bytes(seen[-3000:])
        os.write(fd, b"q")
        _read_until(fd, seen, lambda b: False, time.monotonic() + DEADLINE_S)
        _, status = os.waitpid(pid, 0)
        pid = 0
        assert os.waitstatus_to_exitcode(status) == 0
        assert RETITLE_RAW not in bytes(seen)  # drawn (escaped above), and never raw
    finally:
        if pid:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)
