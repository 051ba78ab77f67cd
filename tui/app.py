"""The jstui app: holds the session and the last snapshot, runs the refresh loop, and owns the
actions that go back to core (launch, stop, retry). Screens render; they never call core's I/O.

Refreshing is dolphie-style: one worker calls `session.refresh()`, and only when its snapshot has
arrived is the next refresh timed, so refreshes never overlap however slow the service is."""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import logging
import re
import signal
import time
from datetime import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual import work
from textual.worker import get_current_worker
from textual.app import App
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from jstui.engine.protocol import StudySession
from jstui.domain.exitcodes import ExitCode
from jstui.domain.snapshot import StudySnapshot, TuningJobRow

from jstui.tui import format as fmt
from jstui.tui.commands import KeyCommands
from jstui.domain.textfmt import some_of
from jstui.tui.host import CandidateScreen, EndpointSelector, LiveScreen, WorkerFailureHandler
from jstui.tui.io_threads import DaemonThreadExecutor
from jstui.tui.messages import LogChunkReady, PlanReady, SnapshotReady
from jstui.tui.screens.confirm import ConfirmModal
from jstui.tui.screens.help import HelpScreen, KeySection
from jstui.tui.screens.study import StudyScreen
from jstui.tui.screens.tuning_job import TuningJobScreen
from jstui.tui.widgets.spend_bar import SpendBar
from jstui.tui.widgets.study_header import StudyHeader

log = logging.getLogger("jstui.tui")


def _session_clock(session: StudySession) -> Callable[[], datetime] | None:
    """The backend's "now", when the session has one (EngineSession and the test fakes do)."""
    now = getattr(session, "now", None)  # optional: not part of the StudySession protocol
    return now if callable(now) else None

# actions that change what runs (and what is spent): gone under --readonly
CHANGING_ACTIONS = frozenset({"launch", "stop", "retry", "deploy"})
# which statuses the stop and retry questions make sense for; core has the last word
# (it refuses what it cannot do, and the refusal is shown as a notification)
STOPPABLE = frozenset({"InProgress", "Queued", "WaitingForQuota"})
RETRYABLE = frozenset({"Failed", "Stopped"})


class JstuiApp(App[None]):
    CSS_PATH = Path(__file__).with_name("jstui.tcss")  # absolute: subclasses (test hosts) live elsewhere
    TITLE = "jstui"
    COMMANDS = App.COMMANDS | {KeyCommands}
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        Binding("r", "refresh_now", "Refresh", id="app.refresh", show=False),
        Binding("x", "stop", "Stop", id="app.stop"),
        Binding("R", "retry", "Retry", id="app.retry", show=False),
        Binding("L", "launch", "Launch", id="app.launch", show=False),
        Binding("colon", "command_palette", "Commands", id="app.commands", show=False),
        Binding("f", "frontier", "Frontier", id="app.frontier"),
        Binding("e", "endpoints", "Endpoints", id="app.endpoints"),
        Binding("d", "deploy", "Deploy", id="app.deploy"),
        Binding("y", "copy_ids", "Copy name/ARN/URL", id="app.copy", show=False),  # jstui.tui.screens.copy
        # under --readonly the keys that change what runs say so instead of doing nothing
        *(Binding(k, f"read_only('{what}')", f"Read-only: {what} is off", id=f"app.read_only_{i}", show=False)
          for i, (k, what) in enumerate((("x", "stop"), ("R", "retry"), ("L", "launch"), ("d", "deploy"),
                                         ("ctrl+d", "delete")))),
    ]

    def __init__(
        self,
        session: StudySession,
        *,
        refresh_interval: float | None = 2.0,
        log_interval: float | None = 1.0,
        clock: Callable[[], datetime] | None = None,
        freeze_heap: bool = False,
    ) -> None:
        """`refresh_interval`/`log_interval` None: only refresh when asked (tests). `clock`: the
        backend's "now" for the age of the last refresh; default the session's `now()` if it has
        one, else the local time since the snapshot arrived. `freeze_heap`: the process is this
        app's (the CLI's; not a test process running many apps): see `_freeze_heap`."""
        super().__init__()
        self.freeze_heap = freeze_heap
        self.freeze_settle_s = 10.0  # see _freeze_heap
        self._heap_frozen_at: set[str] = set()
        self.session = session
        self.snapshot: StudySnapshot = session.snapshot()
        self.refresh_interval = refresh_interval
        self.log_interval = log_interval
        self._clock = clock if clock is not None else _session_clock(session)
        # the age shown is that of the last *successful* refresh: a failed poll does not make data fresh
        self._fresh_taken: datetime | None = self.snapshot.taken_at
        self._fresh_mono = time.monotonic()
        self._refreshing = False
        self._quitting = False
        self._refresh_timer: Timer | None = None
        self._seen_events: set[str] = set(self.snapshot.events)
        self.worker_error: str | None = None  # the last refresh's crash, shown as offline
        self.last_event: str | None = self.snapshot.events[-1] if self.snapshot.events else None
        self._owners: dict[Worker, DOMNode] = {}  # run_io workers -> the screen that asked
        self.on_start: list[Callable[[], None]] = []  # run once mounted (jstui.tui.settings saves the theme)

    # --- lifecycle ------------------------------------------------------------------------
    def on_mount(self) -> None:
        # thread workers run in daemon threads, so quitting never waits on a stuck service call
        asyncio.get_running_loop().set_default_executor(DaemonThreadExecutor())
        self._handle_termination_signals()
        self.title = f"jstui {self.snapshot.study}"
        self.push_screen(StudyScreen())
        self.set_interval(1.0, self._tick)
        # the first refresh starts once the study screen has been painted: its thread (making the clients,
        # reading the journal) would otherwise share the interpreter with the first paint (bench/tui.py)
        self.call_after_refresh(self._after_first_paint)
        self._startup_check()
        for hook in self.on_start:
            hook()

    def _handle_termination_signals(self) -> None:
        """SIGTERM (kill, a closing tmux pane) and SIGHUP (a closed terminal) quit like `q`, so the
        driver restores the terminal: alternate screen left, mouse tracking off, cursor shown.
        Without a handler Python dies at once and leaves the terminal in the TUI's modes."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGHUP):
            try:
                loop.add_signal_handler(sig, self._quit_on_signal, sig)
            except (NotImplementedError, RuntimeError, ValueError):  # no such signal here (Windows), or not the main thread
                log.debug("cannot handle %s", sig, exc_info=True)

    def _quit_on_signal(self, sig: int) -> None:
        log.info("%s: quitting", signal.Signals(sig).name)
        self._quitting = True
        self.exit(return_code=ExitCode.INTERRUPTED)  # like Ctrl-C: jobs on the service keep running

    def notify(self, message: str, *, title: str = "", severity="information", timeout: float | None = None,
               markup: bool = True) -> None:
        """Every notification carries text from the service or a study file (names, FailureReasons,
        errors): shown with control characters escaped and never read as markup."""
        kwargs = {} if timeout is None else {"timeout": timeout}
        super().notify(fmt.printable(message), title=fmt.printable(title), severity=severity, markup=False, **kwargs)

    def _quiet_screen(self) -> Screen | None:
        """The screen to update, or None while a modal is up (calm) or the app is shutting down."""
        if not self.screen_stack or isinstance(self.screen_stack[-1], ModalScreen):
            return None
        screen = self.screen_stack[-1]
        # a refresh can land while the app quits, after the screen's widgets are gone (seen in CI)
        return screen if screen.children else None

    def _tick(self) -> None:
        """Once a second: the header's age of the last refresh."""
        screen = self._quiet_screen()
        if screen is not None:
            for header in screen.query(StudyHeader):
                header.show(self.snapshot, self.refresh_age(), self.worker_error, self.session.readonly)

    def refresh_age(self) -> float | None:
        """Seconds since the last successful refresh (failed polls and crashed refreshes do not count)."""
        taken = self._fresh_taken
        if taken is None:
            return None
        if self._clock is not None:
            try:
                return max(0.0, (self._clock() - taken).total_seconds())
            except Exception:  # a clock that cannot answer, or naive vs aware: fall back
                log.debug("clock failed; using local elapsed time", exc_info=True)
        return time.monotonic() - self._fresh_mono

    def render_chrome(self, screen: Screen) -> None:
        for header in screen.query(StudyHeader):
            header.show(self.snapshot, self.refresh_age(), self.worker_error, self.session.readonly)
        for bar in screen.query(SpendBar):
            bar.show(self.snapshot)

    # --- refresh loop ---------------------------------------------------------------------
    def _after_first_paint(self) -> None:
        self._freeze_heap("paint")
        self.set_timer(self.freeze_settle_s, lambda: self._freeze_heap("settled"))
        self.start_refresh()

    def _freeze_heap(self, moment: str) -> None:
        """At most three times: after the first paint, after the first refresh, and `freeze_settle_s`
        after the first paint (the first refresh may take long, or never end on a dead link, while the
        clients it made stay in the collector's way). What the process holds by then (modules,
        Textual's styles, the clients' service models, the journal's caches, ~200,000 objects) is moved
        out of the cyclic collector's reach (gc.freeze). Its full passes walked them for 100-180 ms on the
        UI thread every few seconds, and a key pressed then waited that long (bench/tui.py part 4).
        Frozen objects are still freed when nothing refers to them (reference counting); only cyclic
        garbage alive at those moments is kept for good: bounded, three times at most."""
        if self.freeze_heap and moment not in self._heap_frozen_at:
            self._heap_frozen_at.add(moment)
            gc.freeze()

    def start_refresh(self) -> None:
        if self._refresh_timer is not None:
            self._refresh_timer.stop()
            self._refresh_timer = None
        if self._refreshing:
            return  # one is under way; its result re-arms the timer
        self._refreshing = True
        self._refresh_worker()

    @work(thread=True, exclusive=True, group="refresh", exit_on_error=False, name="refresh")
    def _refresh_worker(self) -> None:
        snapshot = self.session.refresh()
        if not get_current_worker().is_cancelled:
            self.post_message(SnapshotReady(snapshot))

    def _arm_refresh(self) -> None:
        if self.refresh_interval is not None:
            self._refresh_timer = self.set_timer(self.refresh_interval, self.start_refresh)

    def on_snapshot_ready(self, message: SnapshotReady) -> None:
        self._refreshing = False
        self.worker_error = None
        previous, self.snapshot = self.snapshot, message.snapshot
        if message.snapshot.connection.state == "ok" and message.snapshot.taken_at is not None:
            self._fresh_taken, self._fresh_mono = message.snapshot.taken_at, time.monotonic()
        self._announce_events(previous, message.snapshot)
        self._show_snapshot()
        self._arm_refresh()
        self._freeze_heap("refresh")  # the first refresh's clients and caches (see there)

    def _announce_events(self, previous: StudySnapshot, snapshot: StudySnapshot) -> None:
        """Calm: the newest event goes in the study screen's status line; only a change of the
        budget state (money) earns a notification."""
        new = [e for e in snapshot.events if e not in self._seen_events]
        self._seen_events.update(new)
        if new:
            self.last_event = new[-1]
        if snapshot.budget_state != previous.budget_state and snapshot.budget_state != "ok":
            words = {"warning": "Budget warning", "stopped": "Stopped by the budget guard",
                     "exceeded": "Budget exceeded"}.get(snapshot.budget_state, snapshot.budget_state)
            spent = f"{fmt.usd(snapshot.spend_usd, snapshot.spend_is_estimate)} of {fmt.usd(snapshot.budget_usd)}"
            self.notify(f"{words}: {spent}", severity="error" if snapshot.budget_state != "warning" else "warning",
                        timeout=15)

    def _show_snapshot(self) -> None:
        screen = self._quiet_screen()
        if screen is None:
            return  # calm: nothing moves under a question; the screen catches up on resume
        self.render_chrome(screen)
        if isinstance(screen, LiveScreen):
            screen.apply_snapshot(self.snapshot)

    def run_io(self, owner: DOMNode, name: str, group: str, fn: Callable[[], Any],
               done: Callable[[Any], object] | None = None) -> None:
        """Run a screen's service call in a thread worker of the app's, so that its failure meets the
        app's one policy (below): `done(result)` runs on the UI thread after success; a failure is
        offered to `owner` (a WorkerFailureHandler), else notified as "<name> failed: ..."."""

        def call() -> None:
            result = fn()
            if done is not None and not get_current_worker().is_cancelled:
                self.call_from_thread(done, result)

        worker = self.run_worker(call, name=name, group=group, thread=True, exit_on_error=False)
        self._owners[worker] = owner

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where worker failures are handled: the app's and every screen's workers
        (their StateChanged messages bubble up here). Logged; then the refresh loop goes offline,
        a screen that handles its own worker's failure is told, anything else is a notification."""
        worker = event.worker
        if event.state in (WorkerState.SUCCESS, WorkerState.CANCELLED):
            self._owners.pop(worker, None)
        if event.state != WorkerState.ERROR:
            return
        error = fmt.one_line(str(worker.error)) or type(worker.error).__name__
        log.warning("worker %s (%s) failed: %s", worker.name, worker.group, error, exc_info=worker.error)
        owner = self._owners.pop(worker, None)
        if owner is not None:
            if isinstance(owner, WorkerFailureHandler) and owner.is_attached:
                if owner.worker_failed(worker.name, worker.group, error):
                    return
            self.notify(f"{worker.name} failed: {error}", severity="error", timeout=10)
        elif worker.group == "refresh":
            self._refreshing = False
            self.worker_error = error
            screen = self._quiet_screen()
            if screen is not None:
                self.render_chrome(screen)
            self._arm_refresh()
        elif worker.group == "logs":
            for screen in self.screen_stack:
                if isinstance(screen, TuningJobScreen):
                    screen.log_failed(error)
        else:
            self.notify(f"{worker.name} failed: {error}", severity="error", timeout=10)

    # --- logs (run here so that the handler above sees their failures) -------------------
    @work(thread=True, exclusive=True, group="logs", exit_on_error=False, name="log")
    def fetch_log(self, screen: Screen, job: str, token: str | None, request: int = 0) -> None:
        chunk = self.session.logs(job, token)
        # a newer request replaced this one (exclusive): its answer must not land after the newer one's
        if not get_current_worker().is_cancelled:
            screen.post_message(LogChunkReady(job, chunk, request))

    # --- actions ---------------------------------------------------------------------------
    async def action_quit(self) -> None:
        self._quitting = True  # keys typed after `q` (already queued) must not open screens
        self.exit()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self._quitting:
            return False
        if action in CHANGING_ACTIONS and self.session.readonly:
            return False  # removed, not just greyed out: the key falls through to read_only below
        if action == "read_only":
            return self.session.readonly
        # the screen under any question: its footer stays as it was while a question is up
        base = next((s for s in reversed(self.screen_stack) if not isinstance(s, ModalScreen)), self.screen)
        if action in ("stop", "retry", "deploy") and not isinstance(base, CandidateScreen):
            return False  # no current model on this screen (endpoints): not offered, not in its footer
        if action in ("frontier", "endpoints") and base.id == action:
            return False  # already there: the footer keeps its room for what works here
        return True

    def action_read_only(self, what: str) -> None:
        self.notify(f"read-only (--readonly): {what} is off", severity="warning", timeout=4)

    def action_refresh_now(self) -> None:
        self.start_refresh()

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.key_sections()))

    def _current_row(self) -> TuningJobRow | None:
        screen = self._quiet_screen()
        candidate = screen.current_candidate() if isinstance(screen, CandidateScreen) else None
        return next((r for r in self.snapshot.rows_with_plan() if r.candidate == candidate), None)

    def action_stop(self) -> None:
        row = self._current_row()
        if row is None:
            return
        if row.status not in STOPPABLE:
            self.notify(f"{row.candidate} is {row.status}: nothing to stop", severity="warning", timeout=4)
            return
        what = f"its tuning job {row.tuning_job_name}" if row.tuning_job_name else "it from the queue"
        body = (
            f"Stop {row.candidate}: this stops {what}; running training jobs are stopped too.\n"
            f"Spent so far: {fmt.usd(row.cost_usd, row.cost_is_estimate)}. Retry later with R."
        )
        self.push_screen(
            ConfirmModal(f"Stop {row.candidate}?", body, "Stop", id="confirm-stop"),
            lambda ok: self._run_action(f"Stop {row.candidate}", self.session.stop, row.candidate) if ok else None,
        )

    def action_retry(self) -> None:
        row = self._current_row()
        if row is None:
            return
        if row.status not in RETRYABLE:
            self.notify(f"{row.candidate} is {row.status}: only Failed or Stopped candidates can be retried",
                        severity="warning", timeout=4)
            return
        planned = next((p for p in self.snapshot.planned if p.candidate == row.candidate), None)
        # the plan's figures for one more tuning job of this candidate
        cost = "" if planned is None or planned.max_usd is None else (
            f"It may cost up to {fmt.usd(planned.max_usd)}"
            + (f" (expected {fmt.usd(planned.expected_usd, True)})" if planned.expected_usd is not None else "")
            + f", on top of the {fmt.usd(row.cost_usd, row.cost_is_estimate)} spent so far.\n")
        body = (
            f"Relaunch {row.candidate} as generation {row.generation + 1}: a new tuning job of up to "
            f"{row.max_jobs} training jobs on {row.instance_type}.\n{cost}"
            f"Last time: {row.status}{': ' + fmt.one_line(row.failure_reason) if row.failure_reason else ''}"
        )
        self.push_screen(
            ConfirmModal(f"Retry {row.candidate}?", body, "Retry", id="confirm-retry"),
            lambda ok: self._run_action(f"Retry {row.candidate}", self.session.retry, row.candidate) if ok else None,
        )

    def action_launch(self) -> None:
        if self.snapshot.planned and not self.snapshot.not_launched():
            self._nothing_to_launch()
            return
        self._fetch_plan(on_startup=False)

    @work(thread=True, group="plan", exit_on_error=False, name="Launch plan")
    def _startup_check(self) -> None:
        if not self.session.is_launched():
            if self.session.readonly:
                self.call_from_thread(
                    self.notify, "This study is not launched yet (read-only: launching is off).", timeout=8
                )
                return
            self.post_message(PlanReady(self.session.plan_text(), on_startup=True))

    @work(thread=True, group="plan", exit_on_error=False, name="Launch plan")
    def _fetch_plan(self, on_startup: bool) -> None:
        # what a launch would queue, from the journal: the snapshot may not show a launch just made yet
        waiting = self.session.launchable()
        if not waiting and not on_startup:
            self.call_from_thread(self._nothing_to_launch)
            return
        self.post_message(PlanReady(self.session.plan_text(), on_startup=on_startup, waiting=waiting))

    def _nothing_to_launch(self) -> None:
        n = len(self.snapshot.planned) or len(self.snapshot.tuning_jobs)
        self.notify(f"Nothing to launch: all {n} candidates are launched or queued (R retries one).",
                    severity="warning", timeout=6)

    def on_plan_ready(self, message: PlanReady) -> None:
        if any(screen.id == "confirm-launch" for screen in self.screen_stack):
            return  # already asking
        waiting = message.waiting
        if message.on_startup:
            title = "This study is not launched yet. Launch it?"
        elif waiting:
            n = len(waiting)
            title = f"Launch the {n} candidate{'s' if n != 1 else ''} not launched yet ({some_of(waiting, 3)})?"
        else:
            title = "Launch what is not launched?"
        self.push_screen(
            ConfirmModal(title, message.plan, "Launch", id="confirm-launch"),
            lambda ok: self._run_action("Launch", self.session.launch, None) if ok else None,
        )

    def _run_action(self, what: str, fn: Callable, *args: object) -> None:
        self.notify(f"{what}…", timeout=3)
        # named after what the user asked for, so a failure reads "Stop resnet-50 failed: ..."
        self.run_io(self, what, "actions", lambda: fn(*args), lambda _: self.start_refresh())

    # --- frontier / endpoints / deploy (their screens come with the frontier issue) --------
    def action_frontier(self) -> None:
        from jstui.tui.frontier import FrontierScreen  # local: the frontier module imports plotext

        self.push_screen(FrontierScreen(self.session))

    def action_endpoints(self) -> None:
        from jstui.tui.endpoints import EndpointsScreen

        self.push_screen(EndpointsScreen(self.session))

    def action_deploy(self) -> None:
        from jstui.tui.deploy import DeployModal

        row = self._current_row()
        if row is not None:
            self.push_screen(DeployModal(self.session, row.candidate))

    def action_copy_ids(self) -> None:
        from jstui.tui.screens.copy import CopyModal, copy_choices

        screen = self._quiet_screen()
        candidate = screen.current_candidate() if isinstance(screen, CandidateScreen) else None
        job = screen.selected_job() if isinstance(screen, TuningJobScreen) else None
        endpoint = screen.selected_endpoint() if isinstance(screen, EndpointSelector) else None
        if screen is not None and screen.id == "endpoints" and endpoint is None:
            self.notify("no endpoint selected: deploy one from the frontier (f) with d", timeout=4)
            return
        self.push_screen(CopyModal(f"Copy or open: {endpoint or job or candidate or 'nothing selected'}",
                                   copy_choices(self.snapshot, self.session.study, candidate, job, endpoint)))

    def open_tuning_job(self, candidate: str) -> None:
        """The frontier's enter: the candidate's tuning-job screen."""
        self.push_screen(TuningJobScreen(candidate))

    # --- help ------------------------------------------------------------------------------
    def key_sections(self) -> list[KeySection]:
        """Every key, by where it works, without the ones --readonly removed."""

        def rows(bindings: list[BindingType]) -> list[tuple[str, str]]:
            out: list[tuple[str, str]] = []
            for b in bindings:
                if not isinstance(b, Binding):
                    b = Binding(*b)  # a (key, action[, description]) tuple, as Textual allows
                if (b.action in CHANGING_ACTIONS and self.session.readonly) or b.action.startswith("read_only"):
                    continue
                keys = " ".join(self.get_key_display(dataclasses.replace(b, key=k.strip())) for k in b.key.split(","))
                generic = re.sub(r"\d+", "N", b.description)
                if out and re.sub(r"\d+", "N", out[-1][1]) == generic != b.description:
                    out[-1] = (f"{out[-1][0]} {keys}", generic)  # 1 … 0: one row
                else:
                    out.append((keys, b.description))
            return out

        move = [("↑ ↓ PgUp PgDn Home End", "Move in a table")]
        sections: list[KeySection] = [
            ("Everywhere", rows(list(self.BINDINGS)) + [("^p", "Command palette (every action)")]),
            ("Study screen", move + rows(list(StudyScreen.BINDINGS))),
            ("Filter box", [("enter", "Keep the filter"), ("esc", "Clear the filter")]),
            ("Tuning-job screen", move + rows(list(TuningJobScreen.BINDINGS))),
        ]
        for title, screen_class in self._optional_screens():
            sections.append((title, rows(list(screen_class.BINDINGS))))
        sections.append(("Questions", [("tab ← →", "Choose a button"), ("enter", "Press it"), ("esc", "Cancel")]))
        return sections

    @staticmethod
    def _optional_screens() -> list[tuple[str, type[Screen]]]:
        """The frontier, endpoints and deploy screens, for the help screen (imported here: they import the app)."""
        from jstui.tui.deploy import DeployModal
        from jstui.tui.endpoints import EndpointsScreen
        from jstui.tui.frontier import FrontierScreen

        from jstui.tui.screens.compare import CompareScreen
        from jstui.tui.screens.copy import CopyModal
        from jstui.tui.screens.curves import CurvesScreen
        from jstui.tui.screens.history import HistoryScreen
        from jstui.tui.screens.slices import SliceScreen

        return [("Frontier screen", FrontierScreen), ("Endpoints screen", EndpointsScreen), ("Deploy", DeployModal),
                ("Curves screen (c)", CurvesScreen), ("Compare screen (C)", CompareScreen), ("Copy (y)", CopyModal),
                ("History screen (H)", HistoryScreen), ("Slice view (v)", SliceScreen)]
