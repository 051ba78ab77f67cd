"""The command palette (ctrl+p or `:`) lists jstui's own actions by name, so nothing is reachable
only by remembering a key: the current screen's and the app's bindings (not the table widget's
cursor moves), sorts named by their column, and how to export the study."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from jstui.tui.host import ActionNamer, AppHost

# the binding-id prefixes of jstui's own keys; widgets' built-in bindings (DataTable's "Cursor left",
# "Page up", ...) have none of them
_OURS = ("app.", "study.", "tuning.", "frontier.", "endpoints.")
# palette plumbing, bare cursor moves and the read-only refusals are not worth an entry
_SKIP_ACTIONS = {"command_palette", "cursor_down", "cursor_up"}


class KeyCommands(Provider):
    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        seen: set[str] = set()
        out: list[tuple[str, str, Callable[[], object]]] = []
        screen = self.screen
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not binding.description or not active.enabled or binding.action in _SKIP_ACTIONS:
                continue
            if not (binding.id or "").startswith(_OURS) or binding.action.startswith("read_only"):
                continue
            name = (screen.describe_action(binding.action) if isinstance(screen, ActionNamer) else None)
            if name == "":
                continue  # the screen says this action has nothing to act on now
            name = name or binding.description
            if name in seen:
                continue
            seen.add(name)
            key = self.app.get_key_display(binding)
            out.append((name, f"key: {key}", partial(self.app.run_action, binding.action, active.node)))
        if isinstance(self.app, AppHost):
            path = shlex.quote(str(self.app.session.study.path))
            out.append(("Export the study (csv or json)", "from a shell: jstui --export csv …",
                        partial(self.app.notify, f"Export from a shell: jstui --export csv {path} --what "
                                "tuning-jobs|training-jobs|frontier|picked [-o FILE]", timeout=15)))
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
