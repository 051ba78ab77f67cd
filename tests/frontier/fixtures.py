"""Fixed snapshot data for the frontier tests: rows built with only the fields a test cares
about, and seed 000's published Pareto table (copied into tests/samples/published/, source named there)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from jstui.domain.snapshot import (
    ConnectionState,
    EndpointRow,
    StudySnapshot,
    TrainingJobRow,
    TuningJobRow,
)

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


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
    from tests.samples.published_figures import seed_000_pareto

    rows: dict[str, dict[str, float]] = {}
    for row in seed_000_pareto():
        params, acc, top5 = row["number_of_parameters"], row["test_accuracy"], row["test_top_5_accuracy"]
        thr, epoch = row["throughput_images_per_s"], row["duration_per_epoch_s"]
        rows[row["model_name"]] = {
            "num_params": _num(params), "test_accuracy": _num(acc), "test_top_5_accuracy": _num(top5),
            "test_throughput": _num(thr), "train_epoch_duration": _num(epoch),
            "train_duration": _num(epoch) * 5, "test_latency_per_sample": 1 / _num(thr),
            "val_accuracy": _num(acc),
        }
    return rows
