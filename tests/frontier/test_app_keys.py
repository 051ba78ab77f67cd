"""The real app over the fake session: `f`, `e` and `d` reach this area's screens, enter on a
frontier point opens its tuning job, and snapshots published by the app reach the screens."""

from __future__ import annotations

from jstui.tui.app import JstuiApp
from jstui.tui.deploy import DeployModal
from jstui.tui.endpoints import EndpointsScreen
from jstui.tui.frontier import FrontierScreen

from tests.frontier.fake_session import FakeSession


def app_over(session):
    return JstuiApp(session, refresh_interval=None, log_interval=None)


async def test_f_opens_the_frontier_and_enter_opens_the_tuning_job():
    app = app_over(FakeSession())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, FrontierScreen)
        chosen = app.screen.selected_row.candidate
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "TuningJobScreen"
        assert app.screen.candidate == chosen
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, FrontierScreen)


async def test_e_opens_endpoints_and_app_snapshots_reach_it():
    session = FakeSession()
    app = app_over(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, EndpointsScreen)
        session.set_endpoint_status("fresh-one", "Creating", candidate="resnet-50")
        app.start_refresh()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "fresh-one" in [k.value for k in screen.query_one("DataTable").rows]


async def test_d_on_the_study_screen_opens_the_deploy_modal():
    app = app_over(FakeSession())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("d")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, DeployModal)


async def test_the_study_header_warns_while_an_endpoint_runs():
    session = FakeSession()  # one InService endpoint, one Failed
    app = app_over(session)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        header = str(app.screen.query_one("StudyHeader").render())
        assert "⚠ 1 endpoint running $0.74/h" in header
        for e in session.snapshot().endpoints:
            session.delete_endpoint(e.name)
        app.start_refresh()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "endpoint" not in str(app.screen.query_one("StudyHeader").render())
