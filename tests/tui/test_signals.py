"""SIGTERM and SIGHUP quit the TUI like `q` (issue 16, "Crashes and hangs" 12): the terminal is
restored (alternate screen left, mouse tracking off, cursor shown). A real `jstui` process under a
pseudo-terminal; every wait is on a condition with a generous deadline, nothing on timing."""

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
        os.environ["TERM"] = "xterm-256color"
        os.execv(sys.executable, argv)
    try:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
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
