"""What a user reopening a big study waits for before the table shows (bench/tui.py, first paint):
the engine's first refresh starts only after the study screen has been drawn (its thread would share
the interpreter with the first paint), and boto3 is not imported until a client is made."""

from __future__ import annotations

import subprocess
import sys

from jstui.sample_studies import DEFAULT_STUDY
from jstui.tui.screens.study import StudyScreen

from tests.tui.fake_session import FakeSession
from tests.tui.helpers import make_app, settle, until


async def test_the_first_refresh_starts_after_the_study_screen_is_drawn():
    drawn: list[str] = []
    seen_at_refresh: list[list[str]] = []

    class Session(FakeSession):
        def refresh(self):
            seen_at_refresh.append(list(drawn))
            return super().refresh()

    app = make_app(Session())
    real_display = app._display

    def display(screen, renderable):
        if renderable is not None:
            drawn.append(type(screen).__name__)
        return real_display(screen, renderable)

    app._display = display  # type: ignore[method-assign]  # what the driver would write, recorded
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert seen_at_refresh, "the app never refreshed"
        assert StudyScreen.__name__ in seen_at_refresh[0]


def test_opening_a_study_and_its_saved_snapshot_does_not_import_boto3(tmp_path):
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "import jstui.cli.tui, jstui.tui.app\n"
        "from jstui.engine.session import EngineSession, load\n"
        "s = EngineSession(load(Path(sys.argv[1])), Path(sys.argv[2]))\n"
        "s.snapshot()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'boto3'))\n"
        "s.close()\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(DEFAULT_STUDY), str(tmp_path / "home")],
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]"


async def test_the_heap_is_frozen_after_the_first_paint_and_after_the_first_refresh(monkeypatch):
    import gc

    from jstui.tui.app import JstuiApp

    moments: list[tuple[int, bool]] = []  # (refreshes the session had answered, the study screen drawn)
    session = FakeSession()
    app = JstuiApp(session, refresh_interval=None, log_interval=None, freeze_heap=True)
    app.freeze_settle_s = 3600.0  # the third moment (below) is not part of this test
    # recorded, not done: this test process runs many apps, and freezing would keep their garbage
    monkeypatch.setattr(gc, "freeze", lambda: moments.append(
        (len([c for c in session.calls if c[0] == "refresh"]), app.screen.__class__ is StudyScreen)))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("r")  # later refreshes freeze nothing more
        await settle(pilot)
        assert len([c for c in session.calls if c[0] == "refresh"]) == 2
    assert moments == [(0, True), (1, True)]


async def test_an_app_of_a_test_process_never_freezes_the_heap(monkeypatch):
    import gc

    frozen: list[int] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(1))
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
    assert frozen == []


async def test_the_heap_is_frozen_once_more_when_the_first_refresh_is_slow(monkeypatch):
    """A dead link: the first refresh never ends, but the clients it made are frozen all the same."""
    import asyncio
    import gc
    import threading

    from jstui.tui.app import JstuiApp

    release = threading.Event()

    class Hanging(FakeSession):
        def refresh(self):
            release.wait(60)  # a service that does not answer (released at the end of the test)
            return super().refresh()

    frozen: list[str] = []
    app = JstuiApp(Hanging(), refresh_interval=None, log_interval=None, freeze_heap=True)
    app.freeze_settle_s = 0.05
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(type(app.screen).__name__))
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await until(pilot, lambda: len(frozen) == 2, "the settled freeze")
            for _ in range(5):  # nothing more while the refresh hangs
                await pilot.pause()
                await asyncio.sleep(0.06)
            assert frozen == [StudyScreen.__name__, StudyScreen.__name__]
    finally:
        release.set()
