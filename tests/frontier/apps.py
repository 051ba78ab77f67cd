"""Tiny host apps that open one of the frontier-area screens over a FakeSession."""

from __future__ import annotations

from textual.app import App

from tests.frontier.fake_session import FakeSession


class ScreenHost(App):
    """Pushes `make_screen(session)` at mount; stands in for the real app in screen tests."""

    def __init__(self, make_screen, session: FakeSession | None = None):
        super().__init__()
        self.session = session or FakeSession()
        self._make_screen = make_screen
        self.opened: list[str] = []

    def on_mount(self) -> None:
        self.push_screen(self._make_screen(self.session))

    def open_tuning_job(self, candidate: str) -> None:  # what the real app provides
        self.opened.append(candidate)
