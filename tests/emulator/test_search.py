"""Search semantics: Grid enumerates categorical ranges; Random and Bayesian never repeat while untried
configurations remain; integer and continuous ranges stay in bounds with their scaling."""

from __future__ import annotations

import math

from jstui.emulator.search import Searcher, dims_of

CAT = {"CategoricalParameterRanges": [{"Name": "a", "Values": ["1", "2", "3"]}, {"Name": "b", "Values": ["x", "y"]}]}


def test_grid_enumerates_every_combination_in_order():
    s = Searcher("Grid", dims_of(CAT), "k", True)
    got = [s.next([]) for _ in range(6)]
    assert got == [{"a": a, "b": b} for a in "123" for b in "xy"]


def test_random_and_bayesian_do_not_repeat_while_untried_remain():
    for strategy in ("Random", "Bayesian"):
        s = Searcher(strategy, dims_of(CAT), "k", True)
        finished = []
        seen = []
        for i in range(6):
            cfg = s.next(finished)
            seen.append(tuple(sorted(cfg.items())))
            finished.append((cfg, float(i % 3)))
        assert len(set(seen)) == 6, strategy
        assert s.next(finished) in [dict(c) for c in seen]  # exhausted: repeats are allowed now


def test_bayesian_exploits_the_best_region():
    dims = dims_of({"CategoricalParameterRanges": [{"Name": "lr", "Values": [str(i) for i in range(20)]}]})
    s = Searcher("Bayesian", dims, "k", maximize=True)
    finished = []
    for _ in range(8):
        cfg = s.next(finished)
        finished.append((cfg, -abs(int(cfg["lr"]) - 15)))  # best at 15
    later = [int(c["lr"]) for c, _ in finished[3:]]
    assert sum(abs(x - 15) for x in later) / len(later) < 5


def test_integer_and_continuous_ranges():
    dims = dims_of({
        "IntegerParameterRanges": [{"Name": "n", "MinValue": "2", "MaxValue": "9", "ScalingType": "Linear"}],
        "ContinuousParameterRanges": [
            {"Name": "lr", "MinValue": "0.00001", "MaxValue": "0.1", "ScalingType": "Logarithmic"},
            {"Name": "m", "MinValue": "0.5", "MaxValue": "0.99", "ScalingType": "Linear"}],
    })
    s = Searcher("Random", dims, "k", True)
    cfgs = [s.next([]) for _ in range(200)]
    assert all(2 <= int(c["n"]) <= 9 for c in cfgs) and {int(c["n"]) for c in cfgs} == set(range(2, 10))
    lrs = [float(c["lr"]) for c in cfgs]
    assert all(1e-5 <= x <= 0.1 for x in lrs)
    # log scaling: about as many draws per decade; linear would put ~90 % in the top decade
    assert sum(1 for x in lrs if x < 1e-3) > 60
    assert all(0.5 <= float(c["m"]) <= 0.99 for c in cfgs)
    assert len({c["lr"] for c in cfgs}) == 200 and not any(math.isnan(x) for x in lrs)
