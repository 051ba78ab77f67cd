"""`?`: every key the app answers to, by screen, plus the status glyphs' legend."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from jstui.tui import format as fmt

KeySection = tuple[str, list[tuple[str, str]]]  # (title, [(keys, description)])

_LEGEND_STATUSES = ("InProgress", "Completed", "Failed", "Stopping", "Stopped", "Queued", "WaitingForQuota",
                    "NotLaunched")


def keys_table(sections: list[KeySection]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for title, rows in sections:
        table.add_row(Text(title, style="bold underline"), "")
        for keys, description in rows:
            table.add_row(keys, description)
        table.add_row("", "")
    legend = Text("  ".join(fmt.status_plain(s) for s in _LEGEND_STATUSES))
    table.add_row(Text("Status", style="bold underline"), "")
    table.add_row("", legend)
    table.add_row("", "~$ = an estimate (running jobs accrue; ★ = best training job)")
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,question_mark,q", "close", "Close help", id="help.close"),
    ]

    def __init__(self, sections: list[KeySection]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog"):
            yield Static("Keys  (esc closes)", id="help-title")
            with VerticalScroll(id="help-body"):
                yield Static(keys_table(self.sections), id="help-keys")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
