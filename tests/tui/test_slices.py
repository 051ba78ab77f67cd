"""Slice view (issue 19 item 2): a candidate's objective against each tuned hyperparameter across its
training jobs, one plot per hyperparameter; log ranges on a log axis, categorical ones as categories."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from textual_plotext import PlotextPlot

from jstui.domain.slices import parameter_scales, slices
from jstui.engine.snapshot_codec import snapshot_from_json, snapshot_to_json
from jstui.tui.screens.history import HistoryScreen
from jstui.tui.screens.slices import SliceScreen, log_ticks
from jstui.tui.screens.tuning_job import TuningJobScreen

from tests.tui.fake_session import T0, FakeSession, make_snapshot, tuning_job_name
from tests.tui.helpers import make_app, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
EFF = "effv2-m"
HOSTILE = "\u001b]2;PWNED\u0007"  # an OSC title sequence: must never reach the terminal
# ParameterRanges as DescribeHyperParameterTuningJob returns them (botocore's ParameterRanges shape)
RANGES = {
    "ContinuousParameterRanges": [{"Name": "learning_rate", "MinValue": "0.0001", "MaxValue": "0.1",
                                   "ScalingType": "Logarithmic"}],
    "IntegerParameterRanges": [{"Name": "batch_size", "MinValue": "16", "MaxValue": "128", "ScalingType": "Linear"}],
    "CategoricalParameterRanges": [{"Name": "optimizer", "Values": ["adam", "sgd", HOSTILE]}],
}
# (learning_rate, batch_size, optimizer, objective); the job with the best objective is the best job
JOBS = [("0.0001", "16", "adam", 0.61), ("0.0003", "32", "sgd", 0.74), ("0.001", "64", HOSTILE, 0.88),
        ("0.003", "128", "adam", 0.91), ("0.01", "64", "sgd", 0.79), ("0.05", "32", "adam", 0.42)]


def slice_snapshot():
    """The fake study with effv2-m's tuning job holding six scored training jobs and a running one."""
    snap = make_snapshot()
    name = tuning_job_name(EFF)
    template = next(t for t in snap.training_jobs if t.tuning_job_name == name)
    best = max(range(len(JOBS)), key=lambda i: JOBS[i][3])
    jobs = [dataclasses.replace(
        template, training_job_name=f"{name}-{i + 1:03d}-abcd{i:04d}", status="Completed", objective=obj,
        is_best=i == best, hyperparameters={"learning_rate": lr, "batch_size": bs, "optimizer": opt},
        created_at=T0 - timedelta(minutes=50 - i), ended_at=T0 - timedelta(minutes=30 - i))
        for i, (lr, bs, opt, obj) in enumerate(JOBS)]
    jobs.append(dataclasses.replace(template, training_job_name=f"{name}-007-running0", status="InProgress",
                                    objective=None, is_best=False,
                                    hyperparameters={"learning_rate": "0.002", "batch_size": "16", "optimizer": "sgd"}))
    others = tuple(t for t in snap.training_jobs if t.tuning_job_name != name)
    rows = tuple(dataclasses.replace(r, parameter_scales=parameter_scales(RANGES),
                                     best_training_job_name=jobs[best].training_job_name,
                                     best_objective=JOBS[best][3])
                 if r.candidate == EFF else r for r in snap.tuning_jobs)
    return dataclasses.replace(snap, tuning_jobs=rows, training_jobs=others + tuple(jobs))


def test_parameter_scales_read_the_ranges_and_default_to_auto():
    ranges = dict(RANGES, ContinuousParameterRanges=[{"Name": "dropout", "MinValue": "0", "MaxValue": "0.5"}])
    assert parameter_scales(ranges) == {"dropout": "Auto", "batch_size": "Linear", "optimizer": "Categorical"}
    assert parameter_scales({}) == {}


def test_slices_draw_log_ranges_on_a_log_axis_and_categories_as_categories():
    snap = slice_snapshot()
    row = next(r for r in snap.tuning_jobs if r.candidate == EFF)
    by_name = {s.name: s for s in slices(snap.training_jobs_of(row.tuning_job_name), row.parameter_scales)}
    assert list(by_name) == ["batch_size", "learning_rate", "optimizer"]
    lr = by_name["learning_rate"]
    assert lr.log_x and not lr.categories
    assert [p.x for p in lr.points] == [float(j[0]) for j in JOBS]  # the running job has no point
    assert [p.objective for p in lr.points] == [j[3] for j in JOBS]
    assert [p.is_best for p in lr.points].count(True) == 1
    assert not by_name["batch_size"].log_x
    opt = by_name["optimizer"]
    assert opt.categories == tuple(sorted({j[2] for j in JOBS}))
    assert [opt.categories[int(p.x) - 1] for p in opt.points] == [j[2] for j in JOBS]


def test_a_reverse_log_range_is_drawn_as_one_minus_the_value_and_a_bad_log_range_linear():
    job = next(t for t in FakeSession().snapshot().training_jobs if t.status == "Completed")
    jobs = [dataclasses.replace(job, training_job_name=f"j{i}", objective=0.5 + i / 10,
                                hyperparameters={"momentum": m, "wd": w})
            for i, (m, w) in enumerate((("0.9", "0"), ("0.99", "0.1"), ("0.999", "0.2")))]
    by_name = {s.name: s for s in slices(jobs, {"momentum": "ReverseLogarithmic", "wd": "Logarithmic"})}
    assert by_name["momentum"].reverse
    assert [round(p.x, 6) for p in by_name["momentum"].points] == [0.1, 0.01, 0.001]
    assert not by_name["wd"].log_x and "linear" in by_name["wd"].note  # 0 has no logarithm
    assert [p.x for p in by_name["wd"].points] == [0.0, 0.1, 0.2]


def test_without_ranges_numbers_are_linear_and_words_categories():
    job = next(t for t in FakeSession().snapshot().training_jobs if t.status == "Completed")
    jobs = [dataclasses.replace(job, training_job_name=f"j{i}", objective=float(i), hyperparameters={"a": a, "b": b})
            for i, (a, b) in enumerate((("1", "x"), ("2", "y")))]
    by_name = {s.name: s for s in slices(jobs, {})}
    assert not by_name["a"].categories and not by_name["a"].log_x
    assert by_name["b"].categories == ("x", "y")


def test_log_ticks_are_decades_or_the_ends():
    ticks, labels = log_ticks([0.0001, 0.05])
    assert labels == ["1e-04", "0.001", "0.01", "0.1"] and ticks == [-4.0, -3.0, -2.0, -1.0]
    assert log_ticks([0.002, 0.003])[1] == ["0.002", "0.003"]


def test_the_ranges_survive_the_saved_snapshot():
    snap = slice_snapshot()
    back = snapshot_from_json(snapshot_to_json(snap))
    assert next(r for r in back.tuning_jobs if r.candidate == EFF).parameter_scales == parameter_scales(RANGES)


def _plot_text(screen: SliceScreen) -> str:
    return screen.query_one(PlotextPlot).plt.build()


async def test_v_on_the_tuning_job_opens_the_slices_and_p_and_n_cycle():
    app = make_app(FakeSession(slice_snapshot()))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, TuningJobScreen)
        await pilot.press("v")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, SliceScreen) and screen.candidate == EFF
        assert screen.current().name == "batch_size"
        await pilot.press("p")
        assert screen.current().name == "learning_rate"
        assert "(log scale)" in _plot_text(screen) and "1e-04" in _plot_text(screen)
        assert "2 of 3" in str(screen.query_one("#slices-title").render())
        await pilot.press("right")
        assert screen.current().name == "optimizer"
        await pilot.press("left", "left")
        assert screen.current().name == "batch_size"
        await pilot.press("n")  # the next launched candidate; it tunes learning_rate and batch_size
        assert screen.candidate == "effv2-m-fixed-lr"
        await pilot.press("N")
        assert screen.candidate == EFF
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, TuningJobScreen)


async def test_v_in_the_history_opens_the_slices_of_the_study_screens_candidate():
    app = make_app(FakeSession(slice_snapshot()))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("j", "H")
        await settle(pilot)
        assert isinstance(pilot.app.screen, HistoryScreen)
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(pilot.app.screen, SliceScreen) and pilot.app.screen.candidate == EFF
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, HistoryScreen)


async def test_the_slice_view_follows_refreshes():
    session = FakeSession(make_snapshot())
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("j", "enter")
        await settle(pilot)
        await pilot.press("v")
        screen = pilot.app.screen
        assert isinstance(screen, SliceScreen)
        assert len(screen.current().points) == 1  # one completed job so far
        session.next_snapshots.append(slice_snapshot())
        await pilot.press("r")
        await settle(pilot)
        assert len(screen.current().points) == len(JOBS)


async def test_a_hostile_hyperparameter_value_is_shown_escaped():
    app = make_app(FakeSession(slice_snapshot()))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "enter")
        await settle(pilot)
        await pilot.press("v", "p", "p")  # optimizer
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, SliceScreen) and screen.current().name == "optimizer"
        shown = _plot_text(screen) + str(screen.query_one("#slices-legend").render())
        assert "PWNED" in shown
        assert "\x1b]" not in shown.replace("\x1b[", "") and "\x07" not in shown  # only plotext's colour codes
        assert "\\x1b]2;PWNED\\x07" in shown.replace("\n", "")


def _to_slices(*keys: str):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("j", "enter")
        await settle(pilot)
        await pilot.press("v", *keys)
        await settle(pilot)
    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_slices_log_snapshot(snap_compare, size):
    assert snap_compare(make_app(FakeSession(slice_snapshot())), terminal_size=size, run_before=_to_slices("p"))


@pytest.mark.parametrize("size", SIZES)
def test_slices_categorical_snapshot(snap_compare, size):
    assert snap_compare(make_app(FakeSession(slice_snapshot())), terminal_size=size, run_before=_to_slices("p", "p"))


async def test_v_in_the_history_skips_a_candidate_with_nothing_to_draw():
    app = make_app(FakeSession(slice_snapshot()))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("j", "j", "H")  # effv2-m-fixed-lr: its one job failed
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(pilot.app.screen, SliceScreen)
        assert pilot.app.screen.candidate == "mobilenet-v2-100-224"  # the first with a scored job


def test_help_lists_the_slice_keys():
    sections = dict(make_app().key_sections())
    slice_keys = dict((what, keys) for keys, what in sections["Slice view (v)"])
    assert slice_keys["Next hyperparameter"] == "p →"
    assert "Slices" in [what for _, what in sections["Tuning-job screen"]]
    assert "Slices" in [what for _, what in sections["History screen (H)"]]
