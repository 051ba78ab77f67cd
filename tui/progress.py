"""How far a running training job is and when it ends (issue 19 item 3), for the tuning job's table
and the curves' legend: `epoch n of N` from the log as far as it has been read (Keras' `Epoch n/N`,
MXNet's `Epoch[n]`, else the tuned `epochs`), else the share of its expected time; and its ETA. The
expected time is the plan's one estimator's (jstui.domain.estimate.expected_job_seconds: the
candidate's completed jobs' mean billed time, else the plan's figure, else the study's mean)."""

from __future__ import annotations

from statistics import fmean

from jstui.domain import estimate
from jstui.domain.curves import Progress, epochs_planned
from jstui.domain.snapshot import TERMINAL_TRAINING, StudySnapshot, TrainingJobRow
from jstui.tui import format as fmt


def expected_job_seconds(snapshot: StudySnapshot, candidate: str,
                         jobs: tuple[TrainingJobRow, ...] | None = None) -> float | None:
    """Billed seconds one of the candidate's training jobs is expected to take (the estimator's rule).
    `jobs`: its tuning job's training jobs when the caller has them. The study's mean (a pass over
    every training job: 20,000 in the bench) is taken only when the candidate's own figures are missing."""
    planned = next((p for p in snapshot.planned if p.candidate == candidate), None)
    if jobs is None:
        row = next((r for r in snapshot.tuning_jobs if r.candidate == candidate), None)
        jobs = snapshot.training_jobs_of(row.tuning_job_name) if row is not None and row.tuning_job_name else ()
    seconds = estimate.expected_job_seconds(tuple(jobs), planned, None)
    if seconds is not None:
        return seconds
    done = [float(t.billable_seconds) for t in snapshot.training_jobs
            if t.status == "Completed" and t.billable_seconds and not t.cost_is_estimate]
    return estimate.expected_job_seconds(tuple(jobs), planned, fmean(done) if done else None)


def job_progress(job: TrainingJobRow, per_job_s: float | None, now, progress: Progress | None,
                 *, short: bool = False) -> str:
    """`epoch 3 of 10 · ~12m left` (short: `ep 3/10 · 12m`), `~40% · ~12m left`; once it ended only
    the last epoch its log named (short: "")."""
    ended = job.status in TERMINAL_TRAINING
    if ended and short:
        return ""
    parts = []
    if progress is not None and progress.epoch is not None:
        total = progress.epochs or epochs_planned(job.hyperparameters)
        if short:
            parts.append(f"ep {progress.epoch}" + (f"/{total}" if total else ""))
        else:
            parts.append(f"epoch {progress.epoch}" + (f" of {total}" if total else ""))
    if ended:
        return " · ".join(parts)
    left = estimate.job_eta_s(job, per_job_s, now)
    if not parts and per_job_s and left is not None:
        parts.append(f"~{min(99.0, 100 * (1 - left / per_job_s)):.0f}%")
    if left is None:
        parts.append("ETA ?" if short else "ETA unknown")
    elif short:
        parts.append(fmt.duration(left))
    else:
        parts.append(f"~{fmt.duration(left)} left")
    return " · ".join(parts)
