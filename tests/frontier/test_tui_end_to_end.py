"""Issue 7's "done when", keyboard only, in the real app on a finished study on the emulator:
walk the frontier, `d`, confirm, the endpoint reaches InService and answers the sample image;
delete it from the endpoints screen and it is gone from ListEndpoints."""

from __future__ import annotations

import asyncio

from jstui.aws import hosting
from jstui.engine.session import EngineSession, load
from jstui.tui.app import JstuiApp
from jstui.tui.deploy import DeployModal
from jstui.tui.endpoints import EndpointsScreen
from jstui.tui.frontier import FrontierScreen
from textual.widgets import Button, Static


async def wait_for(pilot, condition, timeout_s=30.0):
    waited = 0.0
    while not condition():
        assert waited < timeout_s, "timed out"
        await asyncio.sleep(0.1)
        await pilot.pause()
        waited += 0.1


async def test_keyboard_only_deploy_and_delete(finished):
    study_path, home = finished
    session = EngineSession(load(study_path), home)
    app = JstuiApp(session, refresh_interval=0.2, log_interval=None)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("f")
            await wait_for(pilot, lambda: isinstance(app.screen, FrontierScreen))
            frontier = app.screen
            await pilot.press("right")
            pick = frontier.selected_row.candidate
            await pilot.press("d")
            await wait_for(pilot, lambda: isinstance(app.screen, DeployModal) and app.screen.phase == "ready")
            modal = app.screen
            assert modal.candidate == pick and app.focused is modal.query_one("#cancel", Button)
            await pilot.press("tab", "enter")  # Cancel is focused: move to Deploy and press it
            await wait_for(pilot, lambda: modal.phase == "done", timeout_s=60)
            progress = str(modal.query_one("#deploy-progress", Static).render())
            assert "InService" in progress and "Sample image →" in progress, progress
            name = modal.endpoint_name
            await pilot.press("escape", "escape")
            await pilot.press("e")
            await wait_for(pilot, lambda: isinstance(app.screen, EndpointsScreen))
            screen = app.screen
            await wait_for(pilot, lambda: screen._selected() is not None and screen._selected().name == name)
            await pilot.press("ctrl+d")
            await pilot.pause()
            await pilot.press("tab", "enter")
            await wait_for(pilot, lambda: all(k.value != name for k in screen.query_one("DataTable").rows))
            assert name not in hosting.list_endpoint_summaries(session.clients.sagemaker)
    finally:
        session.close()
