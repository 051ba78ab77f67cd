"""The one formatter of money, estimates, counts, durations and ages, shared by the headless
commands and the screens (no business rules): `~$3.13` is an estimate everywhere, parameters read
`1.2B` everywhere."""

from __future__ import annotations

import math

MISSING = "–"


def money(value: float | None, estimate: bool = False) -> str:
    """Dollars; a leading `~` marks an estimate (a running job, a price we could not confirm)."""
    if value is None or math.isnan(value):
        return MISSING
    text = f"${value:,.2f}"
    return f"~{text}" if estimate else text


def count(value: float | None) -> str:
    """Large counts (parameters) with a unit: 3.5M, 66.8M, 1.2B."""
    if value is None or math.isnan(value):
        return MISSING
    v = float(value)
    for unit, scale in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(v) >= scale:
            return f"{v / scale:.1f}{unit}"
    return f"{v:.0f}"


def duration(seconds: float | None) -> str:
    """Compact duration: 45s, 12m05s, 3h07m, 2d04h."""
    if seconds is None or math.isnan(seconds):
        return MISSING
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


def some_of(names: list[str], shown: int = 5) -> str:
    """`a, b, c, d, e and 7 more`: a list cut for one line that says how much it left out."""
    head = ", ".join(names[:shown])
    rest = len(names) - shown
    return f"{head} and {rest} more" if rest > 0 else head


SIMULATED = "simulated"


def simulated_note(backend: str) -> str:
    """On the emulator, times and money are simulated: every human-readable output says so."""
    return "times and money simulated (emulator)" if backend == "emulator" else ""


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
