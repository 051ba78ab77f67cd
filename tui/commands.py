"""The command palette (ctrl+p or `:`) offers every action the current screen has a key for, so
nothing is reachable only by remembering a key."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

# palette plumbing and bare cursor moves are not worth a palette entry
_SKIP_ACTIONS = {"command_palette", "cursor_down", "cursor_up"}


class KeyCommands(Provider):
    def _commands(self) -> list[tuple[str, str, Callable[[], Awaitable[object]]]]:
        seen: set[str] = set()
        out: list[tuple[str, str, Callable[[], Awaitable[object]]]] = []
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not binding.description or not active.enabled or binding.action in _SKIP_ACTIONS:
                continue
            if binding.description in seen:
                continue
            seen.add(binding.description)
            key = self.app.get_key_display(binding)
            run = partial(self.app.run_action, binding.action, active.node)
            out.append((binding.description, f"key: {key}", run))
        return out

    async def discover(self) -> Hits:
        for name, help_text, run in self._commands():
            yield DiscoveryHit(name, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, run in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, help=help_text)
