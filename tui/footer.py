"""Room in a screen's footer at 80 columns: a screen names the app's keys that matter least on it;
they stay bound and are listed in the help (`?`) and the command palette, but the footer leaves
them out, so the keys it does show are not cut at the terminal's edge."""

from __future__ import annotations

import dataclasses

from textual.binding import ActiveBinding


def without_in_footer(bindings: dict[str, ActiveBinding], actions: frozenset[str]) -> dict[str, ActiveBinding]:
    """`bindings` (a screen's active bindings) with those of `actions` marked not shown."""
    return {key: active._replace(binding=dataclasses.replace(active.binding, show=False))
            if active.binding.action in actions else active
            for key, active in bindings.items()}
