"""Short text forms shared by the headless tables and the screens (no business rules)."""

from __future__ import annotations

MISSING = "–"


def age_text(seconds: float | None) -> str:
    """42m, 3h07m, 2d04h: how long something has run, at a glance."""
    if seconds is None:
        return MISSING
    s = int(max(0.0, seconds))
    if s < 3600:
        return f"{s // 60}m"
    if s < 48 * 3600:
        return f"{s // 3600}h{(s % 3600) // 60:02d}m"
    return f"{s // 86400}d{(s % 86400) // 3600:02d}h"


def money(value: float | None) -> str:
    return MISSING if value is None else f"${value:,.2f}"


def some_of(names: list[str], shown: int = 5) -> str:
    """`a, b, c, d, e and 7 more`: a list cut for one line that says how much it left out."""
    head = ", ".join(names[:shown])
    rest = len(names) - shown
    return f"{head} and {rest} more" if rest > 0 else head
