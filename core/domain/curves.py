"""Learning curves: a training job's metrics over time, read from its log the way SageMaker reads them.

SageMaker applies each of the job's metric definitions (DescribeTrainingJob's
AlgorithmSpecification.MetricDefinitions: the ones the job ran with, not today's study file) to every
log line: the regex is searched in the line and its first capture group, read as a number, is one
point of that metric at the line's time; a match that is not a number is skipped ("Define metrics and
environment variables", https://docs.aws.amazon.com/sagemaker/latest/dg/define-train-metrics.html).
The console plots them against time; here x is seconds since the job's first log line.

The reader is incremental: `feed` takes only the lines read since the last call, so following a
running job costs one GetLogEvents per cycle whatever its length. It also notes how far the training
is: Keras prints `Epoch 3/10`, MXNet's built-in algorithms `Epoch[2]` (counted from 0)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from collections.abc import Iterable, Sequence
from typing import Any

from jstui.domain.metrics import RUNAWAY, compile_metric, search_metric

# `Epoch 3/10` (Keras, PyTorch Lightning's progress lines) and `Epoch[2] ...` (MXNet, 0-based)
_EPOCH_OF = re.compile(r"\bEpoch\s+(\d+)\s*/\s*(\d+)")
_EPOCH_MX = re.compile(r"\bEpoch\[(\d+)\]")


@dataclass(frozen=True)
class Definition:
    name: str
    regex: str


def definitions_from_description(description: dict | None) -> tuple[Definition, ...]:
    """The metric definitions a training job ran with, from its DescribeTrainingJob response."""
    algo = (description or {}).get("AlgorithmSpecification") or {}
    out = []
    for item in algo.get("MetricDefinitions") or []:
        name, regex = item.get("Name"), item.get("Regex")
        if isinstance(name, str) and isinstance(regex, str) and name:
            out.append(Definition(name, regex))
    return tuple(out)


@dataclass
class Progress:
    epoch: int | None = None  # the last epoch the log named, counted from 1
    epochs: int | None = None  # how many the log says there are (Keras), else None


@dataclass
class CurveReader:
    """The curves of one training job, grown a chunk of log at a time."""

    definitions: Sequence[Definition]
    series: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)  # definitions that cannot be applied, and why
    progress: Progress = field(default_factory=Progress)
    lines_read: int = 0
    timed: bool = True  # every line came with its timestamp (else x counts log lines)
    _t0: float | None = None
    _compiled: list[tuple[str, Any]] = field(default_factory=list)  # time-boxed (domain.metrics)

    def __post_init__(self) -> None:
        for d in self.definitions:
            try:
                rx = compile_metric(d.regex)
            except re.error as exc:
                self.problems[d.name] = f"regex does not compile: {exc}"
                continue
            if rx.groups < 1:
                self.problems[d.name] = "regex has no capture group (SageMaker reads nothing with it)"
                continue
            self._compiled.append((d.name, rx))
            self.series.setdefault(d.name, [])

    def feed(self, lines: Iterable[str], timestamps_ms: Sequence[int] | None = None) -> int:
        """Read more log lines (with their CloudWatch timestamps when known, else x counts lines);
        returns how many points were added."""
        added = 0
        lines = list(lines)
        if lines and (timestamps_ms is None or len(timestamps_ms) != len(lines)):
            self.timed, timestamps_ms = False, None
        for i, line in enumerate(lines):
            if timestamps_ms is not None:
                t = timestamps_ms[i] / 1000.0
                self._t0 = t if self._t0 is None else self._t0
                x = t - self._t0
            else:
                x = float(self.lines_read)
            self.lines_read += 1
            for name, rx in list(self._compiled):
                try:
                    m = search_metric(rx, line)
                except TimeoutError:
                    self._compiled.remove((name, rx))
                    self.problems[name] = RUNAWAY
                    continue
                if m is None:
                    continue
                try:
                    value = float(m.group(1))
                except (TypeError, ValueError, IndexError):
                    continue
                if math.isfinite(value):
                    self.series[name].append((x, value))
                    added += 1
            self._note_epoch(line)
        return added

    def _note_epoch(self, line: str) -> None:
        m = _EPOCH_OF.search(line)
        if m is not None:
            self.progress.epoch, self.progress.epochs = int(m.group(1)), int(m.group(2)) or None
            return
        m = _EPOCH_MX.search(line)
        if m is not None:
            self.progress.epoch = max(self.progress.epoch or 0, int(m.group(1)) + 1)

    def names_with_points(self) -> list[str]:
        return [n for n, pts in self.series.items() if pts]


def metric_order(objective: str | None, names: Iterable[str]) -> list[str]:
    """The metrics to offer, the objective first, then the rest in definition order."""
    names = list(dict.fromkeys(names))
    if objective and objective in names:
        names.remove(objective)
        names.insert(0, objective)
    return names


def epochs_planned(hyperparameters: dict[str, str]) -> int | None:
    """N of "epoch n of N" when the log does not say: the job's `epochs` hyperparameter."""
    value = hyperparameters.get("epochs")
    try:
        n = int(float(value)) if value is not None else None
    except ValueError:
        return None
    return n if n and n > 0 else None
