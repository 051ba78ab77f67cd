"""Shared helpers of the TUI tests."""

from __future__ import annotations

from textual.pilot import Pilot

from jstui.tui.app import JstuiApp

from tests.tui.fake_session import FakeSession


def make_app(session: FakeSession | None = None) -> JstuiApp:
    # no timers: a test refreshes by pressing `r` or calling start_refresh, so nothing races the screenshot
    return JstuiApp(session or FakeSession(), refresh_interval=None, log_interval=None)


async def settle(pilot: Pilot) -> None:
    """Let workers finish and their messages land."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def until(pilot: Pilot, condition, what: str, timeout_s: float = 60.0) -> None:
    """Wait, on the app's own loop, until `condition()` holds. The deadline is only a safety net for
    a bug (generous, so a slow machine cannot trip it); no test waits a fixed time instead."""
    import time

    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.pause(0.02)
