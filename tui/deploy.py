"""The deploy modal (`d`): endpoint name, instance type, count and $/hour for a candidate's best
training job; Cancel is focused. After Deploy it follows the endpoint (from the session's
snapshots) to InService or Failed, then shows the answer of one smoke invocation.

Defaults, the deploy itself and the invocation run in worker threads through the session;
validation and prices are core's (`core.hosting`)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from jstui.domain.endpoints import endpoint_name_problem
from jstui.domain.textfmt import printable
from jstui.engine.protocol import DeployDefaults, StudySession

from jstui.tui.frontier import format_value
from jstui.tui.host import host

POLL_S = 0.5  # how often the modal looks at the session's latest snapshot (no I/O)


class DeployModal(ModalScreen[str | None]):
    """Dismisses with the endpoint's name once deployed (None when cancelled)."""

    BINDINGS: ClassVar = [
        Binding("escape", "cancel", "Cancel", id="deploy.cancel"),
    ]
    DEFAULT_CSS = """
    DeployModal { align: center middle; }
    DeployModal #deploy-dialog { width: 72; max-width: 100%; height: auto; max-height: 100%;
        border: thick $warning; background: $surface; padding: 0 1; }
    DeployModal #deploy-title { text-style: bold; }
    DeployModal #deploy-source { color: $text-muted; padding: 0 0 1 0; }
    DeployModal .field { height: 3; }
    DeployModal .field Label { width: 16; padding: 1 1 0 0; }
    DeployModal .field Input { width: 1fr; }
    DeployModal #deploy-price, DeployModal #deploy-problem, DeployModal #deploy-progress { height: auto; }
    DeployModal #deploy-problem { color: $error; }
    DeployModal #deploy-buttons { height: 3; align-horizontal: right; }
    DeployModal #deploy-buttons Button { margin-left: 2; }
    """

    class DefaultsReady(Message):
        def __init__(self, defaults: DeployDefaults) -> None:
            super().__init__()
            self.defaults = defaults

    class Deployed(Message):
        def __init__(self, endpoint_name: str) -> None:
            super().__init__()
            self.endpoint_name = endpoint_name

    class Answered(Message):
        def __init__(self, answer: str) -> None:
            super().__init__()
            self.answer = answer

    class Problem(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, session: StudySession, candidate: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session = session
        self.candidate = candidate
        self.defaults: DeployDefaults | None = None
        self.endpoint_name: str | None = None  # set once the deploy call returned
        self.phase = "loading"  # loading -> ready -> deploying -> following -> done

    # --- layout -----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical(id="deploy-dialog"):
            yield Static(f"Deploy {self.candidate}", id="deploy-title", markup=False)
            yield Static(printable(self._what_is_deployed()), id="deploy-source", markup=False)
            with Horizontal(classes="field"):
                yield Label("Endpoint name")
                yield Input(id="deploy-name", placeholder="looking up defaults…", disabled=True)
            with Horizontal(classes="field"):
                yield Label("Instance type")
                yield Input(id="deploy-type", disabled=True)
            with Horizontal(classes="field"):
                yield Label("Count")
                yield Input(id="deploy-count", type="integer", disabled=True)
            yield Static("", id="deploy-price", markup=False)  # quotes what was typed
            yield Static("", id="deploy-problem", markup=False)
            yield Static("", id="deploy-progress", markup=False)
            with Horizontal(id="deploy-buttons"):
                yield Button("Cancel", id="cancel", variant="primary")
                yield Button("Deploy", id="deploy", variant="warning", disabled=True)

    def _what_is_deployed(self) -> str:
        """The best training job and its figures on the study's frontier axes."""
        row = next((r for r in self.session.snapshot().tuning_jobs if r.candidate == self.candidate), None)
        if row is None or not row.best_training_job_name:
            return "its best training job"
        axes = dict.fromkeys((self.session.study.frontier.y, self.session.study.frontier.x))
        figures = [f"{m} {format_value(m, row.best_metrics.get(m))}" for m in axes if m in row.best_metrics]
        return " · ".join([f"best training job {row.best_training_job_name}", *figures])

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()
        if self.session.readonly:
            self._problem("--readonly: deploying is switched off")
            return
        self._load_defaults()

    # --- defaults ---------------------------------------------------------------------------
    def _load_defaults(self) -> None:
        host(self).run_io(self, f"Deploy defaults of {self.candidate}", "deploy-defaults",
                          lambda: self.session.deploy_defaults(self.candidate),
                          lambda defaults: self.post_message(self.DefaultsReady(defaults)))

    def worker_failed(self, worker_name: str, group: str, error: str) -> bool:
        """The app's one worker policy hands this modal its own workers' failures: shown in the
        dialog (the user can fix the name or type and try again, or cancel)."""
        if group == "deploy-defaults":
            self.post_message(self.Problem(f"cannot deploy {self.candidate}: {error}"))
        elif group == "deploy":
            self.post_message(self.Problem(f"deploy failed: {error}"))
        elif group == "deploy-invoke":
            self.post_message(self.Problem(f"endpoint {self.endpoint_name} is InService but the sample "
                                           f"invocation failed: {error}"))
        else:
            return False
        return True

    def on_deploy_modal_defaults_ready(self, message: DefaultsReady) -> None:
        d = self.defaults = message.defaults
        for wid, value in (("#deploy-name", d.endpoint_name), ("#deploy-type", d.instance_type),
                           ("#deploy-count", str(d.instance_count))):
            box = self.query_one(wid, Input)
            box.value = value
            box.disabled = False
            box.cursor_position = 0  # shown from its first character (a name as wide as the box scrolls)
        self.query_one("#deploy-name", Input).placeholder = ""
        self.phase = "ready"
        self._validate()

    # --- validation and price ---------------------------------------------------------------
    def _values(self) -> tuple[str, str, int | None]:
        name = self.query_one("#deploy-name", Input).value.strip()
        itype = self.query_one("#deploy-type", Input).value.strip()
        try:
            count = int(self.query_one("#deploy-count", Input).value)
        except ValueError:
            count = None
        return name, itype, count

    def _price(self, itype: str, count: int) -> float | None:
        price = self.session.hosting_usd_per_hour(itype, count)
        d = self.defaults
        if price is None and d is not None and d.usd_per_hour is not None and itype == d.instance_type:
            price = d.usd_per_hour / max(1, d.instance_count) * count
        return price

    def _validate(self) -> str | None:
        name, itype, count = self._values()
        taken = {e.name for e in self.session.snapshot().endpoints}
        problem = endpoint_name_problem(name, taken)
        if problem is None and not itype.startswith("ml."):
            problem = f"instance type {itype!r} is not a SageMaker instance type (ml.…)"
        if problem is None and (count is None or count < 1):
            problem = "count must be a whole number of at least 1"
        price = self._price(itype, count) if count and count >= 1 else None
        self.query_one("#deploy-price", Static).update(
            f"{count or '?'} × {printable(itype) or '?'}: " + (f"${price:,.2f}/hour while it runs" if price is not None
                                                    else "price unknown (not in the price table)"))
        self.query_one("#deploy-problem", Static).update(printable(problem or ""))
        self.query_one("#deploy", Button).disabled = problem is not None or self.phase != "ready"
        return problem

    @on(Input.Blurred)
    def _show_start(self, event: Input.Blurred) -> None:
        event.input.cursor_position = 0  # a box left scrolled to its end would hide the name's start

    @on(Input.Changed)
    def _changed(self) -> None:
        if self.phase == "ready":
            self._validate()

    # --- buttons ----------------------------------------------------------------------------
    @on(Button.Pressed, "#cancel")
    def _cancel(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(self.endpoint_name)

    @on(Button.Pressed, "#deploy")
    def _deploy_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if self.phase != "ready" or self._validate() is not None or self.session.readonly:
            return
        name, itype, count = self._values()
        self.phase = "deploying"
        for box in self.query(Input):
            box.disabled = True
        self.query_one("#deploy", Button).disabled = True
        self.query_one("#cancel", Button).label = "Close"
        self._progress(f"Creating model, endpoint config and endpoint {name}…")
        self._deploy(name, itype, count or 1)

    def _deploy(self, name: str, itype: str, count: int) -> None:
        host(self).run_io(self, f"Deploy {self.candidate}", "deploy",
                          lambda: self.session.deploy(self.candidate, name, itype, count),
                          lambda _: self.post_message(self.Deployed(name)))

    def on_deploy_modal_deployed(self, message: Deployed) -> None:
        self.endpoint_name = message.endpoint_name
        self.phase = "following"
        self._progress(f"Endpoint {message.endpoint_name}: Creating… (closing this keeps it going; "
                       "`e` lists endpoints)")
        self._follow = self.set_interval(POLL_S, self._check_status)
        host(self).start_refresh()

    def _check_status(self) -> None:
        row = next((e for e in self.session.snapshot().endpoints if e.name == self.endpoint_name), None)
        if row is None or self.phase != "following":
            return
        if row.status == "InService":
            self.phase = "invoking"
            self._follow.stop()
            self._progress(f"Endpoint {row.name}: InService. Sending the sample image…")
            self._invoke(row.name)
        elif row.status in ("Failed", "OutOfService"):
            self.phase = "done"
            self._follow.stop()
            self._problem(f"Endpoint {row.name}: {row.status}: {row.failure_reason or 'no reason given'}")
        else:
            self._progress(f"Endpoint {row.name}: {row.status}…")

    def _invoke(self, name: str) -> None:
        host(self).run_io(self, f"Invoke {name}", "deploy-invoke", lambda: self.session.smoke_invoke(name),
                          lambda answer: self.post_message(self.Answered(answer)))

    def on_deploy_modal_answered(self, message: Answered) -> None:
        self.phase = "done"
        self._progress(f"Endpoint {self.endpoint_name}: InService. Sample image → {message.answer}")
        self.query_one("#cancel", Button).focus()

    def on_deploy_modal_problem(self, message: Problem) -> None:
        if self.phase == "deploying":
            self.phase = "ready"  # let the user fix the name or type and try again
            for box in self.query(Input):
                box.disabled = False
            self.query_one("#cancel", Button).label = "Cancel"
            self._progress("")
            self._validate()
        self._problem(message.text)

    def _progress(self, text: str) -> None:
        self.query_one("#deploy-progress", Static).update(printable(text))

    def _problem(self, text: str) -> None:
        self.query_one("#deploy-problem", Static).update(printable(" ".join(text.split())))
