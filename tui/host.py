"""The typed seam between the app and its screens.

Screens ask the app for what it owns (the session, the last snapshot, the header and spend bar, the
log fetcher, a refresh) through `host(self)`, typed as `AppHost`; the app asks a screen for what
only it knows through the screen protocols below (checked with isinstance, never `getattr`).
Worker failures have one policy, the app's (`JstuiApp.on_worker_state_changed`): a screen that
wants to react to its own worker's failure implements `WorkerFailureHandler`."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable
from collections.abc import Callable

from textual.dom import DOMNode
from textual.screen import Screen

from jstui.domain.snapshot import StudySnapshot
from jstui.engine.protocol import StudySession


@runtime_checkable
class AppHost(Protocol):
    session: StudySession
    snapshot: StudySnapshot
    last_event: str | None
    log_interval: float | None

    def render_chrome(self, screen: Screen) -> None:
        """Draw the header and the spend bar of `screen` from the app's snapshot."""

    def fetch_log(self, screen: Screen, job: str, token: str | None, request: int = 0) -> None:
        """Fetch a log chunk in a worker; the chunk is posted to `screen` as LogChunkReady."""

    def start_refresh(self) -> None:
        """Refresh now (unless one is under way)."""

    def open_tuning_job(self, candidate: str) -> None:
        """Open the candidate's tuning-job screen."""

    def refresh_age(self) -> float | None:
        """Seconds since the last successful refresh, by the backend's clock."""

    def run_io(self, owner: DOMNode, name: str, group: str, fn: Callable[[], Any],
               done: Callable[[Any], object] | None = None) -> None:
        """Run a service call in a worker under the app's one failure policy (see JstuiApp.run_io)."""


def host(node: DOMNode) -> AppHost:
    """The app a screen runs in, as the seam it may use."""
    app = node.app
    if not isinstance(app, AppHost):
        raise TypeError(f"{type(app).__name__} is not a jstui app host")
    return app


@runtime_checkable
class LiveScreen(Protocol):
    """A screen that shows the study live: the app hands it every new snapshot."""

    def apply_snapshot(self, snapshot: StudySnapshot) -> None: ...


@runtime_checkable
class CandidateScreen(Protocol):
    """A screen with a current candidate: the app's stop, retry and deploy keys act on it."""

    def current_candidate(self) -> str | None: ...


@runtime_checkable
class EndpointSelector(Protocol):
    """A screen with a selected endpoint (the endpoints screen): the app's copy key (`y`) acts on it."""

    def selected_endpoint(self) -> str | None: ...


@runtime_checkable
class WorkerFailureHandler(Protocol):
    """A screen that reacts to its own worker's failure (after the app logged it). Returns True
    when it showed the failure itself, else the app notifies."""

    def worker_failed(self, worker_name: str, group: str, error: str) -> bool: ...


@runtime_checkable
class ActionNamer(Protocol):
    """A screen that names some of its actions better than their binding can (the command palette
    says "Sort by Best obj", not "Sort by column 4")."""

    def describe_action(self, action: str) -> str | None: ...
