"""Progress and ETA per running training job (issue 19 item 3) on the tuning job's table: `ep n/N`
from the followed job's log, else the share of its expected time, and its ETA, all from the plan's
estimator (jstui.domain.estimate); and the ETA line keeps the candidate's time at 80 columns."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from rich.text import Text

from jstui.domain import estimate
from jstui.domain.curves import Progress
from jstui.tui import format as fmt
from jstui.tui.progress import expected_job_seconds, job_progress
from jstui.tui.screens.tuning_job import TuningJobScreen
from jstui.tui.widgets.eta_line import EtaLine

from tests.tui.fake_session import T0, FakeSession, make_snapshot, tuning_job_name
from tests.tui.helpers import make_app, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
EFF = tuning_job_name("effv2-m")
RUNNING = f"{EFF}-002-e5f6a7b8"
ELAPSED = 200.0


def fresh_snapshot():
    """effv2-m's running job started ELAPSED seconds ago (the fixture's has overrun its expected time)."""
    snap = make_snapshot()
    jobs = tuple(dataclasses.replace(t, started_at=T0 - timedelta(seconds=ELAPSED)) if t.training_job_name == RUNNING
                 else t for t in snap.training_jobs)
    return dataclasses.replace(snap, training_jobs=jobs)


def test_the_expected_time_is_the_estimators():
    snap = fresh_snapshot()
    row = next(r for r in snap.tuning_jobs if r.candidate == "effv2-m")
    planned = next(p for p in snap.planned if p.candidate == "effv2-m")
    done = [t.billable_seconds for t in snap.training_jobs if t.status == "Completed" and not t.cost_is_estimate]
    assert expected_job_seconds(snap, "effv2-m") == estimate.expected_job_seconds(
        snap.training_jobs_of(row.tuning_job_name), planned, sum(done) / len(done))


def test_progress_says_epoch_or_share_and_the_time_left():
    snap = fresh_snapshot()
    job = next(t for t in snap.training_jobs if t.training_job_name == RUNNING)
    per_job = expected_job_seconds(snap, "effv2-m")
    left = per_job - ELAPSED
    share = f"~{100 * ELAPSED / per_job:.0f}%"
    assert job_progress(job, per_job, T0, None) == f"{share} · ~{fmt.duration(left)} left"
    assert job_progress(job, per_job, T0, None, short=True) == f"{share} · {fmt.duration(left)}"
    assert job_progress(job, per_job, T0, Progress(epoch=2, epochs=5), short=True) == f"ep 2/5 · {fmt.duration(left)}"
    assert job_progress(job, None, T0, None) == "ETA unknown"
    ended = dataclasses.replace(job, status="Completed")
    assert job_progress(ended, per_job, T0, Progress(epoch=5, epochs=5)) == "epoch 5 of 5"
    assert job_progress(ended, per_job, T0, None, short=True) == ""


def _progress_cell(screen: TuningJobScreen, job: str) -> str:
    table = screen.table
    cell = table.get_cell(job, "progress")
    return cell.plain if isinstance(cell, Text) else str(cell)


async def test_the_tuning_jobs_table_shows_each_running_jobs_progress_and_eta():
    session = FakeSession(fresh_snapshot())
    session.log_lines[RUNNING] = ["Epoch 1/5", "- val_accuracy: 0.61", "Epoch 2/5"]
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("j", "enter")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, TuningJobScreen)
        snap = session.snapshot()
        left = fmt.duration(expected_job_seconds(snap, "effv2-m") - ELAPSED)
        assert _progress_cell(screen, RUNNING).endswith(f"· {left}")
        assert "%" in _progress_cell(screen, RUNNING)  # not followed yet: the share of its expected time
        assert _progress_cell(screen, f"{EFF}-001-a1b2c3d4") == ""  # completed
        await pilot.press("j")  # follow the running job: its log names the epoch
        await settle(pilot)
        assert _progress_cell(screen, RUNNING) == f"ep 2/5 · {left}"


async def test_the_eta_line_keeps_the_candidates_time_when_its_name_does_not_fit():
    session = FakeSession(fresh_snapshot())
    app = make_app(session)
    async with app.run_test(size=(64, 24)) as pilot:  # the fixture's names are short: 80 columns hold them
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        line = pilot.app.screen.query_one(EtaLine)
        line.show_eta()
        shown = str(line.render())
        assert "selected: ~" in shown and "effv2-m:" not in shown and len(shown) <= 64
    app = make_app(FakeSession(fresh_snapshot()))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        line = pilot.app.screen.query_one(EtaLine)
        line.show_eta()
        assert "effv2-m: ends in ~" in str(line.render())


@pytest.mark.parametrize("size", SIZES)
def test_tuning_job_progress_snapshot(snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("j", "enter")
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)

    session = FakeSession(fresh_snapshot())
    session.log_lines[RUNNING] = ["Epoch 1/5", "- val_accuracy: 0.61", "Epoch 2/5"]
    assert snap_compare(make_app(session), terminal_size=size, run_before=run_before)


async def test_the_progress_column_goes_once_every_job_ended():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # mobilenet-v2-100-224: both jobs completed
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, TuningJobScreen)
        assert "progress" not in [str(k.value) for k in screen.table.columns]
        assert "hp.batch_size" in [str(k.value) for k in screen.table.columns]
