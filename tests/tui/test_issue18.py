"""Issue 18: the TUI defects a new user hit, one pilot test each (items by number)."""

from __future__ import annotations

import dataclasses
import threading
from datetime import timedelta

from textual.widgets import DataTable, RichLog

from jstui.domain.snapshot import ConnectionState
from jstui.tui.app import JstuiApp
from jstui.tui.commands import KeyCommands
from jstui.tui.screens.confirm import ConfirmModal
from jstui.tui.screens.study import StudyScreen
from jstui.tui.screens.tuning_job import TuningJobScreen, hyperparameter_text
from jstui.tui.widgets.study_header import StudyHeader

from tests.tui.fake_session import T0, FakeSession, make_snapshot, replace_row
from tests.tui.helpers import make_app, settle, until

SIZE = (100, 30)


def _cell(app: JstuiApp, cand: str, col: str) -> str:
    return str(app.screen.query_one(DataTable).get_cell(cand, col))


def _col_width(app: JstuiApp, key: str) -> int:
    table = app.screen.query_one(DataTable)
    return next(c.width for c in table.columns.values() if c.key.value == key)


def _messages(app: JstuiApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_item0_model_column_grows_when_the_rows_arrive():
    # README's first session: the table is drawn empty, then the launch's first refresh fills it
    session = FakeSession(make_snapshot(tuning_jobs=(), training_jobs=(), planned=()))
    session.next_snapshots = [make_snapshot()]
    app = make_app(session)
    # wide: every column fits with or without the names, so only the widths can change
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        longest = max(len(r.candidate) for r in session.snapshot().tuning_jobs)
        assert _col_width(app, "model") >= longest


async def test_item1_stop_confirmation_wraps_inside_the_dialog():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("j", "x")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        body = app.screen.query_one("#confirm-body")
        text = app.screen.query_one("#confirm-body Static")
        assert text.size.width <= body.size.width  # nothing beyond the dialog's edge
        assert body.virtual_size.width <= body.size.width  # no sideways scrolling needed
        assert text.size.height >= 3  # the two sentences wrapped onto more lines


async def test_item2_two_digit_job_counts_are_not_cut():
    snap = replace_row(make_snapshot(), "mobilenet-v2-100-224", jobs_completed=20, max_jobs=20)
    app = make_app(FakeSession(snap))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = _cell(app, "mobilenet-v2-100-224", "jobs")
        assert text == "20/0/0/0 of 20"
        assert _col_width(app, "jobs") >= len(text)


async def test_item3_updated_is_the_age_of_the_last_successful_refresh():
    session = FakeSession()  # the fixed snapshot was taken at T0; the fake clock says T0 + 3 s
    offline = make_snapshot(taken_at=T0 + timedelta(seconds=30),
                            connection=ConnectionState(state="offline", message="connection refused"))
    session.next_snapshots = [offline]
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        session.clock = T0 + timedelta(seconds=33)
        await pilot.press("r")  # a failed poll: the engine publishes a newer, offline snapshot
        await settle(pilot)
        app._tick()
        header = str(app.screen.query_one(StudyHeader).content)
        assert "offline" in header and "updated 33s ago" in header


async def test_item5_launch_with_everything_launched_says_there_is_nothing_to_launch():
    session = FakeSession()
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("L")
        await settle(pilot)
        assert isinstance(app.screen, StudyScreen)  # no offer to launch
        assert not any(c[0] == "plan_text" for c in session.calls)
        assert any("Nothing to launch" in m for m in _messages(app))


async def test_item7_stopped_training_jobs_are_counted():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert _cell(app, "resnet-50", "jobs") == "1/0/0/1 of 2"  # one completed, one stopped
        assert "■" in app.screen.query_one(DataTable).columns[next(
            k for k in app.screen.query_one(DataTable).columns if k.value == "jobs")].label.plain


async def test_item8_candidates_that_never_ran_are_not_stopped():
    snap = replace_row(make_snapshot(), "bit-m-r50x1", status="NotLaunched", waiting_reason="budget guard")
    app = make_app(FakeSession(snap))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert _cell(app, "bit-m-r50x1", "status") == "· NotLaunched"
        assert _cell(app, "bit-m-r50x1", "spend") == "(~$3.10)"  # its planned cost, not "$0.00"


async def test_item10_mixed_objectives_show_their_name_and_sort_within_one_metric():
    snap = make_snapshot()
    snap = replace_row(snap, "resnet-50", objective_name="validation:cross_entropy", direction="Minimize",
                       best_objective=0.5)
    snap = replace_row(snap, "mobilenet-v2-100-224", objective_name="validation:cross_entropy",
                       direction="Minimize", best_objective=0.3)
    app = make_app(FakeSession(snap))
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, StudyScreen)
        assert _cell(app, "resnet-50", "objective") == "validation:cross_entropy ↓"
        assert _cell(app, "effv2-m", "objective") == "val_accuracy ↑"
        assert _cell(app, "resnet-50", "best") == "0.5000 ↓"
        screen.sort_key, screen.sort_reverse = "best", False
        screen._sync(mark=False)
        order = [c for c in screen.visible_candidates() if c in ("resnet-50", "mobilenet-v2-100-224", "effv2-m")]
        # grouped by metric (never mAP next to a cross-entropy), the better end first in each
        assert order == ["effv2-m", "mobilenet-v2-100-224", "resnet-50"]


async def test_item11_the_header_says_time_and_money_are_simulated_on_the_emulator():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "simulated" in str(app.screen.query_one(StudyHeader).content)


async def test_item12_a_late_log_answer_for_an_older_request_is_dropped():
    release = threading.Event()
    first_call = threading.Event()

    class SlowFirstLog(FakeSession):
        def logs(self, training_job_name, next_token=None):
            if not first_call.is_set():
                first_call.set()
                release.wait(10)  # A's first fetch is still in flight while the user moves A -> B -> A
            return super().logs(training_job_name, next_token)

    session = SlowFirstLog()
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "enter")  # effv2-m: the cursor starts on its best job (A)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TuningJobScreen)
        job_a = screen.selected_job()
        await pilot.press("j")  # B
        await pilot.pause()
        await pilot.press("k")  # A again
        await pilot.pause()
        release.set()
        await until(pilot, lambda: f"Starting training job {job_a}" in screen.log_lines(), "A's first log line")
        await settle(pilot)  # whatever else the fetches in flight post has landed by now
        lines = screen.log_lines()
        assert screen.selected_job() == job_a
        assert sum(1 for line in lines if line == f"Starting training job {job_a}") == 1, lines


async def test_item13_log_wraps_searches_and_esc_returns_to_the_split():
    session = FakeSession()
    long_line = "Epoch 3/5 " + "- loss: 0.5123 " * 8 + "- val_accuracy: 0.8799"
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        job = session.snapshot().training_jobs[0].training_job_name
        session.log_lines[job] = ["Starting", long_line, "done"]
        await pilot.press("l")  # full-size log of the first candidate
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TuningJobScreen) and screen.has_class("logs-full")
        pane = screen.query_one(RichLog)
        assert len(pane.lines) > len(screen.log_lines())  # the long line wrapped: val_accuracy is on screen
        await pilot.press("w")
        assert len(pane.lines) == len(screen.log_lines())
        await pilot.press("slash", *"val_acc", "enter")
        await settle(pilot)
        assert screen._match == 1 and "line 2" in str(screen.query_one("#log-title").content)
        await pilot.press("escape")
        assert isinstance(app.screen, TuningJobScreen) and not app.screen.has_class("logs-full")
        await pilot.press("escape")
        assert isinstance(app.screen, StudyScreen)


async def test_item15_palette_lists_jstuis_actions_by_name():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        names = [name for name, _, _ in KeyCommands(app.screen)._commands()]
        assert not any(n in names for n in ("Cursor left", "Page up", "Cursor up", "Page down"))
        assert not any("column" in n for n in names)
        assert "Sort by Best obj (again: reverse)" in names
        assert any(n.startswith("Export") for n in names)


async def test_item16_first_sort_on_a_metric_puts_the_best_first():
    app = make_app()
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, StudyScreen)
        index = [c.key for c in screen._visible].index("test_acc")
        await pilot.press("1234567890"[index])
        await settle(pilot)
        accs = {r.candidate: r.best_metrics.get("test_accuracy") for r in app.snapshot.tuning_jobs}
        assert screen.visible_candidates()[0] == max((c for c in accs if accs[c] is not None), key=lambda c: accs[c])


async def test_item18_tuned_hyperparameters_are_shown_readably():
    assert hyperparameter_text("0.0003452600552") == "0.0003453"
    assert hyperparameter_text("32") == "32" and hyperparameter_text("adam") == "adam"
    snap = make_snapshot()
    jobs = tuple(dataclasses.replace(j, hyperparameters={"learning_rate": "0.0003452600552"})
                 for j in snap.training_jobs)
    app = make_app(FakeSession(dataclasses.replace(snap, training_jobs=jobs)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        table = app.screen.query_one("#training-jobs", DataTable)
        assert str(table.get_cell(table.ordered_rows[0].key, "hp.learning_rate")) == "0.0003453"


async def test_item21_readonly_keys_say_read_only():
    session = FakeSession(readonly=True)
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "x")
        await pilot.press("d")
        await settle(pilot)
        said = _messages(app)
        assert any("read-only" in m and "stop" in m for m in said)
        assert any("read-only" in m and "deploy" in m for m in said)
        assert not any(c[0] in ("stop", "deploy") for c in session.calls)
