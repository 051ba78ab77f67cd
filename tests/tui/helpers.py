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
