"""Room in a screen's footer at 80 columns: a screen names the app's keys that matter least on it;
when the footer would not fit the terminal, they stay bound and are listed in the help (`?`) and the
command palette, but the footer leaves them out, so the keys it does show are not cut at its edge."""

from __future__ import annotations

import dataclasses

from rich.cells import cell_len
from textual.binding import ActiveBinding
from textual.screen import Screen


def footer_width(screen: Screen, bindings: dict[str, ActiveBinding]) -> int:
    """The cells a compact footer needs: `key description` per shown action, one space between."""
    shown = {a.binding.action: a.binding for a in bindings.values() if a.binding.show}
    return sum(cell_len(screen.app.get_key_display(b)) + 1 + cell_len(b.description) + 1 for b in shown.values())


def without_in_footer(screen: Screen, bindings: dict[str, ActiveBinding],
                      actions: tuple[str, ...]) -> dict[str, ActiveBinding]:
    """`bindings` (the screen's active bindings) with those of `actions`, in that order, marked not
    shown until the footer fits the terminal."""
    hidden: set[str] = set()
    for action in (None, *actions):
        if action is not None:
            hidden.add(action)
        shown = {key: active._replace(binding=dataclasses.replace(active.binding, show=False))
                 if active.binding.action in hidden else active
                 for key, active in bindings.items()}
        if footer_width(screen, shown) <= screen.app.size.width:
            break
    return shown
