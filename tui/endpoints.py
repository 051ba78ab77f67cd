"""The endpoints screen (`e`): every endpoint jstui created for the study, with status, age, $/hour
and accrued cost, so none is forgotten. Delete (endpoint, config and model) asks first with
Cancel focused, and is gone under --readonly. Rows are keyed by endpoint name, so the cursor
stays on its endpoint while the table refreshes."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.coordinate import Coordinate
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from jstui.domain.endpoints import BILLED_STATUSES, running_longer_than
from jstui.engine.protocol import StudySession
from jstui.domain.snapshot import EndpointRow, StudySnapshot
from jstui.domain.textfmt import MISSING, age_text, money, printable
from jstui.tui.host import host
from jstui.tui.widgets.study_header import StudyHeader

# Glyph + word: the status reads without colour; the style is only a second hint.
STATUS_LOOK = {
    "InService": ("●", "green"),
    "Creating": ("◔", "yellow"),
    "Updating": ("◑", "yellow"),
    "SystemUpdating": ("◑", "yellow"),
    "RollingBack": ("↺", "yellow"),
    "Deleting": ("…", "magenta"),
    "deleting": ("…", "magenta"),
    "Failed": ("✗", "bold red"),
    "OutOfService": ("○", "magenta"),
    "Interrupted": ("!", "bold red"),
}
# What costs money first, so it stays in view at 80 columns; model and instances may scroll.
COLUMNS = (("name", "Endpoint"), ("status", "Status"), ("age", "Age"), ("rate", "$/hour"), ("accrued", "Accrued"),
           ("candidate", "Model"), ("instances", "Instances"))


def status_cell(status: str) -> Text:
    glyph, style = STATUS_LOOK.get(status, ("?", ""))
    return Text(f"{glyph} {printable(status, newlines=False)}", style=style)


class EndpointsScreen(Screen):
    BINDINGS: ClassVar = [
        Binding("escape", "back", "Back", id="endpoints.back"),
        Binding("ctrl+d", "delete", "Delete endpoint", id="endpoints.delete"),
        Binding("i", "invoke", "Invoke sample", id="endpoints.invoke"),
        # the app's copy key, shown here: the endpoint's name, ARN and console URL (jstui.tui.screens.copy)
        Binding("y", "app.copy_ids", "Copy/URL", id="endpoints.copy"),
    ]
    DEFAULT_CSS = """
    EndpointsScreen #endpoints-summary { height: auto; padding: 0 1; }
    EndpointsScreen #endpoints-table { height: 1fr; }
    EndpointsScreen #endpoints-detail { height: auto; max-height: 4; padding: 0 1; color: $text-muted; }
    """

    class Done(Message):
        """A worker's action ended; `endpoint` names one whose local "Deleting" mark can go."""

        def __init__(self, text: str, endpoint: str | None = None) -> None:
            super().__init__()
            self.text = text
            self.endpoint = endpoint

    def __init__(self, session: StudySession, *, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id or "endpoints")
        self.session = session
        self._snapshot: StudySnapshot = session.snapshot()
        self._pending: dict[str, str] = {}  # endpoint -> status shown until the next snapshot says more

    def compose(self) -> ComposeResult:
        yield StudyHeader(id="header")
        with Vertical():
            yield Static(id="endpoints-summary")
            yield DataTable(id="endpoints-table", cursor_type="row", zebra_stripes=True)
            yield Static(id="endpoints-detail", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, heading in COLUMNS:
            table.add_column(heading, key=key)
        host(self).render_chrome(self)
        self._show_rows()
        table.focus()

    # --- live -------------------------------------------------------------------------------
    def update_snapshot(self, snapshot: StudySnapshot) -> None:
        self._snapshot = snapshot
        live = {e.name: e.status for e in snapshot.endpoints}
        self._pending = {n: s for n, s in self._pending.items() if n in live and live[n] not in ("Deleting",)}
        if self.is_mounted:
            self._show_rows()

    apply_snapshot = update_snapshot  # the app's name for it

    def _rows(self) -> list[EndpointRow]:
        return list(self._snapshot.endpoints)

    def _age(self, row: EndpointRow) -> float | None:
        now = self._snapshot.taken_at
        if now is None or row.created_at is None:
            return None
        return (now - row.created_at).total_seconds()

    def _warn_hours(self) -> float:
        return float(self.session.study.budget.endpoint_warn_hours)

    def _overdue(self, row: EndpointRow) -> bool:
        return running_longer_than(row, self._snapshot.taken_at, self._warn_hours())

    def _cells(self, row: EndpointRow) -> list[object]:
        status = self._pending.get(row.name, row.status)
        age: object = age_text(self._age(row))
        if self._overdue(row):  # a glyph, not only a colour
            age = Text(f"⚠ {age}", style="bold yellow")
        return [printable(row.name), status_cell(status), age, money(row.usd_per_hour), money(row.accrued_usd),
                printable(row.candidate or MISSING), printable(f"{row.instance_count} × {row.instance_type}")]

    def _show_rows(self) -> None:
        table = self.query_one(DataTable)
        rows = self._rows()
        keys = [r.name for r in rows]
        for row_key in list(table.rows):
            if row_key.value not in keys:
                table.remove_row(row_key)
        for row in rows:
            cells = self._cells(row)
            if row.name in [k.value for k in table.rows]:
                for (col, _), value in zip(COLUMNS, cells):
                    table.update_cell(row.name, col, value, update_width=True)  # a longer age must not be cut
            else:
                table.add_row(*cells, key=row.name)
        running = [r for r in rows if r.status in BILLED_STATUSES]
        rate = sum(r.usd_per_hour or 0.0 for r in running)
        accrued = sum(r.accrued_usd or 0.0 for r in rows)
        summary = f"{len(rows)} endpoint(s) jstui created · {len(running)} running"
        if running:
            summary += f" · {money(rate)}/hour"
        summary += f" · accrued {money(accrued)}"
        overdue = [r for r in rows if self._overdue(r)]
        if overdue:
            summary += f" · ⚠ {len(overdue)} running longer than {self._warn_hours():g} h"
        if not rows:
            summary = "No endpoints: deploy a model from the frontier (f) with d"
        self.query_one("#endpoints-summary", Static).update(summary)
        self._show_detail()

    def _selected(self) -> EndpointRow | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value
        return next((r for r in self._rows() if r.name == key), None)

    def selected_endpoint(self) -> str | None:
        """The endpoint under the cursor (the app's copy key, `y`, offers its name, ARN and console URL)."""
        row = self._selected()
        return row.name if row is not None else None

    @on(DataTable.RowHighlighted, "#endpoints-table")
    def _show_detail(self) -> None:
        row = self._selected()
        detail = ""
        if row is not None:
            detail = f"{row.name}: training job {row.training_job_name or MISSING}"
            if row.failure_reason:
                detail += f" · reason: {' '.join(row.failure_reason.split())}"
        self.query_one("#endpoints-detail", Static).update(Text(printable(detail, newlines=False)))

    # --- actions ----------------------------------------------------------------------------
    def action_back(self) -> None:
        self.app.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "delete" and self.session.readonly:
            return False  # not offered at all under --readonly
        return True

    def action_delete(self) -> None:
        row = self._selected()
        if row is None or self.session.readonly:
            return
        from jstui.tui.screens.confirm import ConfirmModal

        body = (f"Delete endpoint {row.name} ({row.instance_count} × {row.instance_type}), its endpoint "
                f"config and its model? The trained model artifact in S3 stays.")
        self.app.push_screen(ConfirmModal(f"Delete {row.name}?", body, "Delete"),
                             lambda ok: self._start_delete(row.name) if ok else None)

    def _start_delete(self, name: str) -> None:
        self._pending[name] = "Deleting"
        self._show_rows()
        self._delete(name)

    def _delete(self, name: str) -> None:
        host(self).run_io(self, f"Delete {name}", f"endpoint-delete:{name}", lambda: self.session.delete_endpoint(name),
                          lambda _: self.post_message(
                              self.Done(f"deleted endpoint {name} (and its config and model)", endpoint=name)))

    def worker_failed(self, worker_name: str, group: str, error: str) -> bool:
        """The app's one worker policy hands this screen its own workers' failures: a failed delete
        drops its local "Deleting" mark; the app then notifies ("Delete NAME failed: ...")."""
        if group.startswith("endpoint-delete:"):
            self._pending.pop(group.partition(":")[2], None)
            self._show_rows()
        return False

    def action_invoke(self) -> None:
        row = self._selected()
        if row is None:
            return
        if row.status != "InService":
            self.notify(f"{row.name} is {row.status}: only an InService endpoint answers", severity="warning")
            return
        self._invoke(row.name)

    def _invoke(self, name: str) -> None:
        host(self).run_io(self, f"Invoke {name}", "endpoint-invoke", lambda: self.session.smoke_invoke(name),
                          lambda answer: self.post_message(self.Done(f"{name} answered: {answer}")))

    def on_endpoints_screen_done(self, message: Done) -> None:
        self.notify(message.text, timeout=8)
        if message.endpoint:
            self._pending.pop(message.endpoint, None)
        self.update_snapshot(self.session.snapshot())
        host(self).start_refresh()
