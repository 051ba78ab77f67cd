"""Where the app's thread workers run: one daemon thread per call.

Textual runs `@work(thread=True)` workers in the event loop's default executor. A standard
ThreadPoolExecutor is joined when the loop closes and again at interpreter exit, so a session
call stuck on an unreachable service (boto3 retrying for minutes) would keep jstui alive after
the user quit. Daemon threads are dropped at exit instead; jobs on the service are unaffected."""

from __future__ import annotations

import concurrent.futures
import threading
from typing import Any
from collections.abc import Callable


class DaemonThreadExecutor(concurrent.futures.ThreadPoolExecutor):
    """A ThreadPoolExecutor by type (asyncio accepts nothing else as the default executor) that
    never uses its pool."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> concurrent.futures.Future:
        future: concurrent.futures.Future = concurrent.futures.Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as exc:  # handed to the awaiting worker, which reports it
                future.set_exception(exc)

        threading.Thread(target=run, name="jstui-io", daemon=True).start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Nothing to join: see the module's docstring."""
