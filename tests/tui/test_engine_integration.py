"""The app on the real engine: EngineSession, boto3 over HTTP, the embedded emulator (fast clock),
a fresh journal. It offers to launch, launches on confirmation, and the table fills live."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

from textual.widgets import DataTable

from jstui.engine.session import EngineSession, load
from jstui.sample_studies import DEFAULT_STUDY, ROOT
from jstui.tui.app import JstuiApp
from jstui.tui.screens.confirm import ConfirmModal
from jstui.tui.screens.slices import SliceScreen
from jstui.tui.screens.study import StudyScreen
from jstui.tui.screens.tuning_job import TuningJobScreen

SPEED = 5000.0  # simulated seconds per wall second: the small models below end in a second or two
FAST_MODELS = 2  # the last two of the shipped study: the smallest mobilenets


def small_study(directory: Path) -> Path:
    head, *blocks = DEFAULT_STUDY.read_text(encoding="utf-8").split("[[models]]")
    head = head.replace('name = "caltech256"', 'name = "tui-it"', 1)
    head = re.sub(r"(?m)^speed = .*$", f"speed = {SPEED}", head)
    head = head.replace('"catalogs/caltech256.csv"', f'"{ROOT / "catalogs" / "caltech256.csv"}"')
    head = head.replace('jumpstart_metadata = "jumpstart"', f'jumpstart_metadata = "{ROOT / "jumpstart"}"')
    path = directory / "tui-it.toml"
    path.write_text(head + "".join("[[models]]" + b for b in blocks[-FAST_MODELS:]), encoding="utf-8")
    return path


async def wait_for(pilot, condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.pause(0.1)


async def test_launch_and_watch_on_the_embedded_emulator(tmp_path):
    study = load(small_study(tmp_path))
    session = EngineSession(study, tmp_path / "home")
    app = JstuiApp(session, refresh_interval=0.2, log_interval=0.2)
    names = [c.name for c in study.candidates]
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            # pushed, then mounted: its on_mount focuses a button (the first thing focused in it)
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal) and app.focused is not None
                           and app.focused.screen is app.screen, 20, "the launch offer, mounted")
            assert app.focused.id == "cancel"
            await pilot.press("tab", "enter")  # Launch
            await wait_for(pilot, lambda: isinstance(app.screen, StudyScreen), 5, "the study screen")
            table = app.screen.query_one(DataTable)
            await wait_for(pilot, lambda: sorted(app.screen.visible_candidates()) == sorted(names), 20, "rows")
            await wait_for(
                pilot, lambda: all(r.status == "Completed" for r in app.snapshot.tuning_jobs)
                and len(app.snapshot.tuning_jobs) == len(names), 40, "the tuning jobs to complete")
            await wait_for(pilot, lambda: "Completed" in table.get_cell(names[0], "status").plain, 5, "the table")
            assert "connected" in str(app.screen.query_one("#header").content)
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, TuningJobScreen), 5, "the tuning-job screen")
            await wait_for(pilot, lambda: app.screen.query_one("#training-jobs", DataTable).row_count == 2, 10,
                           "its two training jobs")
            await wait_for(pilot, lambda: len(app.screen.log_lines()) > 3, 10, "the log")
            assert any("Epoch" in line or "accuracy" in line for line in app.screen.log_lines())
            await pilot.press("v")  # the slice view: its axis from the tuning job's ParameterRanges
            await wait_for(pilot, lambda: isinstance(app.screen, SliceScreen), 5, "the slice view")
            current = app.screen.current()
            assert current is not None and (current.name, current.scale) == ("learning_rate", "Categorical")
            assert len(current.points) == 2 and len(current.categories) == 2
            await pilot.press("escape")
            await pilot.press("escape", "q")
            await asyncio.sleep(0)
    finally:
        session.close()
