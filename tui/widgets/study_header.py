"""The one-line header: study, backend, region, connection state and the age of the last refresh."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from jstui.domain.snapshot import StudySnapshot

from jstui.tui import format as fmt


def connection_text(snapshot: StudySnapshot, worker_error: str | None) -> Text:
    """The state in a glyph and a word or two, never colour alone (the reason comes last)."""
    if worker_error:
        return Text("✗ offline", style="bold red")
    c = snapshot.connection
    if c.state == "ok":
        return Text("● connected", style="green")
    if c.state == "retrying":
        wait = f" in {fmt.duration(c.retry_in_s)}" if c.retry_in_s is not None else ""
        return Text(f"⟳ retrying{wait}", style="bold yellow")
    if c.state == "offline":
        return Text("✗ offline", style="bold red")
    if c.state == "expired":
        return Text("⚿ credentials expired", style="bold red")
    return Text("… connecting", style="cyan")


def connection_reason(snapshot: StudySnapshot, worker_error: str | None) -> str:
    """Why the connection is not fine: the last error, one line (last on the header: it may be long)."""
    if worker_error:
        return fmt.one_line(worker_error)
    if snapshot.connection.state in ("retrying", "offline", "expired"):
        return fmt.one_line(snapshot.connection.message)
    return ""


class StudyHeader(Static):
    def show(self, snapshot: StudySnapshot, age_s: float | None, worker_error: str | None,
             readonly: bool = False) -> None:
        text = Text()
        text.append(" jstui ", style="bold reverse")
        text.append(f" {snapshot.study} ", style="bold")
        if readonly:
            text.append("[read-only] ", style="bold")
        text.append(f"│ {snapshot.backend} {snapshot.region} │ ")
        text.append_text(connection_text(snapshot, worker_error))
        text.append(f" │ updated {fmt.age(age_s)}" if snapshot.taken_at is not None else " │ not refreshed yet")
        text.append_text(endpoints_warning(snapshot))
        reason = connection_reason(snapshot, worker_error)
        if reason:
            text.append(f" │ {reason}", style="bold")
        self.update(text)


def endpoints_warning(snapshot: StudySnapshot) -> Text:
    """Endpoints jstui created keep costing money until deleted: say so while any runs."""
    from jstui.domain.endpoints import BILLED_STATUSES  # which statuses keep instances running is core's rule

    running = [e for e in snapshot.endpoints if e.status in BILLED_STATUSES]
    if not running:
        return Text()
    rate = sum(e.usd_per_hour or 0.0 for e in running)
    noun = "endpoint" if len(running) == 1 else "endpoints"
    return Text(f" │ ⚠ {len(running)} {noun} running {fmt.usd(rate)}/h (e)", style="bold yellow")
