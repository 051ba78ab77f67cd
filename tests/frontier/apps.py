"""The real app, opening one of the frontier-area screens over a FakeSession (so snapshots show
jstui as a user sees it: its title, header and footer, not a stand-in host)."""

from __future__ import annotations

from jstui.tui.app import JstuiApp

from tests.frontier.fake_session import FakeSession


class ScreenHost(JstuiApp):
    """JstuiApp without timers that pushes `make_screen(session)` over the study screen at mount."""

    def __init__(self, make_screen, session: FakeSession | None = None):
        super().__init__(session or FakeSession(), refresh_interval=None, log_interval=None)
        self._make_screen = make_screen
        self.opened: list[str] = []

    def on_ready(self) -> None:  # after JstuiApp's on_mount pushed the study screen
        self.push_screen(self._make_screen(self.session))

    def open_tuning_job(self, candidate: str) -> None:  # recorded, not opened: the tests look at the call
        self.opened.append(candidate)
