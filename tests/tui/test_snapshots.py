"""Snapshot tests: every screen and modal at 80x24 and 120x40, on fixed data and a fake clock.

Update after a deliberate change with `pytest tests/tui --snapshot-update`, then look at the SVGs."""

from __future__ import annotations

import pytest

from jstui.domain.snapshot import ConnectionState

from jstui.tui.app import JstuiApp

from tests.tui.fake_session import FakeSession, make_snapshot
from tests.tui.helpers import make_app, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.mark.parametrize("size", SIZES)
def test_study_screen(snap_compare, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_study_screen_filtered_and_sorted(snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("slash", *"eff", "enter", "4", "4")  # filter, then sort by the 4th column, reversed

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_study_screen_filter_box_open(snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("slash", *"^res|inc")

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_study_screen_connection_retrying(snap_compare, size):
    snap = make_snapshot(connection=ConnectionState(
        state="retrying", retry_in_s=8, message="Could not connect to the endpoint URL: http://127.0.0.1:4711/"))
    assert snap_compare(make_app(FakeSession(snap)), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_study_screen_readonly(snap_compare, size):
    assert snap_compare(make_app(FakeSession(readonly=True)), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_tuning_job_screen(snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("j", "enter")  # effv2-m: one completed, one running
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_tuning_job_screen_failed_logs_full(snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("j", "j", "l")  # effv2-m-fixed-lr: failed, log pane full size
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_stop_confirmation(snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("j", "x")

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_retry_confirmation(snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("j", "j", "R")

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_launch_offer_on_a_new_study(snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)

    assert snap_compare(make_app(FakeSession(launched=False)), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_help_screen(snap_compare, size, monkeypatch):
    # the frontier/endpoints/deploy screens' keys belong to their own tests (the pilot test checks
    # they are listed); left out here so a change of theirs does not redraw this picture
    monkeypatch.setattr(JstuiApp, "_optional_screens", staticmethod(lambda: []))

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("question_mark")

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)
