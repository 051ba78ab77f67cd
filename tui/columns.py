"""The study table's columns: what each shows, its sort value, and its priority when the terminal
is too narrow to show them all (lower priority number = dropped last; the model name is never
dropped or cut)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from collections.abc import Callable

from rich.text import Text

from jstui.domain.metrics import implausibility
from jstui.domain.snapshot import TuningJobRow

from jstui.tui import format as fmt

CELL_PADDING = 2  # DataTable pads each cell by one column on either side


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int
    priority: int
    value: Callable[[TuningJobRow], Any]  # the raw value, for sorting and change detection
    render: Callable[[TuningJobRow], str | Text]
    right: bool = True

    @property
    def cell_width(self) -> int:
        """Room for the label plus a sort arrow, or the widest value, whichever is more."""
        return max(self.width, len(self.label) + 1)


def _metric(name: str) -> Callable[[TuningJobRow], float | None]:
    return lambda r: r.best_metrics.get(name)


def _right(text: str) -> Text:
    return Text(text, justify="right")


def _checked(name: str, value: float | None, text: str) -> Text:
    """A metric cell, with ⚠ after a value its metric cannot take (core's rule: jstui.domain.metrics)."""
    cell = _right(text)
    if implausibility(name, value):
        cell.append("⚠", style="bold yellow")
    return cell


def _jobs(r: TuningJobRow) -> str:
    # completed/running/failed of max: the three numbers a user watches during HPO
    return f"{r.jobs_completed}/{r.jobs_in_progress}/{r.jobs_failed} of {r.max_jobs}"


STATUS_ORDER = {s: i for i, s in enumerate(
    ("InProgress", "Stopping", "WaitingForQuota", "Queued", "Completed", "Stopped", "Failed", "DeleteFailed")
)}

STUDY_COLUMNS: tuple[Column, ...] = (
    Column("model", "Model", 5, 0, lambda r: r.candidate, lambda r: r.candidate, right=False),
    Column("status", "Status", 12, 1, lambda r: STATUS_ORDER.get(r.status, 99), lambda r: fmt.status_text(r.status),
           right=False),
    Column("jobs", "Jobs✓/▶/✗", 10, 4, lambda r: (r.jobs_completed, r.jobs_in_progress), _jobs, right=False),
    Column("best", "Best obj", 7, 2, lambda r: r.best_objective, lambda r: _checked(r.objective_name, r.best_objective, fmt.number(r.best_objective))),
    Column("test_acc", "Test acc", 6, 5, _metric("test_accuracy"),
           lambda r: _checked("test_accuracy", r.best_metrics.get("test_accuracy"), fmt.fraction(r.best_metrics.get("test_accuracy")))),
    Column("top5", "Top-5", 6, 7, _metric("test_top_5_accuracy"),
           lambda r: _checked("test_top_5_accuracy", r.best_metrics.get("test_top_5_accuracy"), fmt.fraction(r.best_metrics.get("test_top_5_accuracy")))),
    Column("throughput", "Img/s", 6, 6, _metric("test_throughput"),
           lambda r: _checked("test_throughput", r.best_metrics.get("test_throughput"), fmt.number(r.best_metrics.get("test_throughput")))),
    Column("params", "Params", 6, 9, _metric("num_params"),
           lambda r: _right(fmt.count(r.best_metrics.get("num_params")))),
    Column("epoch", "Epoch", 6, 8, _metric("train_epoch_duration"),
           lambda r: _right(fmt.duration(r.best_metrics.get("train_epoch_duration")))),
    Column("billable", "Billed", 6, 10, lambda r: r.billable_seconds,
           lambda r: _right(fmt.duration(r.billable_seconds))),
    Column("spend", "Spend", 9, 3, lambda r: r.cost_usd,
           lambda r: _right(fmt.usd(r.cost_usd, r.cost_is_estimate))),
)

COLUMNS_BY_KEY = {c.key: c for c in STUDY_COLUMNS}


def fit_columns(columns: tuple[Column, ...], available: int, model_width: int) -> tuple[Column, ...]:
    """The columns to show in `available` cells, in display order: by priority while they fit.
    The first column (the model name) is always kept at its full width."""
    first, rest = columns[0], columns[1:]
    used = max(first.cell_width, model_width) + CELL_PADDING
    keep = {first.key}
    for col in sorted(rest, key=lambda c: c.priority):
        need = col.cell_width + CELL_PADDING
        if used + need <= available:
            keep.add(col.key)
            used += need
    return tuple(c for c in columns if c.key in keep)


def sort_rows(rows: list[TuningJobRow], column: Column, reverse: bool) -> list[TuningJobRow]:
    """Sort by the column's raw value; rows without a value go last either way, ties by name."""
    with_value = [r for r in rows if column.value(r) is not None]
    without = [r for r in rows if column.value(r) is None]
    with_value.sort(key=lambda r: r.candidate)
    with_value.sort(key=column.value, reverse=reverse)
    without.sort(key=lambda r: r.candidate)
    return with_value + without
