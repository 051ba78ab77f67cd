"""`jstui [STUDY]`: open the study in the terminal app.

Everything that can fail with a user error (the study file, the journal) is done before the app
starts, so the CLI prints it as one line; the app itself is imported only here, lazily, so the
rest of core never imports textual."""

from __future__ import annotations

import gc
import logging
import sys
import threading

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
    try:
        from jstui.tui.app import JstuiApp

        app = JstuiApp(session, refresh_interval=getattr(session, "poll_interval_s", 2.0))
        app.run()
    finally:
        _close(session)
    return int(app.return_code or 0)


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
