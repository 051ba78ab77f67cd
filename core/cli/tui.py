"""`jstui [STUDY]`: open the study in the terminal app.

Everything that can fail with a user error (the study file, the journal) is done before the app
starts, so the CLI prints it as one line; the app itself is imported only here, lazily, so the
rest of core never imports textual."""

from __future__ import annotations

import gc
import logging
import os
import sys
import threading
from pathlib import Path

from jstui.domain.errors import UsageError

log = logging.getLogger(__name__)


def add_arguments(parser) -> None:  # noqa: ARG001 - STUDY is the main parser's positional
    pass


def run(args) -> int:
    try:
        from jstui.engine.session import EngineSession, load, resolve_study
    except ImportError as exc:  # the engine lands separately; say so instead of a traceback
        raise UsageError(f"the study engine is not available yet ({exc})") from None

    path = resolve_study(getattr(args, "study", None), args.home)
    study = load(path)  # StudyFileError: one line per problem, exit 2
    settings, where = read_settings()  # a bad file: one line naming file and key, exit 2 (docs/tui-settings.md)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("the TUI needs a terminal; for scripts use `jstui status` or `jstui --export csv`")
    session = EngineSession(
        study,
        args.home,
        readonly=args.readonly,
        endpoint_url=args.endpoint_url,
        region=args.region,
        profile=args.profile,
    )
    # The saved snapshot just decoded (a million objects for 20,000 jobs) lives as long as it is
    # shown and holds no reference cycles: keep the collector's full passes from rescanning it while
    # the app starts (they are freed by reference counting all the same).
    gc.freeze()
    # The refresh runs on a worker thread sharing the GIL with the UI thread: a key waits for the GIL
    # at each hand-off, up to the switch interval (5 ms by default) each time; 1 ms keeps keys quick
    # while the engine works (bench/tui.py part 4).
    sys.setswitchinterval(0.001)
    try:
        from jstui.tui.app import JstuiApp
        from jstui.tui.settings import apply

        app = JstuiApp(session, refresh_interval=settings.refresh_interval_s or getattr(session, "poll_interval_s", 2.0),
                       log_interval=settings.log_interval_s or 1.0, freeze_heap=True)
        apply(app, settings, where)  # a key id or theme that does not exist: one line, exit 2
        app.run()
    finally:
        _close(session)
    return int(app.return_code or 0)


def settings_path() -> Path:
    """The user's TUI settings file: $JSTUI_CONFIG_DIR/tui.toml, else the platform's config directory
    (platformdirs: ~/.config/jstui on Linux, ~/Library/Application Support/jstui on macOS)."""
    import platformdirs

    from jstui.domain.settings import FILE_NAME

    base = os.environ.get("JSTUI_CONFIG_DIR") or platformdirs.user_config_dir("jstui")
    return Path(base) / FILE_NAME


def read_settings():
    from jstui.domain.settings import SettingsError, TuiSettings, parse

    path = settings_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return TuiSettings(), path
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: cannot be read ({exc})") from None
    return parse(text, str(path)), path


def _close(session, timeout_s: float = 5.0) -> None:
    """Close the session without hanging on a refresh still waiting for an unreachable service
    (the app's I/O threads are daemons, so nothing else holds the process after this)."""

    def close() -> None:
        try:
            session.close()
        except Exception:
            log.exception("closing the session")

    closer = threading.Thread(target=close, name="jstui-close", daemon=True)
    closer.start()
    closer.join(timeout_s)
    if closer.is_alive():
        print("jstui: the service is not answering; leaving without waiting (jobs on it keep running)",
              file=sys.stderr)
