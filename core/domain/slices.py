"""Slice view (Optuna's "slice plot"): a candidate's objective against each tuned hyperparameter,
one point per training job that reported the objective. Pure.

Which axis a hyperparameter gets comes from the tuning job's ParameterRanges (botocore's
`ParameterRanges` shape: `ContinuousParameterRanges` and `IntegerParameterRanges` carry a
`ScalingType` of Auto | Linear | Logarithmic | ReverseLogarithmic, Auto when left out;
`CategoricalParameterRanges` carry `Values`). "Define hyperparameter ranges" (SageMaker Developer
Guide): a logarithmic range is searched on a log scale, so it is drawn on one; a reverse-logarithmic
range is searched on a log scale of 1 - value (for values close to 1), so it is drawn as 1 - value on
a log axis."""

from __future__ import annotations

import math
from dataclasses import dataclass

from jstui.domain.snapshot import TrainingJobRow

CATEGORICAL = "Categorical"
LOG_SCALES = ("Logarithmic", "ReverseLogarithmic")


def parameter_scales(ranges: dict) -> dict[str, str]:
    """{hyperparameter: its ScalingType, or "Categorical"} from a tuning job's ParameterRanges."""
    out: dict[str, str] = {}
    for kind in ("ContinuousParameterRanges", "IntegerParameterRanges"):
        for r in ranges.get(kind) or []:
            if r.get("Name"):
                out[str(r["Name"])] = str(r.get("ScalingType") or "Auto")
    for r in ranges.get("CategoricalParameterRanges") or []:
        if r.get("Name"):
            out[str(r["Name"])] = CATEGORICAL
    return out


@dataclass(frozen=True)
class SlicePoint:
    training_job_name: str
    text: str  # the value as the job ran with it (TunedHyperParameters)
    x: float  # where it is drawn: the number (1 - it for reverse-log), or the category's index + 1
    objective: float
    is_best: bool


@dataclass(frozen=True)
class Slice:
    name: str
    scale: str  # the range's ScalingType, "Categorical", or "" when the snapshot has no ParameterRanges
    log_x: bool  # drawn on a log axis (a log range whose drawn values are all > 0)
    categories: tuple[str, ...]  # categorical: the values in axis order (x = index + 1)
    points: tuple[SlicePoint, ...]
    note: str = ""  # why the axis is not what the scale asks for, or how to read it

    @property
    def reverse(self) -> bool:
        return self.scale == "ReverseLogarithmic" and self.log_x


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _category_order(values: list[str]) -> list[str]:
    """Numbers in numeric order, then words in text order."""
    numbers = sorted({v for v in values if _number(v) is not None}, key=lambda v: (_number(v), v))
    words = sorted({v for v in values if _number(v) is None})
    return numbers + words


def slices(jobs: tuple[TrainingJobRow, ...] | list[TrainingJobRow], scales: dict[str, str]) -> list[Slice]:
    """One slice per tuned hyperparameter (the ParameterRanges' names, else every name the jobs were
    tuned on), in name order; points are the jobs with an objective (Completed, or Stopped after
    reporting one), oldest first."""
    scored = sorted((j for j in jobs if j.objective is not None and math.isfinite(j.objective)),
                    key=lambda j: (j.created_at is None, j.created_at, j.training_job_name))
    names = sorted(set(scales) | {k for j in jobs for k in j.hyperparameters})
    out: list[Slice] = []
    for name in names:
        scale = scales.get(name, "")
        pairs = [(j, j.hyperparameters[name]) for j in scored if name in j.hyperparameters]
        numbers = [_number(v) for _, v in pairs]
        if scale == CATEGORICAL or (pairs and any(n is None for n in numbers)):
            order = _category_order([v for _, v in pairs])
            index = {v: i + 1 for i, v in enumerate(order)}
            points = tuple(SlicePoint(j.training_job_name, v, float(index[v]), float(j.objective or 0.0), j.is_best)
                           for j, v in pairs)
            note = "" if scale in (CATEGORICAL, "") else f"{scale} range with values that are not numbers: drawn as categories"
            out.append(Slice(name, scale or CATEGORICAL, False, tuple(order), points, note))
            continue
        reverse = scale == "ReverseLogarithmic"
        xs = [1.0 - n if reverse else n for n in numbers if n is not None]
        log_x = scale in LOG_SCALES and all(x > 0 for x in xs)
        note = ""
        if scale in LOG_SCALES and not log_x:
            note = f"{scale} range with values ≤ 0 on its axis: drawn linear"
        elif reverse:
            note = "ReverseLogarithmic range: drawn as 1 − value on a log axis"
        elif scale == "Auto":
            note = "ScalingType Auto (SageMaker chose the scale): drawn linear"
        points = tuple(SlicePoint(j.training_job_name, v, x if log_x or not reverse else float(n or 0.0),
                                  float(j.objective or 0.0), j.is_best)
                       for (j, v), x, n in zip(pairs, xs, numbers))
        out.append(Slice(name, scale, log_x, (), points, note))
    return out
