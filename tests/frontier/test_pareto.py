"""`pareto_front` against a brute-force reference written here, by property and by edge case."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st
from jstui.domain.frontier import pareto_front


def brute_force_front(points, x_dir, y_dir):
    """Straight from the definition: a usable point is on the front unless another usable point
    is at least as good on both axes and strictly better on one."""

    def usable(p):
        return all(v is not None and not math.isnan(v) for v in p)

    def better_or_equal(a, b, d):
        return a >= b if d == "max" else a <= b

    def strictly_better(a, b, d):
        return a > b if d == "max" else a < b

    front = []
    for i, p in enumerate(points):
        if not usable(p):
            continue
        dominated = any(
            usable(q)
            and better_or_equal(q[0], p[0], x_dir)
            and better_or_equal(q[1], p[1], y_dir)
            and (strictly_better(q[0], p[0], x_dir) or strictly_better(q[1], p[1], y_dir))
            for j, q in enumerate(points)
            if j != i
        )
        if not dominated:
            front.append(i)
    return front


directions = st.sampled_from(["max", "min"])
# Small integers force ties and duplicates; None and NaN stand for missing metrics.
coord = st.one_of(st.integers(-3, 3).map(float), st.just(None), st.just(math.nan))
wide = st.floats(allow_nan=True, allow_infinity=True, width=32)
points_small = st.lists(st.tuples(coord, coord), max_size=25)
points_wide = st.lists(st.tuples(st.one_of(wide, st.none()), st.one_of(wide, st.none())), max_size=25)


@settings(max_examples=400, deadline=None)
@given(points_small, directions, directions)
def test_matches_brute_force_with_ties(points, x_dir, y_dir):
    assert pareto_front(points, x_dir, y_dir) == brute_force_front(points, x_dir, y_dir)


@settings(max_examples=300, deadline=None)
@given(points_wide, directions, directions)
def test_matches_brute_force_on_any_floats(points, x_dir, y_dir):
    assert pareto_front(points, x_dir, y_dir) == brute_force_front(points, x_dir, y_dir)


@settings(max_examples=200, deadline=None)
@given(points_small, directions, directions, st.randoms(use_true_random=False))
def test_order_of_points_does_not_matter(points, x_dir, y_dir, rnd):
    order = list(range(len(points)))
    rnd.shuffle(order)
    shuffled = [points[i] for i in order]
    got = sorted(order[i] for i in pareto_front(shuffled, x_dir, y_dir))
    assert got == pareto_front(points, x_dir, y_dir)


@settings(max_examples=200, deadline=None)
@given(points_small, directions, directions)
def test_every_usable_point_is_on_the_front_or_dominated_by_it(points, x_dir, y_dir):
    front = pareto_front(points, x_dir, y_dir)
    usable = [i for i, p in enumerate(points) if all(v is not None and not math.isnan(v) for v in p)]
    assert bool(front) == bool(usable)
    sign = (1 if x_dir == "max" else -1, 1 if y_dir == "max" else -1)
    for i in usable:
        if i in front:
            continue
        p = points[i]
        assert any(
            sign[0] * points[f][0] >= sign[0] * p[0] and sign[1] * points[f][1] >= sign[1] * p[1]
            and points[f] != p
            for f in front
        ), f"{p} is off the front but no front point dominates it"


@settings(max_examples=100, deadline=None)
@given(points_small, directions, directions)
def test_flipping_a_direction_is_negating_that_axis(points, x_dir, y_dir):
    flip = {"max": "min", "min": "max"}
    negated = [(None if x is None else -x, y) for x, y in points]
    assert pareto_front(negated, flip[x_dir], y_dir) == pareto_front(points, x_dir, y_dir)


def test_equal_on_one_metric_and_worse_on_the_other_is_dominated():
    pts = [(1.0, 5.0), (1.0, 4.0), (2.0, 4.0)]
    # (1,4) loses to (1,5) on y at equal x, and to (2,4) on x at equal y.
    assert pareto_front(pts, "max", "max") == [0, 2]


def test_exact_duplicates_are_both_kept():
    pts = [(3.0, 3.0), (3.0, 3.0), (1.0, 1.0)]
    assert pareto_front(pts, "max", "max") == [0, 1]


def test_one_point_is_its_own_front():
    assert pareto_front([(0.5, 10.0)], "min", "max") == [0]


def test_all_equal_points_are_all_on_the_front():
    assert pareto_front([(2.0, 2.0)] * 4, "max", "min") == [0, 1, 2, 3]


def test_nan_and_missing_points_are_never_on_the_front_nor_dominate():
    pts = [(math.nan, 100.0), (None, 100.0), (1.0, 1.0), (2.0, None)]
    assert pareto_front(pts, "max", "max") == [2]
    assert pareto_front([(None, None), (math.nan, math.nan)], "max", "max") == []


def test_mixed_directions_cost_down_accuracy_up():
    # (cost, accuracy): cheaper and more accurate wins.
    pts = [(10.0, 0.9), (5.0, 0.9), (5.0, 0.8), (1.0, 0.5), (20.0, 0.95)]
    assert pareto_front(pts, "min", "max") == [1, 3, 4]


def test_empty_input():
    assert pareto_front([], "max", "max") == []


def test_rejects_unknown_direction():
    import pytest

    with pytest.raises(ValueError):
        pareto_front([(1.0, 1.0)], "up", "max")  # type: ignore[arg-type]  # the wrong value is the test


def test_infinities_are_ordinary_extremes():
    inf = math.inf
    assert pareto_front([(0.0, inf)], "max", "min") == [0]
    assert pareto_front([(0.0, inf), (1.0, 5.0)], "max", "min") == [1]
    assert pareto_front([(-inf, -inf), (-inf, -inf)], "max", "max") == [0, 1]
