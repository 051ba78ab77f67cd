"""The Pareto frontier of a study over two axes (the study file's `[frontier]`: docs/study-file.md;
the export: docs/exports.md).

Pure functions on a `StudySnapshot`: no I/O, no clock. One point per tuning job (its best
training job's metrics) by default, every training job on request. An axis is any metric the
jobs report, or `cost_usd` / `train_duration` (the metric when the script logs it, else the
training job's TrainingTimeInSeconds, so built-in algorithms have one too).

Dominance is strict: a point is dominated when another is at least as good on both axes and
strictly better on one. Exact duplicates therefore dominate neither each other: both stay."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal, TypeGuard, cast
from collections.abc import Sequence

from jstui.domain.snapshot import StudySnapshot, TrainingJobRow, TuningJobRow
from jstui.domain.model import FrontierSettings

AxisDirection = Literal["max", "min"]
COST = "cost_usd"
TRAIN_DURATION = "train_duration"
# Seed 000's Pareto table, plus cost: the columns every frontier row carries.
TABLE_METRICS = ("num_params", "test_accuracy", "test_top_5_accuracy", "test_throughput", "train_epoch_duration")
# Seed 004's relative mode: which figure each ratio compares. Accuracy falls back through the
# names the algorithm families log, so a built-in study gets a ratio too.
ACCURACY_METRICS = ("test_accuracy", "val_accuracy", "validation:accuracy", "validation:mAP")
LATENCY_METRIC = "test_latency_per_sample"
RELATIVE_COLUMNS = ("relative_accuracy", "relative_training_time", "relative_inference_time")


def _usable(v: float | None) -> TypeGuard[float]:
    return v is not None and not (isinstance(v, float) and math.isnan(v))


def pareto_front(
    points: Sequence[tuple[float | None, float | None]], x_dir: AxisDirection, y_dir: AxisDirection
) -> list[int]:
    """Indices (ascending) of the points no other point strictly dominates.

    Points with a missing (None) or NaN coordinate are never on the front and never dominate.
    O(n log n): sweep from the best x down, keeping the best y seen at strictly better x."""
    for d in (x_dir, y_dir):
        if d not in ("max", "min"):
            raise ValueError(f"direction must be 'max' or 'min', not {d!r}")
    sx = 1.0 if x_dir == "max" else -1.0
    sy = 1.0 if y_dir == "max" else -1.0
    # Work in "bigger is better" on both axes.
    valid = [(sx * float(x), sy * float(y), i) for i, (x, y) in enumerate(points) if _usable(x) and _usable(y)]
    valid.sort(key=lambda p: (-p[0], -p[1]))
    front: list[int] = []
    best_y_at_better_x: float | None = None  # None, not -inf: a point may sit at -inf itself
    k = 0
    while k < len(valid):
        # One group of equal x: only its best y can survive, and only if nothing at a strictly
        # better x reaches that y (equal x and worse y, or equal y and worse x, is dominated).
        j = k
        while j < len(valid) and valid[j][0] == valid[k][0]:
            j += 1
        group_best_y = valid[k][1]
        if best_y_at_better_x is None or group_best_y > best_y_at_better_x:
            front.extend(i for _, y, i in valid[k:j] if y == group_best_y)
            best_y_at_better_x = group_best_y
        k = j
    return sorted(front)


@dataclass(frozen=True)
class FrontierPoint:
    """One model (or one training job) placed on the two axes."""

    candidate: str
    model_id: str
    tuning_job_name: str | None
    training_job_name: str | None  # the best training job (or the job itself with all_jobs)
    x: float
    y: float
    on_front: bool
    metrics: dict[str, float]
    cost_usd: float | None
    train_duration: float | None


@dataclass(frozen=True)
class LeftOut:
    candidate: str
    training_job_name: str | None
    reason: str  # e.g. "no test_throughput", "test_accuracy is NaN", "no best training job yet"


@dataclass(frozen=True)
class FrontierRow:
    rank: int  # 1.. by x ascending
    candidate: str
    model_id: str
    tuning_job_name: str | None
    best_training_job_name: str | None
    x: float
    y: float
    num_params: float | None
    test_accuracy: float | None
    test_top_5_accuracy: float | None
    test_throughput: float | None
    train_epoch_duration: float | None
    cost_usd: float | None
    relative_accuracy: float | None = None
    relative_training_time: float | None = None
    relative_inference_time: float | None = None
    metrics: dict[str, float] = field(default_factory=dict)

    def value(self, column: str) -> float | None:
        """A column of the export: a fixed field, or any metric by name."""
        if column == COST:
            return self.cost_usd
        if column in TABLE_METRICS or column in RELATIVE_COLUMNS:
            return getattr(self, column)
        return self.metrics.get(column)


@dataclass(frozen=True)
class FrontierResult:
    settings: FrontierSettings
    all_jobs: bool
    points: tuple[FrontierPoint, ...]  # every placed point (for the scatter), in snapshot order
    rows: tuple[FrontierRow, ...]  # the frontier only, by x ascending
    left_out: tuple[LeftOut, ...]
    base: str | None = None  # the base candidate of the relative mode
    base_problem: str | None = None  # why relative columns are empty despite a base

    @property
    def left_out_counts(self) -> dict[str, int]:
        return dict(Counter(lo.reason for lo in self.left_out))

    def left_out_summary(self) -> str:
        """One line: how many points are not on the plot and why (empty when none)."""
        if not self.left_out:
            return ""
        parts = [f"{n} {reason}" for reason, n in sorted(self.left_out_counts.items())]
        return "left out: " + ", ".join(parts)


def _duration(metrics: dict[str, float], job: TrainingJobRow | None) -> float | None:
    v = metrics.get(TRAIN_DURATION)
    if _usable(v):
        return v
    return job.training_seconds if job is not None else None


def _axis_value(axis: str, metrics: dict[str, float], cost: float | None, duration: float | None) -> float | None:
    if axis == COST:
        return cost
    if axis == TRAIN_DURATION:
        return duration
    return metrics.get(axis)


@dataclass(frozen=True)
class _Source:
    candidate: str
    model_id: str
    tuning_job_name: str | None
    training_job_name: str | None
    metrics: dict[str, float]
    cost_usd: float | None
    train_duration: float | None


def _sources(snapshot: StudySnapshot, all_jobs: bool) -> tuple[list[_Source], list[LeftOut]]:
    jobs_by_name = {t.training_job_name: t for t in snapshot.training_jobs}
    out: list[_Source] = []
    missing: list[LeftOut] = []
    if all_jobs:
        for t in snapshot.training_jobs:
            out.append(
                _Source(t.candidate, t.model_id, t.tuning_job_name, t.training_job_name, dict(t.metrics),
                        t.cost_usd, _duration(t.metrics, t))
            )
        return out, missing
    for tj in snapshot.tuning_jobs:
        if not tj.best_training_job_name:
            missing.append(LeftOut(tj.candidate, None, _no_best_reason(tj)))
            continue
        best = jobs_by_name.get(tj.best_training_job_name)
        metrics = dict(tj.best_metrics) or (dict(best.metrics) if best else {})
        # A model's cost is everything its tuning job spent, not only its best job's share.
        out.append(
            _Source(tj.candidate, tj.model_id, tj.tuning_job_name, tj.best_training_job_name, metrics,
                    tj.cost_usd, _duration(metrics, best))
        )
    return out, missing


def _no_best_reason(tj: TuningJobRow) -> str:
    if tj.tuning_job_name is None:
        return "not launched"
    return "no best training job yet"


def _ratio(a: float | None, b: float | None) -> float | None:
    if _usable(a) and _usable(b) and b != 0:
        return a / b
    return None


def _relative(src: _Source, base: _Source) -> tuple[float | None, float | None, float | None]:
    acc = next((m for m in ACCURACY_METRICS if m in src.metrics and m in base.metrics), None)
    return (
        _ratio(src.metrics.get(acc), base.metrics.get(acc)) if acc else None,
        _ratio(src.train_duration, base.train_duration),
        _ratio(src.metrics.get(LATENCY_METRIC), base.metrics.get(LATENCY_METRIC)),
    )


def frontier_table(
    snapshot: StudySnapshot,
    settings: FrontierSettings,
    base: str | None = None,
    all_jobs: bool = False,
) -> FrontierResult:
    """The frontier of the snapshot on `settings`' axes, with seed 000's table columns and,
    given a base candidate (default: `settings.base`), seed 004's relative columns."""
    base = base if base is not None else (settings.base or None)
    sources, left_out = _sources(snapshot, all_jobs)
    placed: list[_Source] = []
    coords: list[tuple[float, float]] = []
    for s in sources:
        reason = None
        values = []
        for axis in (settings.x, settings.y):
            v = _axis_value(axis, s.metrics, s.cost_usd, s.train_duration)
            if v is None:
                reason = reason or f"no {axis}"
            elif isinstance(v, float) and math.isnan(v):
                reason = reason or f"{axis} is NaN"
            values.append(v)
        if reason:
            left_out.append(LeftOut(s.candidate, s.training_job_name, reason))
            continue
        placed.append(s)
        coords.append((float(cast(float, values[0])), float(cast(float, values[1]))))  # no reason: both set

    on_front = set(pareto_front(coords, settings.x_direction, settings.y_direction))
    points = tuple(
        FrontierPoint(s.candidate, s.model_id, s.tuning_job_name, s.training_job_name, x, y, i in on_front,
                      s.metrics, s.cost_usd, s.train_duration)
        for i, (s, (x, y)) in enumerate(zip(placed, coords))
    )

    base_src, base_problem = None, None
    if base:
        # The base's best job, whether or not it made the plot (relative mode compares to it).
        base_src = next((s for s in _sources(snapshot, False)[0] if s.candidate == base), None)
        if base_src is None:
            known = {t.candidate for t in snapshot.tuning_jobs}
            base_problem = (f"base {base!r} has no finished training job yet" if base in known
                            else f"base {base!r} is not a candidate of this study")

    front_idx = sorted(on_front, key=lambda i: (coords[i][0], coords[i][1], placed[i].candidate))
    rows = []
    for rank, i in enumerate(front_idx, start=1):
        s = placed[i]
        rel = _relative(s, base_src) if base_src else (None, None, None)
        rows.append(
            FrontierRow(
                rank=rank, candidate=s.candidate, model_id=s.model_id, tuning_job_name=s.tuning_job_name,
                best_training_job_name=s.training_job_name, x=coords[i][0], y=coords[i][1],
                num_params=s.metrics.get("num_params"), test_accuracy=s.metrics.get("test_accuracy"),
                test_top_5_accuracy=s.metrics.get("test_top_5_accuracy"),
                test_throughput=s.metrics.get("test_throughput"),
                train_epoch_duration=s.metrics.get("train_epoch_duration"), cost_usd=s.cost_usd,
                relative_accuracy=rel[0], relative_training_time=rel[1], relative_inference_time=rel[2],
                metrics=dict(s.metrics, **({TRAIN_DURATION: s.train_duration} if _usable(s.train_duration) else {})),
            )
        )
    return FrontierResult(settings, all_jobs, points, tuple(rows), tuple(left_out), base, base_problem)


def frontier_export_columns(settings: FrontierSettings, base: str | None = None) -> list[str]:
    """The contract's `--what frontier` columns, in order, each metric once."""
    cols = ["rank", "candidate", "model_id", "tuning_job_name", "best_training_job_name"]
    for c in (settings.x, settings.y, *TABLE_METRICS, COST):
        if c not in cols:
            cols.append(c)
    if base if base is not None else settings.base:
        cols.extend(RELATIVE_COLUMNS)
    return cols


def frontier_export_rows(
    snapshot: StudySnapshot, settings: FrontierSettings, base: str | None = None, all_jobs: bool = False
) -> list[dict[str, object]]:
    """The frontier rows as ordered dicts with exactly `frontier_export_columns`' keys (values
    raw: floats, ints, strings or None for a missing cell); formatting is the exporter's job."""
    result = frontier_table(snapshot, settings, base=base, all_jobs=all_jobs)
    cols = frontier_export_columns(settings, base)
    out = []
    for r in result.rows:
        fixed = {"rank": r.rank, "candidate": r.candidate, "model_id": r.model_id,
                 "tuning_job_name": r.tuning_job_name, "best_training_job_name": r.best_training_job_name}
        row = {c: fixed[c] if c in fixed else r.value(c) for c in cols}
        if row.get(COST) is not None:  # sums of float costs carry noise (0.43881250000000005)
            row[COST] = round(float(cast(float, row[COST])), 6)
        out.append(row)
    return out


def axis_choices(snapshot: StudySnapshot) -> list[str]:
    """What an axis can be: every metric the study reports, then cost and training time."""
    seen: list[str] = list(snapshot.metric_names)
    for tj in snapshot.tuning_jobs:
        seen.extend(m for m in tj.best_metrics if m not in seen)
    for extra in (COST, TRAIN_DURATION):
        if extra not in seen:
            seen.append(extra)
    return seen
