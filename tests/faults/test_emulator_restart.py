"""The service dies mid-study and comes back: a standalone `jstui emulator` is killed with SIGKILL
and restarted on the same state and port while jobs run and candidates wait in the queue. The
headless poller (`launch --wait`) and the TUI recover by themselves: their connection state goes
retrying/offline, then ok, and the final snapshot holds every job once (the engine suite restarts
an embedded emulator between two sessions; here the process attached to it lives through the
outage)."""

from __future__ import annotations

import asyncio
import subprocess
import time

import pytest

from jstui.engine.session import EngineSession, load

from tests.faults.conftest import fast_study
from tests.faults.service import REPO, EmulatorProcess, assert_nothing_lost, clock, jstui_cmd, service_view

SPEED = 4000.0  # as tests/engine's FAST_SPEED: these small models end in a second or two
NOT_OK = ("retrying", "offline")


@pytest.fixture
def standalone(tmp_path):
    emu = EmulatorProcess(tmp_path, SPEED).start()
    yield emu
    emu.stop()


def _wait(condition, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_launch_wait_rides_out_a_killed_emulator(tmp_path, standalone):
    study_path = fast_study(tmp_path, name="rst", models=4, parallel_tuning_jobs=2)
    study = load(study_path)
    home = tmp_path / "home"
    err = tmp_path / "launch.stderr"
    # Simulated time stands still until the emulator is back: the first wave cannot end (and the third
    # candidate cannot launch) however slowly this machine reaches the kill.
    clock(standalone.url, paused=True)
    with open(err, "w", encoding="utf-8") as stderr:
        proc = subprocess.Popen(
            jstui_cmd("--home", str(home), "--endpoint-url", standalone.url, "launch", str(study_path), "--yes", "--wait"),
            cwd=REPO, stdout=subprocess.DEVNULL, stderr=stderr,
        )

    def lines() -> list[str]:
        return err.read_text(encoding="utf-8").splitlines()

    try:
        # Kill once it waits on the study: the first wave launched and its first progress line out
        _wait(lambda: any(" InProgress" in line for line in lines()), 60, "the first progress line")
        assert len(service_view(standalone.url, study)) == 2 and proc.poll() is None
        standalone.kill()
        _wait(lambda: any(s in lines()[-1] for s in NOT_OK), 60, "launch --wait to report the outage")
        standalone.start()
        assert clock(standalone.url, paused=False)["paused"] is False  # the restart kept it paused: run on
        rc = proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    out = lines()
    assert rc == 0, out[-5:]
    outage = max(i for i, line in enumerate(out) if any(s in line for s in NOT_OK))
    assert outage < len(out) - 1 and not any(s in out[-1] for s in NOT_OK), out  # then ok again
    assert "4 Completed" in out[-1] and "8/8 training jobs ended" in out[-1], out[-1]
    with EngineSession(study, home, endpoint_url=standalone.url) as session:
        snap = session.refresh(strict=True)
    assert_nothing_lost(snap, standalone.url, study)
    assert snap.counts_by_status() == {"Completed": 4}


async def test_the_tui_rides_out_a_killed_emulator(tmp_path, standalone):
    from jstui.tui.app import JstuiApp
    from jstui.tui.screens.study import StudyScreen

    study = load(fast_study(tmp_path, name="tuirst", models=3, parallel_tuning_jobs=2))
    # Simulated time stands still until the emulator is back: the first wave is still running when the
    # kill lands, however slowly this machine gets there (else the outage could meet a finished study,
    # or only the queued candidate's Create with its backed-off retries).
    clock(standalone.url, paused=True)
    session = EngineSession(study, tmp_path / "home", endpoint_url=standalone.url)
    session.launch()  # two launched, one queued: the TUI launches it when a slot frees
    app = JstuiApp(session, refresh_interval=0.2, log_interval=None)
    seen: list[str] = []  # connection states, and the header's words, in the order they showed

    def header() -> str:
        screen = app.screen
        return str(screen.query_one("#header").content) if isinstance(screen, StudyScreen) else ""

    async def until(pilot, condition, timeout_s: float, what: str) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            state = app.snapshot.connection.state
            if not seen or seen[-1] != state:
                seen.append(state)
            if condition():
                return
            assert time.monotonic() < deadline, f"timed out waiting for {what}; states {seen}"
            await pilot.pause(0.05)

    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await until(pilot, lambda: app.snapshot.connection.state == "ok" and "connected" in header(), 60,
                        "the first refresh")
            standalone.kill()
            await until(pilot, lambda: app.snapshot.connection.state in NOT_OK
                        and any(s in header() for s in NOT_OK), 90, "the header to show the outage")
            await asyncio.to_thread(standalone.start)
            assert clock(standalone.url, paused=False)["paused"] is False  # kept paused across the restart
            await until(pilot, lambda: session.all_terminal() and app.snapshot.connection.state == "ok"
                        and len(app.snapshot.tuning_jobs) == 3
                        and all(r.status == "Completed" for r in app.snapshot.tuning_jobs), 120, "the study to end")
            await until(pilot, lambda: "connected" in header(), 30, "the header to say connected")
            snap = app.snapshot
            await pilot.press("q")
    finally:
        session.close()
    assert seen.index("ok") < max(seen.index(s) for s in NOT_OK if s in seen) < len(seen) - 1 and seen[-1] == "ok", seen
    assert_nothing_lost(snap, standalone.url, study)


def _record_botocore_sleeps(monkeypatch) -> list[float]:
    """The retry waits botocore's endpoint asks for from now on (each still slept)."""
    import botocore.endpoint

    slept: list[float] = []

    class Recording:
        def sleep(self, seconds: float) -> None:
            slept.append(seconds)
            time.sleep(seconds)

        def __getattr__(self, name):
            return getattr(time, name)

    monkeypatch.setattr(botocore.endpoint, "time", Recording())
    return slept


def test_an_outage_when_a_slot_frees_shows_at_once_and_the_queue_resumes(tmp_path, standalone, monkeypatch):
    """The service dies after the first wave ended but before the engine launched the queued model:
    the next refresh reports the outage within seconds instead of sitting for minutes in the
    Create's 20 backed-off attempts (while the screen still said "connected")."""
    study = load(fast_study(tmp_path, name="slot", models=3, parallel_tuning_jobs=2))
    with EngineSession(study, tmp_path / "home", endpoint_url=standalone.url) as session:
        session.launch()
        _wait(lambda: sorted(v["status"] for v in service_view(standalone.url, study).values()) == ["Completed"] * 2,
              30, "the first wave to end")
        # another attached jstui (read-only: it never launches) journals that the first wave ended
        with EngineSession(study, tmp_path / "home", endpoint_url=standalone.url, readonly=True) as observer:
            assert observer.refresh(strict=True).counts_by_status() == {"Completed": 2, "Queued": 1}
        standalone.kill()
        slept = _record_botocore_sleeps(monkeypatch)
        snap = session.refresh()
        # what botocore chose to wait (its backoff), not how long this machine took: a few seconds,
        # not the minutes of a Create's 20 backed-off attempts
        assert sum(slept) < 10, slept
        monkeypatch.undo()
        assert snap.connection.state in NOT_OK and snap.counts_by_status().get("Queued") == 1
        standalone.start()
        _wait(lambda: session.refresh().connection.state == "ok" and session.all_terminal(), 60, "the study to end")
        snap = session.snapshot()
    assert_nothing_lost(snap, standalone.url, study)
    assert snap.counts_by_status() == {"Completed": 3}
