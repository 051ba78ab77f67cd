"""A big synthetic StudySnapshot (default 1,000 tuning jobs x 20 training jobs) for the TUI and
export benches, shaped like what the poller publishes for the generated bench study: every training
job with seed 000's 29 metrics, tuned hyperparameters, costs and times; a realistic mix of statuses
(mostly Completed, some running, failed, stopped). Seeded, so every run measures the same
data. `with_changes` derives the next refresh's snapshot with a share of the rows changed."""

from __future__ import annotations

import dataclasses
import random
from datetime import datetime, timedelta, UTC

from jstui.domain.snapshot import ConnectionState, StudySnapshot, TrainingJobRow, TuningJobRow
from jstui.domain.metrics import PRESETS

T0 = datetime(2026, 6, 1, 8, 0, 0, tzinfo=UTC)
INSTANCE = "ml.p3.2xlarge"
USD_PER_S = 3.825 / 3600
METRICS = tuple(d.name for d in PRESETS["jumpstart-ic"])
# Of every 20 tuning jobs: 15 Completed, 3 InProgress, 1 Failed, 1 Stopped (20 training jobs each).
STATUS_CYCLE = ("Completed",) * 15 + ("InProgress",) * 3 + ("Failed", "Stopped")


def _metrics(rng: random.Random) -> dict[str, float]:
    out = {}
    for name in METRICS:
        if "params" in name:
            out[name] = float(rng.randrange(2_000_000, 200_000_000))
        elif "duration" in name or "latency" in name:
            out[name] = round(rng.uniform(1.0, 2500.0), 3)
        elif name == "test_throughput":
            out[name] = round(rng.uniform(0.3, 900.0), 2)
        elif "loss" in name:
            out[name] = round(rng.uniform(0.05, 3.0), 4)
        else:
            out[name] = round(rng.uniform(0.5, 0.99), 4)
    return out


def big_snapshot(study: str, model_ids: list[str], *, tuning_jobs: int = 1000, per_tuning_job: int = 20,
                 seed: int = 7) -> StudySnapshot:  # fmt: skip
    """Candidates are named `c0000`... as in `support.write_study`, models cycling `model_ids`."""
    rng = random.Random(seed)
    tuning_rows: list[TuningJobRow] = []
    training_rows: list[TrainingJobRow] = []
    for i in range(tuning_jobs):
        cand = f"c{i:04d}"
        model = model_ids[i % len(model_ids)]
        status = STATUS_CYCLE[i % len(STATUS_CYCLE)]
        launched = status != "Queued"
        name = f"{study}-{cand}-{i:06x}" if launched else None
        created = T0 + timedelta(seconds=37 * i)
        jobs: list[TrainingJobRow] = []
        for k in range(per_tuning_job if launched else 0):
            if status == "InProgress":
                t_status = "Completed" if k < per_tuning_job // 2 else "InProgress"
            elif status == "Failed":
                t_status = "Failed"
            elif status == "Stopped":
                t_status = "Stopped" if k >= per_tuning_job // 2 else "Completed"
            else:
                t_status = "Completed" if rng.random() > 0.05 else "Failed"
            ended = t_status != "InProgress"
            seconds = float(rng.randrange(300, 12_000))
            start = created + timedelta(seconds=120 + 10 * k)
            jobs.append(TrainingJobRow(
                study=study, candidate=cand, model_id=model, tuning_job_name=name or "",
                training_job_name=f"{name}-{k + 1:03d}-{rng.getrandbits(32):08x}", status=t_status,
                secondary_status="Completed" if t_status == "Completed" else "Training",
                failure_reason="AlgorithmError: ExecuteUserScriptError: ExitCode 1" if t_status == "Failed" else None,
                is_best=False, objective=round(rng.uniform(0.5, 0.99), 4) if t_status == "Completed" else None,
                hyperparameters={"learning_rate": f"{rng.choice([0.001, 0.0002]):g}", "batch_size": "32"},
                metrics=_metrics(rng) if t_status == "Completed" else {},
                instance_type=INSTANCE, instance_count=1,
                billable_seconds=seconds if ended else None, training_seconds=seconds if ended else None,
                cost_usd=round(seconds * USD_PER_S, 6), cost_is_estimate=not ended,
                created_at=created + timedelta(seconds=8 + 10 * k), started_at=start,
                ended_at=start + timedelta(seconds=seconds) if ended else None,
            ))  # fmt: skip
        scored = [j for j in jobs if j.objective is not None]
        best = max(scored, key=lambda j: j.objective) if scored else None
        if best is not None:
            jobs = [dataclasses.replace(j, is_best=True) if j is best else j for j in jobs]
        training_rows += jobs
        counts = {s: sum(1 for j in jobs if j.status == s) for s in ("Completed", "InProgress", "Failed", "Stopped")}
        tuning_rows.append(TuningJobRow(
            study=study, candidate=cand, model_id=model, tuning_job_name=name, generation=1, status=status,
            waiting_reason=None, failure_reason="All training jobs failed" if status == "Failed" else None,
            objective_name="val_accuracy", direction="Maximize", jobs_completed=counts["Completed"],
            jobs_in_progress=counts["InProgress"], jobs_failed=counts["Failed"], jobs_stopped=counts["Stopped"],
            max_jobs=per_tuning_job, best_training_job_name=best.training_job_name if best else None,
            best_objective=best.objective if best else None, best_metrics=dict(best.metrics) if best else {},
            best_hyperparameters=dict(best.hyperparameters) if best else {}, instance_type=INSTANCE,
            instance_count=1, billable_seconds=sum(j.billable_seconds or 0.0 for j in jobs),
            cost_usd=round(sum(j.cost_usd or 0.0 for j in jobs), 6), cost_is_estimate=status == "InProgress",
            created_at=created if launched else None,
            ended_at=created + timedelta(hours=20) if status in ("Completed", "Failed", "Stopped") else None,
        ))  # fmt: skip
    spend = sum(r.cost_usd for r in tuning_rows)
    return StudySnapshot(
        study=study, backend="emulator", region="us-east-1", taken_at=T0 + timedelta(days=2),
        connection=ConnectionState("ok"), tuning_jobs=tuple(tuning_rows), training_jobs=tuple(training_rows),
        metric_names=METRICS, spend_usd=round(spend, 2), spend_is_estimate=True, projected_usd=round(spend * 1.1, 2),
    )  # fmt: skip


def with_changes(snap: StudySnapshot, share: float, step: int) -> StudySnapshot:
    """The next refresh: `share` of the tuning jobs (spread, different ones each `step`) finished one
    more training job and cost more; every row and the clock moved on."""
    rows = list(snap.tuning_jobs)
    every = max(1, round(1 / share)) if share > 0 else 0
    for i, r in enumerate(rows):
        if every and (i + step) % every == 0 and r.tuning_job_name:
            rows[i] = dataclasses.replace(
                r, jobs_completed=r.jobs_completed + 1, cost_usd=round(r.cost_usd + 0.5, 6),
                billable_seconds=r.billable_seconds + 470.0,
                best_objective=None if r.best_objective is None else round(min(0.999, r.best_objective + 0.001), 4),
            )  # fmt: skip
    taken = (snap.taken_at or T0) + timedelta(seconds=30)
    return dataclasses.replace(snap, tuning_jobs=tuple(rows), taken_at=taken, spend_usd=snap.spend_usd + 0.5)
