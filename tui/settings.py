"""Applying a user's settings (jstui.domain.settings) to the app: keymap by binding id, theme, and
saving the palette's theme choice back to the file (only its `theme` line changes)."""

from __future__ import annotations

import logging
from pathlib import Path

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.theme import Theme

from jstui.domain import settings as domain
from jstui.tui.app import JstuiApp

log = logging.getLogger(__name__)


def screen_classes() -> list[type[Screen] | type[App]]:
    """Every class whose BINDINGS a keymap may rebind."""
    from jstui.tui.deploy import DeployModal
    from jstui.tui.endpoints import EndpointsScreen
    from jstui.tui.frontier import FrontierScreen
    from jstui.tui.screens.compare import CompareScreen
    from jstui.tui.screens.copy import CopyModal
    from jstui.tui.screens.curves import CurvesScreen
    from jstui.tui.screens.history import HistoryScreen
    from jstui.tui.screens.slices import SliceScreen
    from jstui.tui.screens.study import StudyScreen
    from jstui.tui.screens.tuning_job import TuningJobScreen

    return [JstuiApp, StudyScreen, TuningJobScreen, FrontierScreen, EndpointsScreen, DeployModal, CurvesScreen,
            CompareScreen, CopyModal, HistoryScreen, SliceScreen]


def binding_ids() -> dict[str, str]:
    """Every binding id, with what it does (docs/tui-settings.md lists them)."""
    out: dict[str, str] = {}
    for cls in screen_classes():
        for b in cls.BINDINGS:
            if isinstance(b, Binding) and b.id:
                out.setdefault(b.id, b.description)
    return out


def apply(app: JstuiApp, settings: domain.TuiSettings, path: Path) -> None:
    """Before the app runs: check the names (SettingsError, one line), set keymap and theme, and
    save the palette's later theme choices to `path`."""
    domain.check_names(settings, str(path), set(binding_ids()), set(app.available_themes))
    if settings.keymap:
        app.set_keymap(settings.keymap)
    if settings.theme:
        app.theme = settings.theme

    shown = {"theme": app.theme}

    def save(theme: Theme) -> None:
        if theme.name == shown["theme"]:
            return  # the theme set at start (or saved already): not a choice to save
        shown["theme"] = theme.name
        try:
            text = path.read_text(encoding="utf-8") if path.exists() else ""
            if domain.parse(text, str(path)).theme == theme.name:
                return
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(domain.with_theme(text, theme.name), encoding="utf-8")
        except (OSError, domain.SettingsError) as exc:  # never lose the session over a preference
            app.notify(f"theme not saved to {path}: {exc}", severity="warning", timeout=6)

    if isinstance(app, JstuiApp):  # subscribing needs a running app
        app.on_start.append(lambda: app.theme_changed_signal.subscribe(app, save))
