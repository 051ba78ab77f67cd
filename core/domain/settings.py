"""A user's own TUI settings (issue 19 item 8; docs/tui-settings.md): one TOML file in the platform's
config directory (platformdirs' user_config_dir("jstui")/tui.toml). Pure: this module reads the
parsed TOML and says what is wrong with it in one line naming the file and the key; reading the
file is the CLI's, applying it the TUI's.

    theme = "nord"                    # any theme of Textual's palette (ctrl+p: "Change theme")
    refresh_interval_s = 5            # how often the study is refreshed (default: the backend's)
    log_interval_s = 2                # how often a followed log or a curve is read (default 1)

    [keymap]                          # binding id = key(s), as the help screen lists them
    "app.stop" = "ctrl+x"
    "study.filter" = "slash,f3"
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field

from jstui.domain.errors import UsageError

FILE_NAME = "tui.toml"
KNOWN_KEYS = ("theme", "refresh_interval_s", "log_interval_s", "keymap")
MIN_INTERVAL_S = 0.5  # a faster refresh buys nothing (SageMaker's own status updates are slower) and costs calls
_KEY = re.compile(r"^[A-Za-z0-9_+\-]+(,[A-Za-z0-9_+\-]+)*$")  # Textual's key names: ctrl+x, f3, slash


class SettingsError(UsageError):
    """A bad settings file: one line, `<file>: <key>: <what is wrong>` (exit 2)."""


@dataclass(frozen=True)
class TuiSettings:
    theme: str | None = None
    refresh_interval_s: float | None = None
    log_interval_s: float | None = None
    keymap: dict[str, str] = field(default_factory=dict)


def parse(text: str, source: str) -> TuiSettings:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{source}: not valid TOML ({exc})") from None
    for key in data:
        if key not in KNOWN_KEYS:
            raise SettingsError(f"{source}: {key}: unknown setting (known: {', '.join(KNOWN_KEYS)})")
    theme = data.get("theme")
    if theme is not None and (not isinstance(theme, str) or not theme.strip()):
        raise SettingsError(f"{source}: theme: must be a theme's name in quotes, e.g. theme = \"nord\"")
    intervals = {}
    for key in ("refresh_interval_s", "log_interval_s"):
        value = data.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < MIN_INTERVAL_S:
            raise SettingsError(f"{source}: {key}: must be a number of seconds, at least {MIN_INTERVAL_S:g} "
                                f"(got {value!r})")
        intervals[key] = float(value)
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict):
        raise SettingsError(f"{source}: keymap: must be a table ([keymap] with \"binding.id\" = \"key\" lines)")
    normal: dict[str, str] = {}
    for binding_id, keys in keymap.items():
        keys = ",".join(k.strip() for k in keys.split(",")) if isinstance(keys, str) else keys
        normal[binding_id] = keys
        if not isinstance(keys, str) or not _KEY.match(keys):
            raise SettingsError(f"{source}: keymap.{binding_id}: must be key names in quotes, comma-separated "
                                f"(e.g. \"ctrl+x\" or \"slash,f3\"), got {keys!r}")
    return TuiSettings(theme=theme.strip() if isinstance(theme, str) else None,
                       refresh_interval_s=intervals.get("refresh_interval_s"),
                       log_interval_s=intervals.get("log_interval_s"),
                       keymap=normal)


def check_names(settings: TuiSettings, source: str, binding_ids: set[str], themes: set[str]) -> None:
    """What only the screen knows: which binding ids and themes exist."""
    for binding_id in settings.keymap:
        if binding_id not in binding_ids:
            near = sorted(b for b in binding_ids if b.split(".")[-1] == binding_id.split(".")[-1])
            hint = f" (did you mean {', '.join(near)}?)" if near else " (the ids are listed in docs/tui-settings.md)"
            raise SettingsError(f"{source}: keymap.{binding_id}: no key has this id{hint}")
    if settings.theme is not None and settings.theme not in themes:
        raise SettingsError(f"{source}: theme: no theme named {settings.theme!r} (known: {', '.join(sorted(themes))})")


def with_theme(text: str, theme: str) -> str:
    """The file's text with `theme = "<theme>"` set, everything else (comments too) as it was: the
    line replaced where it is, else added before the first table."""
    line = f'theme = "{theme}"'
    lines = text.splitlines()
    for i, old in enumerate(lines):
        if re.match(r"^\s*theme\s*=", old):
            lines[i] = line
            return "\n".join(lines) + "\n"
    first_table = next((i for i, old in enumerate(lines) if old.lstrip().startswith("[")), len(lines))
    lines.insert(first_table, line)
    return "\n".join(lines) + "\n"
