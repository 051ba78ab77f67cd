"""The study table's columns: what each shows, its sort value, which end is better (so the first
sort puts the best first), and its priority when the terminal is too narrow to show them all (lower
priority number = dropped last). A shown column is as wide as its widest cell: nothing is cut."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from collections.abc import Callable

from rich.text import Text

from jstui.domain.metrics import implausibility
from jstui.domain.snapshot import NOT_LAUNCHED, TuningJobRow

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
    goal: str | None = None  # "max" or "min": which end the first sort puts first; None: ascending

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
    # completed/running/failed/stopped of max: as `jstui status` counts them (c/r/f/s)
    if r.status == NOT_LAUNCHED:
        return f"– of {r.max_jobs}"
    return f"{r.jobs_completed}/{r.jobs_in_progress}/{r.jobs_failed}/{r.jobs_stopped} of {r.max_jobs}"


def _best_value(r: TuningJobRow) -> tuple[str, float] | None:
    """Sorts within one objective metric: grouped by its name, the better end first (maximised
    values negated), so a sort never mixes mAP with a cross-entropy."""
    if r.best_objective is None:
        return None
    return (r.objective_name, -r.best_objective if r.direction == "Maximize" else r.best_objective)


def _best_text(r: TuningJobRow) -> Text:
    arrow = fmt.direction_arrow(r.direction)
    text = f"{fmt.number(r.best_objective)} {arrow}" if r.best_objective is not None else fmt.dash()
    return _checked(r.objective_name, r.best_objective, text)


def _objective_text(r: TuningJobRow) -> str:
    return f"{r.objective_name} {fmt.direction_arrow(r.direction)}"


def _spend_text(r: TuningJobRow) -> Text:
    if r.status == NOT_LAUNCHED:
        # never ran: the plan's expected cost, in brackets (the table's status line says so)
        return Text(f"({fmt.usd(r.planned_usd, True)})" if r.planned_usd is not None else fmt.dash(),
                    style="dim", justify="right")
    return _right(fmt.usd(r.cost_usd, r.cost_is_estimate))


STATUS_ORDER = {s: i for i, s in enumerate(
    ("InProgress", "Stopping", "WaitingForQuota", "Queued", "Completed", "Stopped", "Failed", "DeleteFailed",
     NOT_LAUNCHED)
)}

STUDY_COLUMNS: tuple[Column, ...] = (
    Column("model", "Model", 5, 0, lambda r: r.candidate, lambda r: r.candidate, right=False),
    Column("status", "Status", 12, 1, lambda r: STATUS_ORDER.get(r.status, 99), lambda r: fmt.status_text(r.status),
           right=False),
    Column("jobs", "Jobs ✓/▶/✗/■", 12, 4,
           lambda r: (r.jobs_completed, r.jobs_in_progress, r.jobs_failed, r.jobs_stopped), _jobs, right=False,
           goal="max"),
    Column("best", "Best obj", 7, 2, _best_value, _best_text),
    Column("objective", "Objective", 9, 3, lambda r: (r.objective_name, r.direction), _objective_text, right=False),
    Column("test_acc", "Test acc", 6, 5, _metric("test_accuracy"),
           lambda r: _checked("test_accuracy", r.best_metrics.get("test_accuracy"),
                              fmt.fraction(r.best_metrics.get("test_accuracy"))), goal="max"),
    Column("top5", "Top-5", 6, 7, _metric("test_top_5_accuracy"),
           lambda r: _checked("test_top_5_accuracy", r.best_metrics.get("test_top_5_accuracy"),
                              fmt.fraction(r.best_metrics.get("test_top_5_accuracy"))), goal="max"),
    Column("throughput", "Img/s", 6, 6, _metric("test_throughput"),
           lambda r: _checked("test_throughput", r.best_metrics.get("test_throughput"),
                              fmt.number(r.best_metrics.get("test_throughput"))), goal="max"),
    Column("params", "Params", 6, 9, _metric("num_params"),
           lambda r: _right(fmt.count(r.best_metrics.get("num_params")))),
    Column("epoch", "Epoch", 6, 8, _metric("train_epoch_duration"),
           lambda r: _right(fmt.duration(r.best_metrics.get("train_epoch_duration"))), goal="min"),
    Column("billable", "Billed", 6, 10, lambda r: r.billable_seconds,
           lambda r: _right(fmt.dash() if r.status == NOT_LAUNCHED else fmt.duration(r.billable_seconds)), goal="min"),
    Column("spend", "Spend", 9, 3, lambda r: r.cost_usd, _spend_text, goal="min"),
)

COLUMNS_BY_KEY = {c.key: c for c in STUDY_COLUMNS}
# the columns that show one metric of the best training job, and that metric's name
METRIC_KEYS = {"test_acc": "test_accuracy", "top5": "test_top_5_accuracy", "throughput": "test_throughput",
               "params": "num_params", "epoch": "train_epoch_duration"}


def fit_columns(columns: tuple[Column, ...], available: int, model_width: int,
                widths: dict[str, int] | None = None) -> tuple[Column, ...]:
    """The columns to show in `available` cells, in display order: by priority while they fit.
    The first column (the model name) is always kept at its full width. `widths`: each column's
    width for the data shown (default: its minimum)."""
    def width(col: Column) -> int:
        return max(col.cell_width, (widths or {}).get(col.key, 0))

    first, rest = columns[0], columns[1:]
    used = max(width(first), model_width) + CELL_PADDING
    keep = {first.key}
    for col in sorted(rest, key=lambda c: c.priority):
        need = width(col) + CELL_PADDING
        if used + need <= available:
            keep.add(col.key)
            used += need
    return tuple(c for c in columns if c.key in keep)


def sort_rows(rows: list[TuningJobRow], column: Column, reverse: bool) -> list[TuningJobRow]:
    """Sort by the column's raw value, the better end first (its goal; `reverse` turns it round);
    rows without a value go last either way, ties by name."""
    with_value = [r for r in rows if column.value(r) is not None]
    without = [r for r in rows if column.value(r) is None]
    with_value.sort(key=lambda r: r.candidate)
    with_value.sort(key=column.value, reverse=(column.goal == "max") != reverse)
    without.sort(key=lambda r: r.candidate)
    return with_value + without
