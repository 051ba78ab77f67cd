"""Pure formatting of snapshot values for the screen: no state, no I/O, no business rules.

Every status is shown as a glyph plus a word so it reads without colour (NO_COLOR, a monochrome
terminal, a colour-blind user); the colour is only a second hint."""

from __future__ import annotations

import math
from datetime import datetime

from rich.text import Text

# money, counts and durations: the one formatter, shared with the headless commands
from jstui.domain.textfmt import count, duration, money as usd
from jstui.domain.textfmt import printable  # every text from a study file or the service goes through it

__all__ = ["count", "duration", "printable", "usd"]

# glyph, word, style. Words are SageMaker's (shortened only where the full word is our own).
_STATUS = {
    "InProgress": ("▶", "InProgress", "bold yellow"),
    "Completed": ("✓", "Completed", "green"),
    "Failed": ("✗", "Failed", "bold red"),
    "Stopping": ("◼", "Stopping", "magenta"),
    "Stopped": ("■", "Stopped", "magenta"),
    "Queued": ("○", "Queued", "cyan"),
    "WaitingForQuota": ("◌", "WaitQuota", "cyan"),
    "Deleting": ("…", "Deleting", "magenta"),
    "DeleteFailed": ("✗", "DeleteFailed", "bold red"),
    "NotLaunched": ("·", "NotLaunched", "dim"),  # jstui's: never ran (not launched, or dropped before)
}


def direction_arrow(direction: str) -> str:
    """↑ maximised, ↓ minimised: which way is better for an objective."""
    return "↓" if direction.lower().startswith("min") else "↑"


def status_text(status: str) -> Text:
    glyph, word, style = _STATUS.get(status, ("?", printable(status, newlines=False), ""))
    return Text(f"{glyph} {word}", style=style)


def status_plain(status: str) -> str:
    return status_text(status).plain


def dash() -> str:
    return "–"


def fraction(value: float | None, digits: int = 3) -> str:
    """Accuracy-like values exactly as the training script logs them (a fraction)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return dash()
    return f"{value:.{digits}f}"


def number(value: float | None) -> str:
    """A general metric: 4 significant figures, trailing zeros kept so a column's decimals line up
    (0.9110 above 0.9045, not 0.911), no exponent for ordinary sizes."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return dash()
    if value != 0 and (abs(value) >= 1e6 or abs(value) < 1e-3):
        return f"{value:.3g}"
    return f"{value:#.4g}"


def age(seconds: float | None) -> str:
    if seconds is None:
        return "never"
    return f"{duration(seconds)} ago"


def seconds_between(later: datetime | None, earlier: datetime | None) -> float | None:
    if later is None or earlier is None:
        return None
    return (later - earlier).total_seconds()


def one_line(text: str | None, width: int | None = None) -> str:
    """Collapse whitespace (FailureReasons span lines), show control characters as escapes
    (`printable`) and cut with an ellipsis if asked."""
    if not text:
        return ""
    flat = printable(" ".join(text.split()), newlines=False)
    if width is not None and len(flat) > width:
        return flat[: max(0, width - 1)] + "…"
    return flat


def event(text: str) -> str:
    """An engine event line, `<ISO time> message`: the time shortened to the clock time."""
    head, _, rest = text.partition(" ")
    try:
        at = datetime.fromisoformat(head)
    except ValueError:
        return one_line(text)
    return f"{at:%H:%M:%S} {one_line(rest)}"
