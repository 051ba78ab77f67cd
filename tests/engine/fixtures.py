"""Fixed snapshot data for golden-file and unit tests (no service involved)."""

from __future__ import annotations

from datetime import datetime, UTC

from jstui.domain.snapshot import ConnectionState, StudySnapshot, TrainingJobRow, TuningJobRow


def t(h: int, m: int, s: int = 0) -> datetime:
    return datetime(2026, 1, 2, h, m, s, tzinfo=UTC)


def training(name: str, tuning: str, cand: str, *, status="Completed", best=False, objective=None, hp=None,
             metrics=None, billable=None, cost=None, estimate=False, failure=None, ended=True) -> TrainingJobRow:
    return TrainingJobRow(
        study="demo", candidate=cand, model_id=f"model-{cand}", tuning_job_name=tuning, training_job_name=name,
        status=status, secondary_status=None, failure_reason=failure, is_best=best, objective=objective,
        hyperparameters=hp or {}, metrics=metrics or {}, instance_type="ml.p3.2xlarge", instance_count=1,
        billable_seconds=billable, training_seconds=billable, cost_usd=cost, cost_is_estimate=estimate,
        created_at=t(10, 0), started_at=t(10, 2), ended_at=t(10, 30) if ended else None,
    )


def tuning(cand: str, name: str | None, status: str, *, best=None, best_obj=None, metrics=None, hp=None,
           counts=(0, 0, 0, 0), cost=0.0, billable=0.0, estimate=False, reason=None) -> TuningJobRow:
    return TuningJobRow(
        study="demo", candidate=cand, model_id=f"model-{cand}", tuning_job_name=name, generation=1,
        status=status, waiting_reason=reason, failure_reason=None, objective_name="val_accuracy",
        direction="Maximize", jobs_completed=counts[0], jobs_in_progress=counts[1], jobs_failed=counts[2],
        jobs_stopped=counts[3], max_jobs=2, best_training_job_name=best, best_objective=best_obj,
        best_metrics=metrics or {}, best_hyperparameters=hp or {}, instance_type="ml.p3.2xlarge",
        instance_count=1, billable_seconds=billable, cost_usd=cost, cost_is_estimate=estimate,
        created_at=t(10, 0) if name else None, ended_at=t(11, 0) if status == "Completed" else None,
    )


def demo_snapshot() -> StudySnapshot:
    m_a = {"val_accuracy": 0.91, "test_accuracy": 0.9, "test_throughput": 120.5}
    tj = (
        tuning("alpha", "demo-alpha-1a2b3c", "Completed", best="demo-alpha-1a2b3c-001-aaaa", best_obj=0.91,
               metrics=m_a, hp={"learning_rate": "0.001"}, counts=(2, 0, 0, 0), cost=3.825, billable=3600.0),
        tuning("=cmd|calc", "demo-cmd-calc-4d5e6f", "InProgress", counts=(0, 1, 1, 0), cost=0.5, billable=470.6,
               estimate=True),
        tuning("gamma", None, "WaitingForQuota", reason="the account's tuning-job quota is reached"),
    )
    tr = (
        training("demo-alpha-1a2b3c-001-aaaa", "demo-alpha-1a2b3c", "alpha", best=True, objective=0.91,
                 hp={"learning_rate": "0.001"}, metrics=m_a, billable=1800, cost=1.9125),
        training("demo-alpha-1a2b3c-002-bbbb", "demo-alpha-1a2b3c", "alpha", objective=0.88,
                 hp={"learning_rate": "0.0002"}, metrics={"val_accuracy": 0.88, "test_accuracy": -0.5},
                 billable=1800, cost=1.9125),
        training("demo-cmd-calc-4d5e6f-001-cccc", "demo-cmd-calc-4d5e6f", "=cmd|calc", status="Failed",
                 hp={"learning_rate": "0.01"}, failure="@SUM(1+1) AlgorithmError: loss is nan", billable=None,
                 cost=None),
        training("demo-cmd-calc-4d5e6f-002-dddd", "demo-cmd-calc-4d5e6f", "=cmd|calc", status="InProgress",
                 hp={"learning_rate": "0.002"}, billable=470.6, cost=0.5, estimate=True, ended=False),
    )
    return StudySnapshot(
        study="demo", backend="emulator", region="us-east-1", taken_at=t(12, 0), connection=ConnectionState("ok"),
        tuning_jobs=tj, training_jobs=tr, metric_names=("val_accuracy", "test_accuracy", "test_throughput"),
        spend_usd=4.325, spend_is_estimate=True,
    )
