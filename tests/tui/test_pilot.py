"""Pilot tests of the TUI's flows against the fake session: each key of the issue is pressed and
its effect checked on the screen or on what the session was asked to do."""

from __future__ import annotations

import asyncio
import dataclasses
import re
import threading
import time
from datetime import timedelta

from rich.console import Console
from textual import events
from textual.command import CommandList, CommandPalette
from textual.widgets import DataTable, Input

from jstui.domain.snapshot import ConnectionState
from jstui.tui.app import JstuiApp
from jstui.tui.screens.confirm import ConfirmModal
from jstui.tui.screens.help import HelpScreen
from jstui.tui.screens.study import StudyScreen
from jstui.tui.screens.tuning_job import TuningJobScreen
from jstui.tui.widgets.spend_bar import SpendBar
from jstui.tui.widgets.study_header import StudyHeader

from tests.tui.fake_session import FakeSession, make_snapshot, replace_row
from tests.tui.helpers import make_app, settle, until

SIZE = (100, 30)


def rows_of(app: JstuiApp) -> list[str]:
    return app.screen.visible_candidates()  # type: ignore[attr-defined]  # app.screen is typed Screen; here a StudyScreen


def header_of(app: JstuiApp) -> str:
    return str(app.screen.query_one(StudyHeader).content)


def cursor_candidate(app: JstuiApp) -> str | None:
    return app.screen.current_candidate()  # type: ignore[attr-defined]  # app.screen is typed Screen; here a StudyScreen


async def test_drill_in_and_out_keeps_the_cursor():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "j")
        assert cursor_candidate(app) == "effv2-m-fixed-lr"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TuningJobScreen) and app.screen.candidate == "effv2-m-fixed-lr"
        table = app.screen.query_one("#training-jobs", DataTable)
        assert table.row_count == 1  # its one failed training job
        assert "FailureReason" in str(app.screen.query_one("#log-title").content)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, StudyScreen)
        assert cursor_candidate(app) == "effv2-m-fixed-lr"
        await pilot.press("k", "up")
        assert cursor_candidate(app) == "mobilenet-v2-100-224"
        await pilot.press("down")
        assert cursor_candidate(app) == "effv2-m"


async def test_tuning_job_screen_marks_the_best_and_follows_the_selected_log():
    session = FakeSession()
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "enter")  # effv2-m: 001 best and completed, 002 running
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TuningJobScreen)
        best = session.snapshot().tuning_jobs[1].best_training_job_name
        assert screen.selected_job() == best  # the cursor starts on the best job
        table = screen.query_one("#training-jobs", DataTable)
        assert str(table.get_cell(best, "best")) == "★"
        assert any(best in line for line in screen.log_lines())
        await pilot.press("j")
        await settle(pilot)
        other = screen.selected_job()
        assert other != best
        assert any(other in line for line in screen.log_lines()) and not any(best in line for line in screen.log_lines())
        assert ("logs", other, None) in session.calls
        await pilot.press("l")  # the log pane full size, and back
        assert screen.has_class("logs-full")
        await pilot.press("l")
        assert not screen.has_class("logs-full")


async def test_l_opens_the_log_full_size_from_the_study_screen():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, TuningJobScreen) and app.screen.has_class("logs-full")
        assert len(app.screen.log_lines()) > 0


async def test_filter_substring_regex_and_clear():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"EFF")
        assert rows_of(app) == ["effv2-m", "effv2-m-fixed-lr"]  # case-insensitive substring
        await pilot.press("enter")
        assert isinstance(app.focused, DataTable)  # enter keeps the filter and goes back to the table
        assert rows_of(app) == ["effv2-m", "effv2-m-fixed-lr"]
        await pilot.press("slash", *"\b\b\b", *"^res|inc")
        assert rows_of(app) == ["resnet-50", "inception-v3"]  # a regex
        await pilot.press(*["backspace"] * 8, *"res(")
        assert rows_of(app) == []  # not a valid regex: a plain substring, which nothing contains
        await pilot.press("escape")
        assert len(rows_of(app)) == 6
        assert not app.screen.query_one("#filter", Input).has_class("shown")


async def test_sort_by_column_again_reverses_and_s_cycles():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        spend_index = [c.key for c in screen._visible].index("spend")
        key = "1234567890"[spend_index]
        await pilot.press(key)
        spends = [r.candidate for r in sorted(app.snapshot.tuning_jobs, key=lambda r: (r.cost_usd, r.candidate))]
        assert rows_of(app) == spends
        await pilot.press(key)  # again: reversed
        assert rows_of(app)[:4] == list(reversed(spends))[:4]
        assert screen.sort_key == "spend" and screen.sort_reverse
        await pilot.press("S")
        assert not screen.sort_reverse and rows_of(app) == spends
        await pilot.press("1")
        assert rows_of(app) == sorted(rows_of(app))  # by model name
        await pilot.press("s")
        assert screen.sort_key == screen._visible[1].key  # the next column
        label = str(screen.query_one(DataTable).columns["status"].label)
        assert label.endswith("▲")


async def test_refresh_updates_cells_in_place_and_keeps_place():
    session = FakeSession()
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"eff", "enter", "j")
        assert cursor_candidate(app) == "effv2-m-fixed-lr"
        table = app.screen.query_one(DataTable)
        row_keys_before = list(table.rows)
        nxt = replace_row(session.snapshot(), "effv2-m", cost_usd=4.25, jobs_completed=2, jobs_in_progress=0)
        session.next_snapshots.append(nxt)
        await pilot.press("r")
        await settle(pilot)
        assert ("refresh",) in session.calls
        assert list(table.rows) == row_keys_before  # rows kept, updated in place
        assert cursor_candidate(app) == "effv2-m-fixed-lr" and rows_of(app) == ["effv2-m", "effv2-m-fixed-lr"]
        cell = table.get_cell("effv2-m", "spend")
        assert "4.25" in cell.plain and "reverse" in str(cell.style) + str(cell.spans)  # marked as changed
        unchanged = table.get_cell("effv2-m-fixed-lr", "spend")
        assert "reverse" not in str(unchanged.style) + str(unchanged.spans)


async def test_stop_cancel_then_confirm():
    session = FakeSession()
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "x")  # effv2-m is running
        assert isinstance(app.screen, ConfirmModal)
        assert app.focused is not None and app.focused.id == "cancel"  # a stray enter is safe
        await pilot.press("enter")
        await settle(pilot)
        assert not any(c[0] == "stop" for c in session.calls)
        assert isinstance(app.screen, StudyScreen)
        await pilot.press("x", "right", "enter")
        await settle(pilot)
        assert ("stop", "effv2-m") in session.calls
        assert session.calls.index(("stop", "effv2-m")) < len(session.calls) - 1  # a refresh followed


async def test_stop_is_not_offered_for_a_completed_candidate():
    session = FakeSession()
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("x")  # the first row is Completed
        assert isinstance(app.screen, StudyScreen)
        assert not any(c[0] == "stop" for c in session.calls)


async def test_retry_a_failed_candidate():
    session = FakeSession()
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("R")  # Completed: not retryable, no question
        assert isinstance(app.screen, StudyScreen)
        await pilot.press("j", "j", "R")
        assert isinstance(app.screen, ConfirmModal) and app.focused.id == "cancel"
        await pilot.press("escape")
        assert not any(c[0] == "retry" for c in session.calls)
        await pilot.press("R", "tab", "enter")
        await settle(pilot)
        assert ("retry", "effv2-m-fixed-lr") in session.calls


async def test_a_new_study_offers_to_launch_with_cancel_focused():
    session = FakeSession(make_snapshot(tuning_jobs=(), training_jobs=()), launched=False)
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        assert "Total: 6 tuning jobs" in str(app.screen.query_one("#confirm-body Static").content)
        assert app.focused.id == "cancel"
        await pilot.press("enter")
        await settle(pilot)
        assert not any(c[0] == "launch" for c in session.calls)
        await pilot.press("L")  # launch what is not launched, on demand
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.click("#confirm")
        await settle(pilot)
        assert ("launch", None) in session.calls


async def test_connection_lost_and_recovered():
    session = FakeSession()
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "connected" in header_of(app)
        session.next_snapshots.append(make_snapshot(
            connection=ConnectionState("retrying", retry_in_s=8, message="Could not connect to the endpoint URL")))
        await pilot.press("r")
        await settle(pilot)
        assert "retrying in 8s" in header_of(app) and "Could not connect" in header_of(app)
        session.refresh_error = RuntimeError("socket closed")  # even a crash of refresh itself
        await pilot.press("r")
        await settle(pilot)
        assert "✗ offline" in header_of(app) and "socket closed" in header_of(app)
        session.next_snapshots.append(make_snapshot())
        await pilot.press("r")
        await settle(pilot)
        assert "connected" in header_of(app) and "offline" not in header_of(app)


class SlowSession(FakeSession):
    """A refresh that takes a while and records how many ran at once."""

    def __init__(self) -> None:
        super().__init__()
        self.active = 0
        self.most_at_once = 0
        self.lock = threading.Lock()

    def refresh(self):
        with self.lock:
            self.active += 1
            self.most_at_once = max(self.most_at_once, self.active)
        time.sleep(0.05)
        try:
            return super().refresh()
        finally:
            with self.lock:
                self.active -= 1


async def test_refresh_rearms_itself_and_never_overlaps():
    session = SlowSession()
    app = JstuiApp(session, refresh_interval=0.01, log_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(10):
            await pilot.press("r")  # asking again while one runs starts no second one
            await pilot.pause(0.03)
        # it keeps going by itself: wait for five refreshes (the deadline is only a safety net for a
        # broken re-arm, generous so that a slow machine cannot trip it)
        deadline = time.monotonic() + 60
        while session.calls.count(("refresh",)) < 5 and time.monotonic() < deadline:
            await pilot.pause(0.05)
        assert session.calls.count(("refresh",)) >= 5
        assert session.most_at_once == 1


async def test_a_refresh_landing_while_the_app_quits_is_ignored():
    """Quitting removes a screen's widgets before the screen itself; a refresh that lands in between
    must not fail on the missing table (it did, once in CI, with refreshes every 10 ms)."""
    from jstui.tui.messages import SnapshotReady

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        study = app.screen
        await study.remove_children()  # as the shutdown does
        changed = replace_row(make_snapshot(), make_snapshot().tuning_jobs[0].candidate, best_objective=0.5)
        app.on_snapshot_ready(SnapshotReady(changed))
        study.apply_snapshot(changed)
        assert app.snapshot is changed


async def test_age_of_the_last_refresh_follows_the_backend_clock():
    session = FakeSession()
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "updated 3s ago" in header_of(app)
        session.clock += timedelta(minutes=2)
        app._tick()
        assert "updated 2m03s ago" in header_of(app)


async def test_no_table_updates_under_a_modal():
    session = FakeSession()
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        study = app.screen
        await pilot.press("question_mark")
        session.next_snapshots.append(replace_row(session.snapshot(), "mobilenet-v2-100-224", cost_usd=9.99))
        app.start_refresh()
        await settle(pilot)
        assert "9.99" not in study.query_one(DataTable).get_cell("mobilenet-v2-100-224", "spend").plain
        await pilot.press("escape")
        await settle(pilot)
        assert "9.99" in study.query_one(DataTable).get_cell("mobilenet-v2-100-224", "spend").plain


async def test_readonly_removes_launch_stop_and_retry():
    session = FakeSession(readonly=True, launched=False)
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, StudyScreen)  # no launch offer
        actions = {b.binding.action for b in app.screen.active_bindings.values()}
        assert not actions & {"stop", "retry", "launch"}
        await pilot.press("j", "x", "R", "L")
        await settle(pilot)
        assert isinstance(app.screen, StudyScreen)
        assert not any(c[0] in ("stop", "retry", "launch", "plan_text") for c in session.calls)
        await pilot.press("question_mark")
        text = _help_text(app)
        for word in ("Stop", "Retry", "Launch"):
            assert not re.search(rf"\s{word}\s*$", text, re.M), word


def _help_text(app: JstuiApp) -> str:
    console = Console(width=120, record=True, color_system=None)
    console.print(app.screen.query_one("#help-keys").content)
    return console.export_text()


async def test_help_lists_every_key():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = _help_text(app)
        for cls in (JstuiApp, StudyScreen, TuningJobScreen, *(c for _, c in app._optional_screens())):
            for binding in cls.BINDINGS:
                assert binding.description in text or "Sort by column N" in text, binding.description
                for key in binding.key.split(","):
                    shown = app.get_key_display(dataclasses.replace(binding, key=key))
                    assert shown in text, (key, shown)
        await pilot.press("escape")
        assert isinstance(app.screen, StudyScreen)


async def test_every_action_is_in_the_command_palette():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("colon")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Filter")
        # the palette searches in a worker, after a short debounce: wait for its first result
        await until(pilot, lambda: app.screen.query_one(CommandList).option_count > 0
                    and "Filter" in str(app.screen.query_one(CommandList).get_option_at_index(0).prompt),
                    "the palette to find Filter")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, StudyScreen)
        assert app.screen.query_one("#filter", Input).has_class("shown")


async def test_no_key_does_two_things():
    for screen in (StudyScreen, TuningJobScreen):
        seen: dict[str, str] = {}
        for binding in [*JstuiApp.BINDINGS, *screen.BINDINGS]:
            if binding.action.startswith("read_only"):
                continue  # the read-only refusal of a changing key: enabled only when that key is not
            for key in binding.key.split(","):
                assert key not in seen or seen[key] == binding.action, (screen.__name__, key)
                seen[key] = binding.action
        assert all(b.id and b.description for b in [*JstuiApp.BINDINGS, *screen.BINDINGS])


async def test_spend_bar_shows_spend_against_budget():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = str(app.screen.query_one(SpendBar).content)
        assert "~$6.86 of $150.00 (5%, stop)" in text and "projected ~$24.10" in text


async def test_action_failure_is_one_notification():
    session = FakeSession()

    def refuse(candidate):
        raise RuntimeError(f"{candidate}: AccessDeniedException: not allowed\nsecond line")

    session.stop = refuse  # type: ignore[method-assign]  # a fake that refuses, patched in
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "x", "tab", "enter")
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert any(m.startswith("Stop effv2-m failed: effv2-m: AccessDeniedException") and "\n" not in m for m in messages)


async def test_q_quits_and_keys_queued_after_it_do_nothing():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in ("q", "u", "e", "s", "t", "question_mark", "f"):  # "question_mark" typed as words
            app.post_message(events.Key(key, None))
        deadline = time.monotonic() + 60  # a safety net only: the app quits on the first key
        while app.is_running and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        assert not app.is_running
    assert app.return_code == 0 and app._exception is None


async def test_events_are_quiet_and_a_budget_change_is_announced():
    session = FakeSession()
    app = make_app(session)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        session.next_snapshots.append(make_snapshot(
            events=("2026-01-05T12:00:01Z effv2-m: launched", "2026-01-05T12:00:02Z resnet-50: launched"),
            budget_state="warning"))
        await pilot.press("r")
        await settle(pilot)
        status = str(app.screen.query_one("#table-status").content)
        assert "last event: 12:00:02 resnet-50: launched" in status
        messages = [n.message for n in app._notifications]
        assert messages == ["Budget warning: ~$6.86 of $150.00"]


async def test_keys_typed_right_after_slash_go_to_the_filter():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # all at once, as a fast typist or a paste over SSH delivers them
        for key, char in [("slash", "/"), ("e", "e"), ("f", "f"), ("slash", "/"), ("enter", "\r")]:
            app.post_message(events.Key(key, char))
        await settle(pilot)
        assert isinstance(app.screen, StudyScreen)  # `e` did not open the endpoints
        assert app.screen.filter_text == "ef/"  # and `/` inside the box is a character


async def test_an_empty_study_says_how_to_launch():
    # issue 18 item 9: cancelling the first launch offer lists the candidates, not launched, with their plan
    session = FakeSession(make_snapshot(tuning_jobs=(), training_jobs=()), launched=False)
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("escape")  # not now
        await settle(pilot)
        status = str(app.screen.query_one("#table-status").content)
        assert "6 candidates, none launched yet (planned cost in brackets; L launches)" in status
        assert rows_of(app) == [p.candidate for p in session.snapshot().planned]
        table = app.screen.query_one(DataTable)
        for cand in rows_of(app):
            assert str(table.get_cell(cand, "status")) == "· NotLaunched"
            assert str(table.get_cell(cand, "spend")) == "(~$3.10)"
        await pilot.press("L")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal) and app.screen.id == "confirm-launch"


class StuckSession(FakeSession):
    """A refresh that waits on a service that does not answer (until the test releases it)."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.release = threading.Event()
        self.entered = threading.Event()
        self.returned = threading.Event()

    def refresh(self):
        self.entered.set()
        self.release.wait(60)
        self.returned.set()
        return super().refresh()


def test_quit_does_not_wait_for_a_stuck_refresh():
    session = StuckSession()

    async def run() -> None:
        app = JstuiApp(session, refresh_interval=None, log_interval=None)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, session.entered.is_set, "the first refresh to be stuck")
            await pilot.press("q")

    try:
        asyncio.run(run())  # as App.run does: the loop is closed, its executor shut down
        # quit returned while the refresh is still stuck (had it waited, the refresh would have returned first)
        assert not session.returned.is_set()
    finally:
        session.release.set()


async def test_a_cell_whose_text_changes_but_not_its_number_is_updated():
    session = FakeSession()
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert table.get_cell("effv2-m", "spend").plain == "~$3.13"
        session.next_snapshots.append(replace_row(session.snapshot(), "effv2-m", cost_is_estimate=False))
        await pilot.press("r")
        await settle(pilot)
        assert table.get_cell("effv2-m", "spend").plain == "$3.13"  # no longer an estimate
