"""The deploy modal and the endpoints screen over a fake session: pictures at 80x24 and 120x40,
and the flows (deploy to InService with the smoke answer, Failed with its reason, invalid names,
delete with cancel and confirm, readonly)."""

from __future__ import annotations

from jstui.tui.deploy import DeployModal
from jstui.tui.endpoints import EndpointsScreen
from jstui.tui.frontier import FrontierScreen
from textual.widgets import Button, DataTable, Input, Static

from tests.frontier.apps import ScreenHost
from tests.frontier.fake_session import FakeSession


def deploy_host(session=None):
    return ScreenHost(lambda s: DeployModal(s, "efficientnet-b5"), session)


async def until_ready(pilot):
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def until(pilot, condition, timeout_s: float = 10.0):
    """Wait on the app's own timers (the modal polls snapshots), never a fixed sleep."""
    waited = 0.0
    while not condition():
        assert waited < timeout_s, "timed out"
        await pilot.pause(0.05)
        await pilot.app.workers.wait_for_complete()
        waited += 0.05


def text_of(screen, selector) -> str:
    return str(screen.query_one(selector, Static).render())


def test_deploy_modal_snapshot_80x24(snap_compare):
    assert snap_compare(deploy_host(), terminal_size=(80, 24), run_before=until_ready)


def test_deploy_modal_snapshot_120x40(snap_compare):
    assert snap_compare(deploy_host(), terminal_size=(120, 40), run_before=until_ready)


def test_endpoints_snapshot_80x24(snap_compare):
    assert snap_compare(ScreenHost(EndpointsScreen), terminal_size=(80, 24))


def test_endpoints_snapshot_120x40(snap_compare):
    assert snap_compare(ScreenHost(EndpointsScreen), terminal_size=(120, 40), press=["down"])


async def test_cancel_is_focused_and_enter_deploys_nothing():
    session = FakeSession()
    app = deploy_host(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await until_ready(pilot)
        assert app.focused is app.screen.query_one("#cancel", Button)
        await pilot.press("enter")
        assert not any(c[0] == "deploy" for c in session.calls)
        assert not isinstance(app.screen, DeployModal)


async def test_deploy_follows_to_in_service_and_shows_the_smoke_answer():
    session = FakeSession()
    app = deploy_host(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await until_ready(pilot)
        modal = app.screen
        defaults = session.deploy_defaults("efficientnet-b5")
        assert modal.query_one("#deploy-name", Input).value == defaults.endpoint_name
        assert "$0.74/hour" in text_of(modal, "#deploy-price")
        await pilot.click("#deploy")
        await until_ready(pilot)
        assert ("deploy", "efficientnet-b5", defaults.endpoint_name, "ml.g4dn.xlarge", 1) in session.calls
        session.set_endpoint_status(defaults.endpoint_name, "InService")
        await until(pilot, lambda: modal.phase == "done")
        assert ("smoke_invoke", defaults.endpoint_name) in session.calls
        assert "257.clutter" in text_of(modal, "#deploy-progress")


async def test_failed_endpoint_shows_its_reason():
    session = FakeSession()
    app = deploy_host(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await until_ready(pilot)
        await pilot.click("#deploy")
        await until_ready(pilot)
        name = app.screen.endpoint_name
        session.set_endpoint_status(name, "Failed", failure_reason="model data not found")
        await until(pilot, lambda: app.screen.phase == "done")
        assert "model data not found" in text_of(app.screen, "#deploy-problem")
        assert not any(c[0] == "smoke_invoke" for c in session.calls)


async def test_invalid_or_taken_name_disables_deploy():
    session = FakeSession()
    app = deploy_host(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await until_ready(pilot)
        modal = app.screen
        box = modal.query_one("#deploy-name", Input)
        box.value = "bad name!"
        await pilot.pause()
        assert modal.query_one("#deploy", Button).disabled
        assert "letters, digits and hyphens" in text_of(modal, "#deploy-problem")
        box.value = session.snapshot().endpoints[0].name
        await pilot.pause()
        assert "already exists" in text_of(modal, "#deploy-problem")
        box.value = "fine-name"
        modal.query_one("#deploy-count", Input).value = "3"
        await pilot.pause()
        assert not modal.query_one("#deploy", Button).disabled
        assert "$2.21/hour" in text_of(modal, "#deploy-price")  # 3 × 0.7364


async def test_delete_asks_first_cancel_keeps_confirm_deletes():
    session = FakeSession()
    app = ScreenHost(EndpointsScreen, session)
    async with app.run_test(size=(100, 30)) as pilot:
        first = session.snapshot().endpoints[0].name
        await pilot.press("ctrl+d")
        await pilot.press("enter")  # Cancel is focused
        await until_ready(pilot)
        assert not any(c[0] == "delete_endpoint" for c in session.calls)
        await pilot.press("ctrl+d")
        await pilot.press("tab", "enter")  # to Delete, press it
        await until_ready(pilot)
        await pilot.pause()
        assert ("delete_endpoint", first) in session.calls
        table = app.screen.query_one(DataTable)
        assert first not in [k.value for k in table.rows]


async def test_readonly_removes_delete_and_deploy():
    session = FakeSession(readonly=True)
    app = ScreenHost(EndpointsScreen, session)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert isinstance(app.screen, EndpointsScreen)
    app = deploy_host(FakeSession(readonly=True))
    async with app.run_test(size=(100, 30)) as pilot:
        await until_ready(pilot)
        assert app.screen.query_one("#deploy", Button).disabled
        assert not any(c[0] == "deploy_defaults" for c in app.session.calls)


async def test_d_on_the_frontier_opens_the_modal_for_the_selected_point():
    session = FakeSession()
    app = ScreenHost(FrontierScreen, session)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("right", "d")
        await until_ready(pilot)
        assert isinstance(app.screen, DeployModal)
        front = [r.candidate for r in app.screen_stack[-2].result.rows]
        assert app.screen.candidate == front[1]


async def test_endpoints_screen_follows_snapshots_and_keeps_the_cursor():
    session = FakeSession()
    app = ScreenHost(EndpointsScreen, session)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await pilot.press("down")
        table = screen.query_one(DataTable)
        selected = screen._selected().name
        session.set_endpoint_status("new-endpoint", "Creating", candidate="resnet-50")
        screen.update_snapshot(session.snapshot())
        await pilot.pause()
        assert "new-endpoint" in [k.value for k in table.rows]
        assert screen._selected().name == selected


def test_deploy_modal_snapshot_answered_80x24(snap_compare):
    session = FakeSession()

    async def deploy_and_answer(pilot):
        await until_ready(pilot)
        await pilot.click("#deploy")
        await until_ready(pilot)
        session.set_endpoint_status(pilot.app.screen.endpoint_name, "InService")
        await until(pilot, lambda: pilot.app.screen.phase == "done")
        await pilot.pause()

    assert snap_compare(deploy_host(session), terminal_size=(80, 24), run_before=deploy_and_answer)


async def test_endpoints_running_longer_than_the_warning_time_are_marked():
    from dataclasses import replace

    from jstui.domain.model import Budget

    from tests.frontier.fake_session import demo_study

    session = FakeSession(study=replace(demo_study(), budget=Budget(endpoint_warn_hours=1.0)))
    app = ScreenHost(EndpointsScreen, session)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        summary = str(screen.query_one("#endpoints-summary", Static).render())
        assert "⚠ 1 running longer than 1 h" in summary  # the InService one (1h30m); not the Failed one
        table = screen.query_one(DataTable)
        ages = {k.value: str(table.get_cell(k, "age")) for k in table.rows}
        assert ages["demo-efficientnet-b5"].startswith("⚠") and not ages["demo-swin-large"].startswith("⚠")
