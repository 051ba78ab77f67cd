"""No text from a study file or the service reaches the terminal raw (issue 16, "Security" 1): a
FailureReason written by training code (`/opt/ml/output/failure`) or a categorical hyperparameter
value that holds an escape sequence is drawn with its control characters shown as escapes."""

from __future__ import annotations

import dataclasses

from textual.widgets import DataTable

from jstui.tui.screens.confirm import ConfirmModal
from jstui.tui.screens.study import StudyScreen
from jstui.tui.screens.tuning_job import TuningJobScreen

from tests.tui.fake_session import FakeSession, make_snapshot, replace_row
from tests.tui.helpers import make_app, settle

RETITLE = "\u001b]2;PWNED\u0007"  # OSC 2: set the window title
LEAVE_SCREEN = "\u001b[?1049l\u001b[2J"  # leave the alternate screen, clear it
CANDIDATE = "effv2-m-fixed-lr"  # the fake study's candidate whose one training job failed


def _hostile_snapshot():
    snap = make_snapshot()
    jobs = tuple(
        dataclasses.replace(j, failure_reason=f"AlgorithmError: {RETITLE}{LEAVE_SCREEN}boom",
                            hyperparameters={**j.hyperparameters, "optimizer": RETITLE})
        if j.candidate == CANDIDATE else j
        for j in snap.training_jobs
    )
    snap = dataclasses.replace(snap, training_jobs=jobs)
    return replace_row(snap, CANDIDATE, status="Failed", failure_reason=f"All training jobs failed: {LEAVE_SCREEN}")


def _current(app) -> str | None:
    screen = app.screen
    assert isinstance(screen, StudyScreen)
    return screen.current_candidate()


async def test_failure_reason_and_hyperparameter_values_are_drawn_escaped():
    app = make_app(FakeSession(_hostile_snapshot()))
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        while _current(app) != CANDIDATE:
            await pilot.press("j")
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TuningJobScreen)
        title = str(screen.query_one("#tuning-title").content)
        log_title = str(screen.query_one("#log-title").content)
        table = screen.query_one("#training-jobs", DataTable)
        cells = [str(c) for row in range(table.row_count) for c in table.get_row_at(row)]
        shown = "\n".join([title, log_title, *cells])
        assert "\x1b" not in shown and "\x07" not in shown
        assert "FailureReason: AlgorithmError: \\x1b]2;PWNED\\x07\\x1b[?1049l\\x1b[2Jboom" in log_title
        assert "All training jobs failed: \\x1b[?1049l\\x1b[2J" in title
        assert "\\x1b]2;PWNED\\x07" in cells  # the hyperparameter's cell, whole


async def test_notifications_and_questions_escape_service_text():
    app = make_app(FakeSession(_hostile_snapshot()))
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        app.notify(f"Stop {CANDIDATE} failed: {RETITLE} [bold]not markup[/bold]")
        await pilot.pause()
        (note,) = list(app._notifications)
        assert note.message == f"Stop {CANDIDATE} failed: \\x1b]2;PWNED\\x07 [bold]not markup[/bold]"
        assert note.markup is False
        while _current(app) != CANDIDATE:
            await pilot.press("j")
        await pilot.press("R")  # retry: the question quotes the last FailureReason
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        assert "\x1b" not in app.screen.body and "\\x1b[?1049l" in app.screen.body
