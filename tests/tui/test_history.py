"""Study history (issue 19 item 2): best objective so far against training jobs completed."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from jstui.domain.history import best_so_far, histories
from jstui.tui.screens.history import HistoryScreen

from tests.tui.fake_session import T0, FakeSession
from tests.tui.helpers import make_app, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def test_best_so_far_follows_the_order_jobs_ended_and_the_direction():
    job = next(t for t in FakeSession().snapshot().training_jobs if t.status == "Completed")
    values = [0.5, 0.7, 0.6, 0.9]
    jobs = [dataclasses.replace(job, training_job_name=f"j{i}", objective=v, ended_at=T0 + timedelta(minutes=10 - i))
            for i, v in enumerate(values)]  # the last listed ended first
    ended_order = list(reversed(values))
    expected_max = [max(ended_order[:n]) for n in range(1, 5)]
    assert best_so_far(jobs, "Maximize") == list(enumerate(expected_max, 1))
    assert [v for _, v in best_so_far(jobs, "Minimize")] == [min(ended_order[:n]) for n in range(1, 5)]
    running = dataclasses.replace(job, status="InProgress", objective=None)
    assert best_so_far([running], "Maximize") == []


def test_the_study_line_only_when_candidates_share_an_objective():
    snap = FakeSession().snapshot()
    per, study = histories(snap)
    completed = [t for t in snap.training_jobs if t.status == "Completed" and t.objective is not None]
    assert study is not None and len(study) == len(completed)
    assert study[-1][1] == max(t.objective for t in completed)
    other = dataclasses.replace(snap, tuning_jobs=tuple(
        dataclasses.replace(r, objective_name="val_loss", direction="Minimize") if r.candidate == "effv2-m" else r
        for r in snap.tuning_jobs))
    assert histories(other)[1] is None
    assert set(per) == {t.candidate for t in completed}


async def test_h_opens_the_history_and_t_leaves_the_study_alone():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("H")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, HistoryScreen)
        assert "mobilenet-v2-100-224" in str(screen.query_one("#history-legend").render())
        await pilot.press("t")
        assert "mobilenet-v2-100-224" not in str(screen.query_one("#history-legend").render())


@pytest.mark.parametrize("size", SIZES)
def test_history_snapshot(snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("H")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)
