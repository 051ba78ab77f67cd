"""`frontier_table` / `frontier_export_rows` on snapshots: which points, which rows, what order,
what is left out and why, and seed 004's relative mode."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jstui.domain.frontier import (
    frontier_export_columns,
    frontier_export_rows,
    frontier_table,
)
from jstui.domain.model import FrontierSettings

from tests.frontier.fixtures import seed_000_table, snapshot_of, training_job
from tests.frontier.test_pareto import brute_force_front

ACC_VS_THROUGHPUT = FrontierSettings()  # seed 000: test_throughput and test_accuracy, both maximised


def m(acc, thr, **more):
    return {"test_accuracy": acc, "test_throughput": thr, **more}


def test_rows_are_the_front_sorted_by_x_ascending_with_ranks():
    snap = snapshot_of({"big": m(0.96, 1.0), "mid": m(0.90, 9.0), "worse-mid": m(0.89, 8.0), "small": m(0.6, 50.0)})
    res = frontier_table(snap, ACC_VS_THROUGHPUT)
    assert [r.candidate for r in res.rows] == ["big", "mid", "small"]
    assert [r.rank for r in res.rows] == [1, 2, 3]
    assert [r.x for r in res.rows] == sorted(r.x for r in res.rows)
    assert {p.candidate: p.on_front for p in res.points} == {"big": True, "mid": True, "worse-mid": False, "small": True}
    assert res.left_out == ()


def test_seed_000_published_table_against_brute_force():
    table = seed_000_table()
    assert len(table) == 21
    res = frontier_table(snapshot_of(table), ACC_VS_THROUGHPUT)
    names = list(table)
    expected = {names[i] for i in brute_force_front(
        [(t["test_throughput"], t["test_accuracy"]) for t in table.values()], "max", "max")}
    assert {r.candidate for r in res.rows} == expected
    # The seed rounds throughput: two EfficientNet-V2-M variants share 8.0 images/s, so under strict
    # dominance the less accurate one is off the front although the post lists it.
    assert "efficientnet-v2-imagenet21k-m" not in expected
    # The post sorts by throughput ascending: the same order as our ranks.
    assert [r.candidate for r in res.rows] == [n for n in names if n in expected]


def test_missing_and_nan_metrics_are_left_out_and_counted():
    snap = snapshot_of({
        "ok": m(0.9, 10.0),
        "no-thr": {"test_accuracy": 0.99},
        "nan-acc": m(math.nan, 100.0),
        "running": None,
    })
    res = frontier_table(snap, ACC_VS_THROUGHPUT)
    assert [p.candidate for p in res.points] == ["ok"]
    assert res.left_out_counts == {"no test_throughput": 1, "test_accuracy is NaN": 1, "no best training job yet": 1}
    assert res.left_out_summary().startswith("left out: ")


def test_cost_axis_uses_the_tuning_jobs_spend_and_can_be_minimised():
    snap = snapshot_of({"a": m(0.9, 1.0), "b": m(0.8, 1.0), "c": m(0.95, 1.0)}, costs={"a": 5.0, "b": 1.0, "c": 50.0})
    res = frontier_table(snap, FrontierSettings(x="cost_usd", y="test_accuracy", x_direction="min"))
    assert [(r.candidate, r.x) for r in res.rows] == [("b", 1.0), ("a", 5.0), ("c", 50.0)]
    assert [r.cost_usd for r in res.rows] == [1.0, 5.0, 50.0]


def test_train_duration_falls_back_to_training_seconds_when_not_logged():
    # Built-in algorithms log no train_duration metric: the job's training time stands in.
    snap = snapshot_of({"a": {"validation:accuracy": 0.7}, "b": {"validation:accuracy": 0.8, "train_duration": 100.0}})
    res = frontier_table(snap, FrontierSettings(x="train_duration", y="validation:accuracy", x_direction="min"))
    xs = {p.candidate: p.x for p in res.points}
    assert xs["b"] == 100.0
    assert xs["a"] == snap.training_jobs[0].training_seconds


def test_all_jobs_places_every_training_job():
    extra = (
        training_job("a", "demo-a-002-bbbb", m(0.95, 0.5), is_best=False),
        training_job("a", "demo-a-003-cccc", {}, status="InProgress", is_best=False),
    )
    snap = snapshot_of({"a": m(0.9, 2.0), "b": m(0.5, 1.0)}, extra_jobs=extra)
    per_model = frontier_table(snap, ACC_VS_THROUGHPUT)
    every_job = frontier_table(snap, ACC_VS_THROUGHPUT, all_jobs=True)
    assert len(per_model.points) == 2
    assert len(every_job.points) == 3
    assert {r.best_training_job_name for r in every_job.rows} == {"demo-a-001-aaaa", "demo-a-002-bbbb"}
    assert every_job.left_out_counts == {"no test_throughput": 1}


def test_relative_mode_divides_by_the_base_model():
    base = m(0.80, 10.0, train_duration=1000.0, test_latency_per_sample=0.02)
    fast = m(0.808, 20.0, train_duration=740.0, test_latency_per_sample=0.0188)
    snap = snapshot_of({"base": base, "fast": fast})
    res = frontier_table(snap, replace(ACC_VS_THROUGHPUT, base="base"))
    row = {r.candidate: r for r in res.rows}["fast"]
    assert row.relative_accuracy == pytest.approx(fast["test_accuracy"] / base["test_accuracy"])
    assert row.relative_training_time == pytest.approx(fast["train_duration"] / base["train_duration"])
    assert row.relative_inference_time == pytest.approx(fast["test_latency_per_sample"] / base["test_latency_per_sample"])
    assert res.base_problem is None


def test_relative_mode_with_a_base_that_is_off_the_front_or_unknown():
    snap = snapshot_of({"base": m(0.5, 1.0, train_duration=10.0), "best": m(0.9, 2.0, train_duration=20.0)})
    res = frontier_table(snap, ACC_VS_THROUGHPUT, base="base")
    assert [r.candidate for r in res.rows] == ["best"]
    assert res.rows[0].relative_training_time == pytest.approx(2.0)
    unknown = frontier_table(snap, ACC_VS_THROUGHPUT, base="nope")
    assert "not a candidate" in unknown.base_problem
    assert unknown.rows[0].relative_accuracy is None


def test_export_columns_follow_the_contract_each_metric_once():
    cols = frontier_export_columns(ACC_VS_THROUGHPUT)
    assert cols[:5] == ["rank", "candidate", "model_id", "tuning_job_name", "best_training_job_name"]
    assert cols[5:7] == ["test_throughput", "test_accuracy"]
    assert len(cols) == len(set(cols))
    assert cols[-1] == "cost_usd"
    with_base = frontier_export_columns(ACC_VS_THROUGHPUT, base="b")
    assert with_base[-3:] == ["relative_accuracy", "relative_training_time", "relative_inference_time"]
    other = frontier_export_columns(FrontierSettings(x="cost_usd", y="val_accuracy"))
    assert other[5:7] == ["cost_usd", "val_accuracy"] and other.count("cost_usd") == 1


def test_export_rows_hold_the_values_of_the_front():
    snap = snapshot_of({"a": m(0.9, 2.0, num_params=5e6), "b": m(0.95, 1.0), "c": m(0.1, 0.1)}, costs={"a": 3.5})
    rows = frontier_export_rows(snap, ACC_VS_THROUGHPUT)
    assert [list(r) for r in rows] == [frontier_export_columns(ACC_VS_THROUGHPUT)] * 2
    by = {r["candidate"]: r for r in rows}
    assert by["a"]["num_params"] == 5e6 and by["a"]["cost_usd"] == 3.5 and by["a"]["test_throughput"] == 2.0
    assert by["b"]["num_params"] is None
    assert [r["rank"] for r in rows] == [1, 2]


def test_unlaunched_candidates_are_counted_as_not_launched():
    from tests.frontier.fixtures import tuning_job

    snap = snapshot_of({"a": m(0.9, 2.0)})
    snap = replace(snap, tuning_jobs=snap.tuning_jobs + (tuning_job("q", None, launched=False),))
    res = frontier_table(snap, ACC_VS_THROUGHPUT)
    assert res.left_out_counts == {"not launched": 1}


metric_value = st.one_of(st.none(), st.just(math.nan), st.integers(0, 4).map(float))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(metric_value, metric_value, st.integers(0, 3).map(float)), min_size=0, max_size=12),
       st.sampled_from(["max", "min"]), st.sampled_from(["max", "min"]), st.booleans())
def test_table_front_is_the_brute_force_front_of_the_placed_models(values, x_dir, y_dir, cost_axis):
    models = {}
    for i, (acc, thr, _) in enumerate(values):
        metrics = {k: v for k, v in (("test_accuracy", acc), ("test_throughput", thr)) if v is not None}
        models[f"m{i}"] = metrics
    costs = {f"m{i}": c for i, (_, _, c) in enumerate(values)}
    x = "cost_usd" if cost_axis else "test_throughput"
    s = FrontierSettings(x=x, y="test_accuracy", x_direction=x_dir, y_direction=y_dir)
    res = frontier_table(snapshot_of(models, costs=costs), s)
    assert len(res.points) + len(res.left_out) == len(values)
    coords = [((costs[n] if cost_axis else m.get("test_throughput")), m.get("test_accuracy")) for n, m in models.items()]
    names = list(models)
    assert {r.candidate for r in res.rows} == {names[i] for i in brute_force_front(coords, x_dir, y_dir)}
    assert [r.x for r in res.rows] == sorted(r.x for r in res.rows)
