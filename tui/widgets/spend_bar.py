"""The line above the footer: spend against the budget, and how many candidates are in each state."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from jstui.domain.snapshot import StudySnapshot

from jstui.tui import format as fmt

_BUDGET_STATE = {
    "ok": ("", ""),
    "warning": ("⚠ budget warning", "bold yellow"),
    "stopped": ("■ stopped by the budget guard", "bold magenta"),
    "exceeded": ("✗ budget exceeded", "bold red"),
}

# the order candidates' states are counted in (the words are in the glyphs' legend, help screen)
_COUNT_ORDER = ("InProgress", "Stopping", "WaitingForQuota", "Queued", "Completed", "Stopped", "Failed", "NotLaunched")


def spend_text(snapshot: StudySnapshot) -> Text:
    text = Text(" Spend ")
    text.append(fmt.usd(snapshot.spend_usd, snapshot.spend_is_estimate), style="bold")
    if snapshot.budget_usd is not None:
        share = snapshot.spend_usd / snapshot.budget_usd * 100 if snapshot.budget_usd else 0.0
        text.append(f" of {fmt.usd(snapshot.budget_usd)} ({share:.0f}%, {snapshot.budget_policy or 'stop'})")
    else:
        text.append(" (no budget)")
    if snapshot.projected_usd is not None:
        text.append(f" · projected {fmt.usd(snapshot.projected_usd, True)}")
    if snapshot.endpoint_spend_usd:
        text.append(f" · endpoints {fmt.usd(snapshot.endpoint_spend_usd)}")
    words, style = _BUDGET_STATE.get(snapshot.budget_state, ("", ""))
    if words:
        text.append(" · ")
        text.append(words, style=style)
    counts: dict[str, int] = {}
    for row in snapshot.rows_with_plan():  # candidates never launched are counted too
        counts[row.status] = counts.get(row.status, 0) + 1
    parts = [f"{fmt.status_plain(s).split()[0]}{counts[s]}" for s in _COUNT_ORDER if counts.get(s)]
    parts += [f"{s} {n}" for s, n in counts.items() if s not in _COUNT_ORDER]
    if parts:
        text.append(" │ " + " ".join(parts))
    return text


class SpendBar(Static):
    def show(self, snapshot: StudySnapshot) -> None:
        self.update(spend_text(snapshot))
