"""Filter by status and metric (issue 19 item 5): status:, is:front and metric comparisons in the `/` box."""

from __future__ import annotations

import pytest

from jstui.domain.frontier import frontier_table
from jstui.tui.filtering import row_matcher

from tests.tui.fake_session import FakeSession
from tests.tui.helpers import make_app, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def shown(text: str, front: set[str] | None = None) -> list[str]:
    rows = FakeSession().snapshot().rows_with_plan()
    match = row_matcher(text, lambda: front or set())
    return [r.candidate for r in rows if match(r)]


def test_status_words_metrics_and_names_combine():
    rows = FakeSession().snapshot().rows_with_plan()
    assert shown("status:failed") == [r.candidate for r in rows if r.status == "Failed"]
    assert shown("status:failed,stopped") == [r.candidate for r in rows if r.status in ("Failed", "Stopped")]
    assert shown("status:inprog") == ["effv2-m"]
    assert shown("best>0.8") == [r.candidate for r in rows if r.best_objective is not None and r.best_objective > 0.8]
    assert shown("test_accuracy>=0.9") == ["effv2-m"]
    assert shown("eff spend<1") == ["effv2-m-fixed-lr"]  # a name word and a metric word: both hold
    assert shown("is:front", {"effv2-m"}) == ["effv2-m"]
    assert shown("net(") == []  # not a filter word, not a regex: a substring, as before


async def test_the_box_filters_the_table_to_the_front():
    session = FakeSession()
    front = {r.candidate for r in frontier_table(session.snapshot(), session.study.frontier).rows}
    assert front  # the fixed data has a front
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"is:front", "enter")
        assert set(pilot.app.screen.visible_candidates()) == front
        await pilot.press("escape", "slash", *"status:failed", "enter")
        assert pilot.app.screen.visible_candidates() == ["effv2-m-fixed-lr"]


@pytest.mark.parametrize("size", SIZES)
def test_status_filter_snapshot(snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("slash", *"status:failed,stopped", "enter")

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)
