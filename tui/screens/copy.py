"""Copy and open (`y`): the current job's or endpoint's name, ARN, S3 output and SageMaker console
URL, each on a numbered line; its number copies it to the clipboard over OSC 52 (Textual's
App.copy_to_clipboard, which reaches the local clipboard through SSH and tmux when the terminal
allows it). Terminals that ignore OSC 52 say nothing, so every value is also shown here in full,
to select with the mouse."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from jstui.domain import console
from jstui.domain.snapshot import StudySnapshot
from jstui.domain.model import Study
from jstui.tui.screens.curves import printable


def copy_choices(snapshot: StudySnapshot, study: Study, candidate: str | None,
                 training_job: str | None = None, endpoint: str | None = None) -> list[tuple[str, str]]:
    """(what, value) for the current thing: an endpoint, a training job, else the candidate's tuning job."""
    region, account = snapshot.region, console.account_of(study.role_arn)
    out: list[tuple[str, str]] = []
    emulated = snapshot.backend == "emulator"

    def add(what: str, value: str | None) -> None:
        if value:
            if emulated and what.endswith("console URL"):
                what += " (emulated: not in the AWS console)"
            out.append((what, value))

    if endpoint:
        add("endpoint name", endpoint)
        add("endpoint ARN", console.arn(region, account, "endpoint", endpoint))
        add("console URL", console.console_url(region, "endpoint", endpoint))
        return out
    row = next((r for r in snapshot.tuning_jobs if r.candidate == candidate), None)
    job = training_job or (row.best_training_job_name if row else None)
    if job:
        add("training job name", job)
        add("training job ARN", console.arn(region, account, "training", job))
        add("S3 output (model)", console.model_artifact(study.output_s3, job))
        add("training job console URL", console.console_url(region, "training", job))
    if row is not None and row.tuning_job_name:
        add("tuning job name", row.tuning_job_name)
        add("tuning job ARN", console.arn(region, account, "tuning", row.tuning_job_name))
        add("tuning job console URL", console.console_url(region, "tuning", row.tuning_job_name))
    return out


class CopyModal(ModalScreen[None]):
    BINDINGS: ClassVar = [
        Binding("escape", "dismiss_modal", "Close", id="copy.close"),
        *(Binding(str(i + 1), f"copy({i})", f"Copy line {i + 1}", id=f"copy.line_{i + 1}", show=False)
          for i in range(9)),
    ]
    DEFAULT_CSS = """
    CopyModal { align: center middle; }
    CopyModal > Vertical { width: 90%; max-width: 120; height: auto; border: round $accent; padding: 0 1;
                           background: $surface; }
    CopyModal Static { width: 100%; }
    """

    def __init__(self, title: str, choices: list[tuple[str, str]]) -> None:
        super().__init__(id="copy")
        self.title_text = title
        self.choices = choices

    def compose(self) -> ComposeResult:
        text = Text()
        text.append(printable(self.title_text), style="bold")
        for i, (what, value) in enumerate(self.choices):
            text.append(f"\n{i + 1} ", style="bold reverse")
            text.append(f" {what}\n   ")
            text.append(printable(value))
        if not self.choices:
            text.append("\nnothing to copy here yet (no tuning job launched)")
        text.append("\n\nA number copies its line (OSC 52); esc closes. If your terminal does not take it, "
                    "select the text above.", style="dim")
        with Vertical():
            yield Static(text, id="copy-lines")

    def action_copy(self, index: int) -> None:
        if not 0 <= index < len(self.choices):
            return
        what, value = self.choices[index]
        self.app.copy_to_clipboard(value)
        self.notify(f"copied the {what} (OSC 52): {printable(value)}", timeout=6)
        self.dismiss(None)

    def action_dismiss_modal(self) -> None:
        self.dismiss(None)
