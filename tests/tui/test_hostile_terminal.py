"""Re-check of issue 16's terminal safety (done-when 1): the log pane and the compare screen, which the
first fix left drawing service and study-file text raw. Found in tmux: a training job whose log and
FailureReason carry `ESC]2;PWNED BEL` retitled the pane and left the alternate screen as soon as its
tuning job was opened; a hyperparameter named with an escape did the same from the compare screen."""

from __future__ import annotations

import dataclasses

from textual.widgets import DataTable, RichLog

from jstui.tui.screens.compare import CompareScreen
from jstui.tui.screens.tuning_job import TuningJobScreen

from tests.tui.fake_session import FakeSession, make_snapshot
from tests.tui.helpers import make_app, settle

RETITLE = "\u001b]2;PWNED\u0007"  # OSC 2: set the window title
LEAVE_SCREEN = "\u001b[?1049l\u001b[2J"  # leave the alternate screen, clear it


def _drawn(pane: RichLog) -> str:
    return "\n".join(strip.text for strip in pane.lines)


async def test_log_lines_written_by_training_code_are_drawn_escaped():
    session = FakeSession()
    app = make_app(session)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        job = session.snapshot().training_jobs[0].training_job_name
        session.log_lines[job] = ["Starting", f"ERROR: No such file: '/opt/ml/input/data/{RETITLE}{LEAVE_SCREEN}x'", "done"]
        await pilot.press("l")  # the first candidate's best job, log full size
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TuningJobScreen)
        drawn = _drawn(screen.query_one(RichLog))
        assert "\x1b" not in drawn and "\x07" not in drawn
        assert "'/opt/ml/input/data/\\x1b]2;PWNED\\x07\\x1b[?1049l\\x1b[2Jx'" in drawn
        assert screen.log_lines()[1].endswith(f"{LEAVE_SCREEN}x'")  # the text kept as read (search, copy)
        await pilot.press("slash", *"pwned", "enter")  # search still finds it
        await settle(pilot)
        assert screen._match == 1


async def test_compare_escapes_hyperparameter_names_from_the_study_file():
    snap = make_snapshot()
    snap = dataclasses.replace(snap, tuning_jobs=tuple(
        dataclasses.replace(r, best_hyperparameters={**r.best_hyperparameters, f"hp{RETITLE}": "1"})
        for r in snap.tuning_jobs))
    app = make_app(FakeSession(snap))
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("space", "space", "C")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        table = screen.query_one("#compare-table", DataTable)
        facts = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        assert not any("\x1b" in f or "\x07" in f for f in facts)
        assert any("hp\\x1b]2;PWNED\\x07" in f for f in facts), facts
