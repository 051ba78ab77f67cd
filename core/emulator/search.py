"""Search strategies (docs/emulator.md, "Search"): which hyperparameters the n-th training job of a tuning job gets.

- Grid: categorical ranges only; enumerates every combination in order.
- Random: seeded draws; in a finite space no configuration repeats while untried ones remain.
- Bayesian: a few random starts, then the untried candidate a simple similarity-weighted surrogate of
  the finished jobs' objectives rates best (so it exploits), never repeating while untried ones remain.
Deterministic given the seed and the results known when a job starts."""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass

FINITE_LIMIT = 5000  # enumerate spaces up to this size


@dataclass(frozen=True)
class Dim:
    name: str
    kind: str  # categorical | integer | continuous
    values: tuple[str, ...] = ()
    lo: float = 0.0
    hi: float = 0.0
    scaling: str = "Auto"

    def size(self) -> float:
        if self.kind == "categorical":
            return len(self.values)
        if self.kind == "integer":
            return int(self.hi) - int(self.lo) + 1
        return math.inf

    def log(self) -> bool:
        if self.scaling == "Logarithmic":
            return True
        return self.scaling == "Auto" and self.lo > 0 and self.hi / self.lo >= 100

    def enumerate(self) -> list[str]:
        if self.kind == "categorical":
            return list(self.values)
        return [str(i) for i in range(int(self.lo), int(self.hi) + 1)]

    def draw(self, rng: random.Random) -> str:
        if self.kind == "categorical":
            return rng.choice(self.values)
        u = rng.random()
        if self.scaling == "ReverseLogarithmic" and self.hi < 1:
            x = 1 - math.exp(math.log(1 - self.hi) + (math.log(1 - self.lo) - math.log(1 - self.hi)) * u)
        elif self.log():
            x = math.exp(math.log(self.lo) + (math.log(self.hi) - math.log(self.lo)) * u)
        else:
            x = self.lo + (self.hi - self.lo) * u
        if self.kind == "integer":
            return str(min(int(self.hi), max(int(self.lo), int(round(x)))))
        return format_float(x)

    def coordinate(self, value: str) -> float:
        """Position in [0, 1], for the surrogate's similarity."""
        if self.kind == "categorical":
            return self.values.index(value) / max(1, len(self.values) - 1) if value in self.values else 0.0
        x = float(value)
        if self.hi <= self.lo:
            return 0.0
        if self.log() and x > 0:
            return (math.log(x) - math.log(self.lo)) / (math.log(self.hi) - math.log(self.lo))
        return (x - self.lo) / (self.hi - self.lo)


def format_float(x: float) -> str:
    return f"{x:.10g}"


def dims_of(ranges: dict) -> list[Dim]:
    dims: list[Dim] = []
    for r in ranges.get("CategoricalParameterRanges") or []:
        dims.append(Dim(r["Name"], "categorical", tuple(r["Values"])))
    for r in ranges.get("IntegerParameterRanges") or []:
        dims.append(Dim(r["Name"], "integer", lo=float(r["MinValue"]), hi=float(r["MaxValue"]),
                        scaling=r.get("ScalingType", "Auto")))
    for r in ranges.get("ContinuousParameterRanges") or []:
        dims.append(Dim(r["Name"], "continuous", lo=float(r["MinValue"]), hi=float(r["MaxValue"]),
                        scaling=r.get("ScalingType", "Auto")))
    return dims


def space_size(dims: list[Dim]) -> float:
    n = 1.0
    for d in dims:
        n *= d.size()
    return n


def grid(dims: list[Dim]) -> list[dict[str, str]]:
    names = [d.name for d in dims]
    return [dict(zip(names, combo)) for combo in itertools.product(*(d.enumerate() for d in dims))]


class Searcher:
    def __init__(self, strategy: str, dims: list[Dim], seed_key: str, maximize: bool):
        self.strategy = strategy
        self.dims = dims
        self.rng = random.Random(f"search|{seed_key}")
        self.maximize = maximize
        self.finite = space_size(dims) <= FINITE_LIMIT
        self.pool = grid(dims) if self.finite else []
        if strategy != "Grid":
            self.rng.shuffle(self.pool)
        self.tried: list[dict[str, str]] = []

    def next(self, finished: list[tuple[dict[str, str], float]]) -> dict[str, str]:
        """The next configuration, given (configuration, objective) of the jobs finished so far."""
        cfg = self._choose(finished)
        self.tried.append(cfg)
        return cfg

    def _untried(self) -> list[dict[str, str]]:
        return [c for c in self.pool if c not in self.tried]

    def _choose(self, finished: list[tuple[dict[str, str], float]]) -> dict[str, str]:
        if not self.dims:
            return {}
        if self.strategy == "Grid":
            return self.pool[len(self.tried) % len(self.pool)]
        bayes = self.strategy == "Bayesian" and len(finished) >= 2
        if self.finite:
            untried = self._untried()
            if not untried:
                return self.rng.choice(self.pool)
            if not bayes:
                return untried[0]
            return max(untried, key=lambda c: (self._surrogate(c, finished), -untried.index(c)))
        candidates = [self._draw_new() for _ in range(32 if bayes else 1)]
        if bayes:
            best = max(finished, key=lambda f: f[1] if self.maximize else -f[1])[0]
            candidates += [self._perturb(best) for _ in range(32)]
            candidates = [c for c in candidates if c not in self.tried] or candidates
            return max(candidates, key=lambda c: self._surrogate(c, finished))
        return candidates[0]

    def _draw_new(self) -> dict[str, str]:
        for _ in range(50):
            cfg = {d.name: d.draw(self.rng) for d in self.dims}
            if cfg not in self.tried:
                return cfg
        return cfg

    def _perturb(self, base: dict[str, str]) -> dict[str, str]:
        out = dict(base)
        for d in self.dims:
            if d.kind == "categorical" or self.rng.random() < 0.5:
                if d.kind == "categorical" and self.rng.random() < 0.3:
                    out[d.name] = d.draw(self.rng)
                continue
            c = min(1.0, max(0.0, d.coordinate(base[d.name]) + self.rng.gauss(0, 0.1)))
            if d.log() and d.lo > 0:
                x = math.exp(math.log(d.lo) + (math.log(d.hi) - math.log(d.lo)) * c)
            else:
                x = d.lo + (d.hi - d.lo) * c
            out[d.name] = str(int(round(x))) if d.kind == "integer" else format_float(x)
        return out

    def _surrogate(self, cfg: dict[str, str], finished: list[tuple[dict[str, str], float]]) -> float:
        """Similarity-weighted mean of observed objectives (sign-adjusted so larger is better)."""
        num = den = 0.0
        for seen, value in finished:
            d2 = sum((d.coordinate(cfg[d.name]) - d.coordinate(seen[d.name])) ** 2 for d in self.dims)
            w = math.exp(-d2 / 0.05)
            num += w * (value if self.maximize else -value)
            den += w
        return num / den if den > 1e-12 else 0.0
