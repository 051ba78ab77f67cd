"""Compare (issue 19 item 4): space marks candidates, C opens them side by side, differences marked."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from jstui.tui.screens.compare import DIFFERS, CompareScreen, compare_rows
from jstui.tui.screens.curves import CurvesScreen

from tests.tui.fake_session import FakeSession
from tests.tui.helpers import make_app, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


async def mark_and_compare(pilot) -> None:
    await settle(pilot)
    await pilot.press("space", "space", "down", "space")  # mobilenet, effv2-m, resnet-50 (space moves down)
    await pilot.press("C")
    await settle(pilot)
    pilot.app.clear_notifications()  # the marking toasts: the picture is of the comparison
    await pilot.pause()


def test_facts_that_differ_are_told_from_those_that_do_not():
    snap = FakeSession().snapshot()
    rows = [r for r in snap.tuning_jobs if r.candidate in ("mobilenet-v2-100-224", "effv2-m")]
    facts = dict(compare_rows(rows))
    assert facts["best objective"] == ["0.8412", "0.9101"]
    assert len(set(facts["instance"])) == 1  # both on the same instance type: not a difference
    assert facts["hp learning_rate"] == ["0.001", "0.001"]


async def test_marked_candidates_open_side_by_side_and_their_curves_overlay():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await mark_and_compare(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, CompareScreen)
        assert screen.candidates == ["mobilenet-v2-100-224", "effv2-m", "resnet-50"]
        table = screen.query_one("#compare-table")
        best = table.get_row("best objective")
        assert best[0] == DIFFERS and [c.plain for c in best[2:]] == ["0.8412", "0.9101", "0.7710"]
        assert table.get_row("instance")[0] == ""
        await pilot.press("c")
        await settle(pilot)
        curves = pilot.app.screen
        assert isinstance(curves, CurvesScreen)
        assert [j.candidate for j in curves._shown] == ["mobilenet-v2-100-224", "effv2-m", "resnet-50"]
        assert all(j.is_best for j in curves._shown)


async def test_compare_needs_two_marked():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("space", "C")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, CompareScreen)
        await pilot.press("up", "space")  # unmark
        assert pilot.app.screen.marked == []


@pytest.mark.parametrize("size", SIZES)
def test_compare_snapshot(snap_compare, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=mark_and_compare)


async def test_the_facts_stay_in_view_while_the_candidates_scroll():
    app = make_app()
    async with app.run_test(size=(60, 24)) as pilot:  # narrower than three candidates' columns
        await mark_and_compare(pilot)
        table = pilot.app.screen.query_one(DataTable)
        await pilot.press(*["right"] * 12)
        await pilot.pause(0.5)  # the scroll animates
        assert table.scroll_x > 0
        first = table.render_line(1).text  # the first fact, under the headings
        assert "status" in first and "✓ Completed" not in first  # mobilenet's column scrolled out, the fact kept
