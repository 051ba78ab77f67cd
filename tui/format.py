"""Pure formatting of snapshot values for the screen: no state, no I/O, no business rules.

Every status is shown as a glyph plus a word so it reads without colour (NO_COLOR, a monochrome
terminal, a colour-blind user); the colour is only a second hint."""

from __future__ import annotations

import math
from datetime import datetime

from rich.text import Text

from jstui.domain.textfmt import printable  # every text from a study file or the service goes through it

__all__ = ["printable"]

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
}


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


def count(value: float | None) -> str:
    """Large counts (parameters) with a unit: 3.5M, 66.8M, 1.2G."""
    if value is None:
        return dash()
    v = float(value)
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(v) >= scale:
            return f"{v / scale:.1f}{unit}"
    return f"{v:.0f}"


def duration(seconds: float | None) -> str:
    """Compact duration: 45s, 12m05s, 3h07m, 2d04h."""
    if seconds is None:
        return dash()
    s = int(round(max(0.0, seconds)))
    if s < 60:
        return f"{s}s"
    m, s = divmod(s, 60)
    if m < 60:
        return f"{m}m{s:02d}s"
    h, m = divmod(m, 60)
    if h < 48:
        return f"{h}h{m:02d}m"
    d, h = divmod(h, 24)
    return f"{d}d{h:02d}h"


def usd(value: float | None, estimate: bool = False) -> str:
    """Dollars; a trailing `~` marks an estimate (a running job, or a price we could not confirm)."""
    if value is None:
        return dash()
    text = f"${value:,.2f}"
    return f"~{text}" if estimate else text


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
