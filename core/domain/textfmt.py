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


# Characters a terminal would act on instead of showing: C0 controls (ESC starts every escape
# sequence; BEL ends OSC titles; CR overwrites a line), DEL, C1 controls (0x9b is a one-byte CSI on
# some terminals) and the bidi embeddings/overrides/isolates that reorder what is shown ("Trojan
# Source", CVE-2021-42574). Tab and newline are layout, kept unless `newlines=False`.
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_UNSAFE = {c: f"\\x{c:02x}" for c in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0))}
_UNSAFE.update({ord(ch): f"\\u{ord(ch):04x}" for ch in _BIDI})
_UNSAFE_KEEP_LAYOUT = {c: v for c, v in _UNSAFE.items() if c not in (0x09, 0x0A)}


def printable(text: object, *, newlines: bool = True) -> str:
    """`text` (from a study file or the service) safe to draw: every control character shown as
    its escape (ESC -> `\\x1b`), so no FailureReason or hyperparameter value can retitle, clear or
    leave the terminal's screen. Printable text, including non-ASCII letters, is unchanged."""
    s = text if isinstance(text, str) else str(text)
    if s.isprintable():  # the common case; False for \t, \n, every control and every bidi format character
        return s
    return s.translate(_UNSAFE_KEEP_LAYOUT if newlines else _UNSAFE)
