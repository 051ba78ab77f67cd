"""The frontier screen: pictures at 80x24 and 120x40, and the keys that walk, open and toggle."""

from __future__ import annotations

from dataclasses import replace

from jstui.domain.frontier import frontier_table
from jstui.domain.model import FrontierSettings
from jstui.tui.frontier import FrontierScreen, format_value
from textual.widgets import DataTable

from tests.frontier.apps import ScreenHost
from tests.frontier.fake_session import DEMO_COSTS, DEMO_MODELS, FakeSession, demo_study
from tests.frontier.fixtures import snapshot_of


def host(session=None):
    return ScreenHost(FrontierScreen, session)


def test_snapshot_80x24(snap_compare):
    assert snap_compare(host(), terminal_size=(80, 24))


def test_snapshot_120x40_after_walking_right(snap_compare):
    assert snap_compare(host(), terminal_size=(120, 40), press=["right", "right"])


def test_snapshot_120x40_relative_mode(snap_compare):
    session = FakeSession(study=demo_study(FrontierSettings(base="efficientnet-b5")))
    assert snap_compare(host(session), terminal_size=(120, 40))


async def test_left_right_walk_the_front_with_table_cursor_and_marker():
    app = host()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, FrontierScreen)
        front = [r.candidate for r in screen.result.rows]
        assert len(front) >= 3
        table = screen.query_one(DataTable)
        await pilot.press("right", "right")
        assert screen.selected_row.candidate == front[2]
        assert table.cursor_row == 2
        await pilot.press("left", "left", "left", "left")  # stops at the first point
        assert screen.selected == 0 and table.cursor_row == 0
        await pilot.press("down")  # the table cursor drives the marker too
        assert screen.selected == 1
        await pilot.press("enter")
        assert app.opened == [front[1]]


async def test_live_update_keeps_the_selected_model():
    session = FakeSession()
    app = host(session)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await pilot.press("right")
        chosen = screen.selected_row.candidate
        # A new, more accurate and faster model lands in front of everything.
        models = dict(DEMO_MODELS, **{"new-star": {"test_accuracy": 0.99, "test_throughput": 100.0}})
        screen.update_snapshot(snapshot_of(models, costs=DEMO_COSTS))
        await pilot.pause()
        assert screen.selected_row is not None
        assert [r.candidate for r in screen.result.rows] == ["new-star"]
        screen.update_snapshot(session.snapshot())
        await pilot.pause()
        assert screen.selected_row.candidate == screen.result.rows[0].candidate
        assert chosen in [r.candidate for r in screen.result.rows]


async def test_palette_entries_change_axes_and_log_x():
    app = host()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        titles = {t: cb for t, cb, _ in screen.command_entries()}
        assert "Frontier x axis: test_top_5_accuracy" in titles
        assert "Frontier x axis: cost_usd" in titles
        titles["Frontier x axis: cost_usd"]()
        await pilot.pause()
        assert screen.settings.x == "cost_usd"
        expected = frontier_table(app.session.snapshot(), replace(FrontierSettings(), x="cost_usd"))
        assert [r.candidate for r in screen.result.rows] == [r.candidate for r in expected.rows]
        await pilot.press("g")
        assert screen.log_x is True


async def test_readonly_hides_deploy():
    app = host(FakeSession(readonly=True))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("d")
        assert isinstance(app.screen, FrontierScreen)
        assert not any(t.startswith("Deploy") for t, _, _ in app.screen.command_entries())


def test_format_value_units_of_seed_000():
    assert format_value("num_params", 195.6e6) == "195.6M"
    assert format_value("test_accuracy", 0.964) == "96.4%"
    assert format_value("cost_usd", 3.5) == "$3.50"
    assert format_value("test_throughput", None) == "–"
    assert format_value("train_epoch_duration", 2278.6) == "2,279"


async def test_resize_brings_back_the_columns_a_narrow_terminal_dropped():
    app = host()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        narrow = [str(c.label) for c in screen.query_one(DataTable).columns.values()]
        await pilot.resize_terminal(140, 40)
        await pilot.pause()
        wide = [str(c.label) for c in screen.query_one(DataTable).columns.values()]
        assert "Model" in narrow and "Cost" in narrow
        assert set(narrow) < set(wide)  # Top-5 and s/epoch come back


async def test_a_study_with_nothing_finished_shows_why():
    session = FakeSession(snapshot=snapshot_of({"a": None, "b": {"test_accuracy": 0.5}}))
    app = host(session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await pilot.press("right", "enter", "g")
        assert screen.result.rows == () and app.opened == []
        summary = str(screen.query_one("#frontier-summary").render())
        assert "no test_throughput" in summary and "no best training job yet" in summary
