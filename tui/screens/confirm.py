"""A yes/no question for dangerous or costly actions: Cancel is focused, so a stray Enter is safe."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from jstui.domain.textfmt import printable


class ConfirmModal(ModalScreen[bool]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="confirm.cancel"),
        Binding("left,h", "app.focus_previous", "Previous button", id="confirm.previous", show=False),
        Binding("right", "app.focus_next", "Next button", id="confirm.next", show=False),
    ]

    def __init__(self, title: str, body: str, confirm_label: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title_text = printable(title)  # names, plans and FailureReasons: never raw control characters
        self.body = printable(body)
        self.confirm_label = confirm_label

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog"):
            yield Static(self.title_text, id="confirm-title", markup=False)
            with VerticalScroll(id="confirm-body"):
                yield Static(self.body, markup=False)
            with Horizontal(id="confirm-buttons"):
                yield Button("Cancel", id="cancel", variant="primary")
                yield Button(self.confirm_label, id="confirm", variant="error")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm")

    def action_cancel(self) -> None:
        self.dismiss(False)
