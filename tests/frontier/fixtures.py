"""Fixed snapshot data for the frontier tests: rows built with only the fields a test cares
about, and seed 000's published Pareto table parsed from the seed file itself."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, UTC
from pathlib import Path

from jstui.domain.snapshot import (
    ConnectionState,
    EndpointRow,
    StudySnapshot,
    TrainingJobRow,
    TuningJobRow,
)

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
SEED_000 = next(Path("/work/shared/seeds").glob("000_*"), None) if Path("/work/shared/seeds").exists() else None


def training_job(candidate: str, name: str, metrics: dict[str, float], *, tuning: str | None = None,
                 status: str = "Completed", is_best: bool = True, cost: float | None = 1.0,
                 seconds: float | None = 600.0, model_id: str | None = None) -> TrainingJobRow:
    return TrainingJobRow(
        study="demo", candidate=candidate, model_id=model_id or f"model-{candidate}",
        tuning_job_name=tuning or f"demo-{candidate}", training_job_name=name, status=status,
        secondary_status="Completed" if status == "Completed" else "Training", failure_reason=None,
        is_best=is_best, objective=metrics.get("val_accuracy"), hyperparameters={"learning_rate": "0.001"},
        metrics=dict(metrics), instance_type="ml.p3.2xlarge", instance_count=1, billable_seconds=seconds,
        training_seconds=seconds, cost_usd=cost, cost_is_estimate=False, created_at=T0, started_at=T0,
        ended_at=T0 + timedelta(seconds=seconds or 0),
    )


def tuning_job(candidate: str, metrics: dict[str, float] | None, *, cost: float = 2.0, status: str = "Completed",
               model_id: str | None = None, launched: bool = True) -> TuningJobRow:
    name = f"demo-{candidate}"[:32] if launched else None
    return TuningJobRow(
        study="demo", candidate=candidate, model_id=model_id or f"model-{candidate}", tuning_job_name=name,
        generation=1, status=status if launched else "Queued", waiting_reason=None, failure_reason=None,
        objective_name="val_accuracy", direction="Maximize", jobs_completed=2 if metrics is not None else 0,
        jobs_in_progress=0, jobs_failed=0, jobs_stopped=0, max_jobs=2,
        best_training_job_name=f"{name}-001-aaaa" if (metrics is not None and launched) else None,
        best_objective=(metrics or {}).get("val_accuracy"), best_metrics=dict(metrics or {}),
        best_hyperparameters={"learning_rate": "0.001"}, instance_type="ml.p3.2xlarge", instance_count=1,
        billable_seconds=1200.0, cost_usd=cost, cost_is_estimate=False, created_at=T0, ended_at=T0,
    )


def snapshot_of(models: dict[str, dict[str, float] | None], *, costs: dict[str, float] | None = None,
                endpoints: tuple[EndpointRow, ...] = (), extra_jobs: tuple[TrainingJobRow, ...] = ()) -> StudySnapshot:
    """One tuning job per entry (None: launched, nothing finished yet), each with its best job."""
    costs = costs or {}
    tjs, trs = [], []
    for cand, metrics in models.items():
        tj = tuning_job(cand, metrics, cost=costs.get(cand, 2.0))
        tjs.append(tj)
        if tj.best_training_job_name:
            trs.append(training_job(cand, tj.best_training_job_name, metrics or {}, tuning=tj.tuning_job_name,
                                    cost=tj.cost_usd / 2))
    metric_names: list[str] = []
    for m in models.values():
        metric_names.extend(k for k in (m or {}) if k not in metric_names)
    return StudySnapshot(
        study="demo", backend="emulator", region="us-east-1", taken_at=T0 + timedelta(hours=2),
        connection=ConnectionState("ok"), tuning_jobs=tuple(tjs), training_jobs=tuple(trs) + tuple(extra_jobs),
        endpoints=endpoints, metric_names=tuple(metric_names),
    )


def _num(cell: str) -> float:
    cell = cell.strip()
    if cell.endswith("M"):
        return float(cell[:-1]) * 1e6
    if cell.endswith("%"):
        return float(cell[:-1]) / 100
    return float(cell)


def seed_000_table() -> dict[str, dict[str, float]]:
    """Seed 000's Pareto table (model -> metrics in the units the script logs)."""
    assert SEED_000 is not None, "seed 000 is missing"
    rows: dict[str, dict[str, float]] = {}
    for line in SEED_000.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) >= 6 and re.fullmatch(r"[0-9.]+M", cells[1] or ""):
            rows[cells[0]] = {
                "num_params": _num(cells[1]), "test_accuracy": _num(cells[2]), "test_top_5_accuracy": _num(cells[3]),
                "test_throughput": _num(cells[4]), "train_epoch_duration": _num(cells[5]),
                "train_duration": _num(cells[5]) * 5, "test_latency_per_sample": 1 / _num(cells[4]),
                "val_accuracy": _num(cells[2]),
            }
    return rows
