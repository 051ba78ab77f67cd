"""The one cost estimator: what a training job is expected to bill, what a candidate is expected
to cost, and the study's projected spend at completion. The launch plan (`jstui.study.plan`), the
projection in every snapshot (`status`, `status --json`, the TUI) and the budget guard's accrual
all use it, so they cannot disagree.

Billing follows SageMaker's rule: a training job bills instance-seconds from TrainingStartTime to
the end of the model upload (BillableTimeInSeconds), times the instance count, at the hourly price
(https://aws.amazon.com/sagemaker/pricing/).

Projection = spend so far + the expected cost of what is running and queued:
- a running training job: its expected billed seconds less what it has billed already;
- a training job not started yet (of a running or queued candidate): its expected billed seconds.
A candidate's expected seconds per job are, best first: the mean of its own completed jobs, the
plan's expectation (catalog figures), the mean of the study's completed jobs."""

from __future__ import annotations

from statistics import fmean as mean  # floats: statistics.mean is exact through fractions, ~100x slower
from collections.abc import Callable

from jstui.domain.tuning_request import STOP_GRACE_S
from jstui.domain.snapshot import (
    NOT_LAUNCHED,
    TERMINAL_TRAINING,
    TERMINAL_TUNING,
    PlannedCandidate,
    StudySnapshot,
    TrainingJobRow,
    TuningJobRow,
)


def job_seconds(
    per_epoch_s: float | None,
    epochs: float | None,
    train_duration_s: float | None,
    overhead_s: float,
    max_runtime_s: float,
) -> float | None:
    """Expected billed seconds of one training job: epochs x seconds per epoch (else the whole
    training's duration) plus the billed download/upload around it; SageMaker stops a job at
    max_runtime_s, so never more than that. None without duration figures."""
    if per_epoch_s is not None and epochs is not None:
        seconds = per_epoch_s * epochs + overhead_s
    elif train_duration_s is not None:
        seconds = train_duration_s + overhead_s
    else:
        return None
    return min(seconds, float(max_runtime_s))


def usd(seconds: float | None, instance_count: int, usd_per_hour: float | None) -> float | None:
    """The cost of `seconds` of billed time on `instance_count` instances."""
    if seconds is None or usd_per_hour is None:
        return None
    return seconds * instance_count * usd_per_hour / 3600.0


def _completed_seconds(jobs) -> list[float]:
    return [float(t.billable_seconds) for t in jobs
            if t.status == "Completed" and t.billable_seconds and not t.cost_is_estimate]


def _billed_so_far(job: TrainingJobRow, now) -> float:
    if job.billable_seconds is not None:
        return float(job.billable_seconds)
    if job.started_at is not None and now is not None:
        return max(0.0, (now - job.started_at).total_seconds())
    return 0.0


def remaining_usd(
    row: TuningJobRow,
    jobs: tuple[TrainingJobRow, ...],
    planned: PlannedCandidate | None,
    study_mean_s: float | None,
    now,
    price_of: Callable[[str], float | None] | None = None,
) -> float | None:
    """The expected cost still to come for one candidate (0 once it ended); None when unknown."""
    if row.status in TERMINAL_TUNING or row.status == "Stopping":
        return 0.0
    own = _completed_seconds(jobs)
    per_job = mean(own) if own else (planned.expected_seconds_per_job if planned else None)
    if per_job is None:
        per_job = study_mean_s
    # the session's price table first (`jstui prices --refresh` changes it), the plan's as a fallback
    price = price_of(row.instance_type) if price_of is not None else None
    if price is None and planned is not None:
        price = planned.usd_per_hour
    if per_job is None or price is None:
        return None
    seconds = 0.0
    for t in jobs:
        if t.status not in TERMINAL_TRAINING:
            seconds += max(0.0, per_job - _billed_so_far(t, now))
    started = row.jobs_completed + row.jobs_in_progress + row.jobs_failed + row.jobs_stopped
    max_jobs = row.max_jobs or (planned.training_jobs if planned else 0)
    seconds += max(0, max_jobs - started) * per_job
    return usd(seconds, row.instance_count, price)


def projected_usd(snapshot: StudySnapshot, price_of: Callable[[str], float | None] | None = None) -> float | None:
    """Spend at completion: spend so far plus the expected cost of what is running and queued.
    None when some running or queued candidate's cost cannot be estimated (no figures, no price)."""
    planned = {p.candidate: p for p in snapshot.planned}
    study_done = _completed_seconds(snapshot.training_jobs)
    study_mean = mean(study_done) if study_done else None
    total = snapshot.spend_usd
    by_tuning_job: dict[str, list[TrainingJobRow]] = {}  # one pass (a scan per tuning job is O(N x M))
    for t in snapshot.training_jobs:
        by_tuning_job.setdefault(t.tuning_job_name, []).append(t)
    for row in snapshot.tuning_jobs:
        if row.status == NOT_LAUNCHED:
            continue
        jobs = tuple(by_tuning_job.get(row.tuning_job_name, ())) if row.tuning_job_name else ()
        left = remaining_usd(row, jobs, planned.get(row.candidate), study_mean, snapshot.taken_at, price_of)
        if left is None:
            return None
        total += left
    return total


def burn_rate_usd_per_s(snapshot: StudySnapshot, price_of: Callable[[str], float | None]) -> float:
    """What the study accrues per (backend) second right now: running training jobs x their price."""
    rate = 0.0
    for row in snapshot.tuning_jobs:
        if row.status in TERMINAL_TUNING or not row.tuning_job_name:
            continue
        price = price_of(row.instance_type) or 0.0
        rate += row.jobs_in_progress * row.instance_count * price / 3600.0
    return rate


# --- when: the same figures, as time (the TUI's ETAs; issue 19 item 3) -----------------------------
# Instance provisioning before TrainingStartTime: wall time, not billed (the plan's PROVISIONING_S).
PROVISIONING_S = 120.0


def expected_job_seconds(jobs: tuple[TrainingJobRow, ...], planned: PlannedCandidate | None,
                         study_mean_s: float | None) -> float | None:
    """Billed seconds one training job of a candidate is expected to take: the rule remaining_usd
    uses (its own completed jobs' mean, else the plan's, else the study's mean)."""
    own = _completed_seconds(jobs)
    if own:
        return mean(own)
    if planned is not None and planned.expected_seconds_per_job is not None:
        return planned.expected_seconds_per_job
    return study_mean_s


def job_eta_s(job: TrainingJobRow, per_job_s: float | None, now) -> float | None:
    """Seconds until a running training job is expected to end (0 once terminal)."""
    if job.status in TERMINAL_TRAINING:
        return 0.0
    if per_job_s is None:
        return None
    return max(0.0, per_job_s - _billed_so_far(job, now))


def candidate_eta_s(row: TuningJobRow, jobs: tuple[TrainingJobRow, ...], planned: PlannedCandidate | None,
                    study_mean_s: float | None, max_parallel_jobs: int, now) -> float | None:
    """Seconds until the candidate's tuning job is expected to end: its running training jobs'
    remaining time, then the ones not started yet, each on the first of `max_parallel_jobs` slots to
    free (provisioning, then the expected billed seconds). 0 once it ended; None without figures."""
    if row.status in TERMINAL_TUNING or row.status == "Stopping":
        return 0.0
    per_job = expected_job_seconds(jobs, planned, study_mean_s)
    if per_job is None:
        return None
    slots = [job_eta_s(t, per_job, now) or 0.0 for t in jobs if t.status not in TERMINAL_TRAINING]
    slots += [0.0] * max(0, max_parallel_jobs - len(slots))
    started = row.jobs_completed + row.jobs_in_progress + row.jobs_failed + row.jobs_stopped
    for _ in range(max(0, (row.max_jobs or (planned.training_jobs if planned else 0)) - started)):
        i = slots.index(min(slots))
        slots[i] += PROVISIONING_S + per_job
    return max(slots) if slots else 0.0


def study_eta_s(snapshot: StudySnapshot, max_parallel_jobs: Callable[[str], int],
                max_parallel_tuning_jobs: int) -> float | None:
    """Seconds until every launched or queued candidate is expected to end: running candidates hold
    their tuning-job slots for their ETA; queued ones take the first slot to free, in the study's
    order (the launcher's). None when some candidate cannot be estimated."""
    planned = {p.candidate: p for p in snapshot.planned}
    done = _completed_seconds(snapshot.training_jobs)
    study_mean = mean(done) if done else None
    running: list[float] = []
    queued: list[float] = []
    by_tuning: dict[str, list[TrainingJobRow]] = {}  # one pass: 20,000 jobs are not scanned per candidate
    for t in snapshot.training_jobs:
        by_tuning.setdefault(t.tuning_job_name, []).append(t)
    for row in snapshot.rows_with_plan():
        if row.status in TERMINAL_TUNING:
            continue
        jobs = tuple(by_tuning.get(row.tuning_job_name, ())) if row.tuning_job_name else ()
        eta = candidate_eta_s(row, jobs, planned.get(row.candidate), study_mean,
                              max_parallel_jobs(row.candidate), snapshot.taken_at)
        if eta is None:
            return None
        (running if row.tuning_job_name else queued).append(eta)
    slots = running + [0.0] * max(0, max_parallel_tuning_jobs - len(running))
    for eta in queued:
        i = slots.index(min(slots))
        slots[i] += eta
    return max(slots) if slots else 0.0


# --- the guard's look-ahead: billing before the next check (issue 16 item 2) ---------------------
def accrual_usd(snapshot: StudySnapshot, horizon_s: float, price_of: Callable[[str], float | None],
                fresh: frozenset[str] = frozenset()) -> tuple[float, float, tuple[str, ...]]:
    """(unseen, ahead, unknown): what running training jobs have billed beyond the snapshot's spend
    and will bill in the next `horizon_s`, by SageMaker's rule (billing from TrainingStartTime):

    - a job whose TrainingStartTime is known bills until its expected billed seconds are done (the
      rule remaining_usd uses), a Stopping one at most through its stop grace;
    - a job still without a start in its (possibly stale) list summary is expected to start
      PROVISIONING_S after its creation: what it would have billed since is `unseen`, and its tuning
      job is named in `unknown` so the caller can list it afresh before acting on the guess; a job
      named in `fresh` was listed just now without a start, so it starts no sooner than now.

    Jobs not created yet are left out: they provision first (PROVISIONING_S of unbilled time)."""
    now = snapshot.taken_at
    if now is None:
        return 0.0, 0.0, ()
    planned = {p.candidate: p for p in snapshot.planned}
    done = _completed_seconds(snapshot.training_jobs)
    study_mean = mean(done) if done else None
    by_tuning: dict[str, list[TrainingJobRow]] = {}
    for t in snapshot.training_jobs:
        by_tuning.setdefault(t.tuning_job_name, []).append(t)
    unseen = ahead = 0.0
    unknown: list[str] = []
    h = max(0.0, horizon_s)
    for row in snapshot.tuning_jobs:
        if not row.tuning_job_name or row.status in TERMINAL_TUNING:
            continue
        jobs = tuple(by_tuning.get(row.tuning_job_name, ()))
        per_job = expected_job_seconds(jobs, planned.get(row.candidate), study_mean)
        for t in jobs:
            if t.status in TERMINAL_TRAINING:
                continue
            price = price_of(t.instance_type)
            if price is None:
                continue
            usd_s = t.instance_count * price / 3600.0
            left = float("inf") if per_job is None else per_job
            if t.status == "Stopping" or row.status == "Stopping":
                left = min(left, float(STOP_GRACE_S))
            if t.started_at is not None:
                billed = max(0.0, (now - t.started_at).total_seconds())
                if t.status != "Stopping" and row.status != "Stopping":
                    left -= billed
                ahead += usd_s * min(h, max(0.0, left))
                continue
            created = t.created_at or now
            expected_start = created.timestamp() + PROVISIONING_S
            if t.training_job_name in fresh:
                start = max(now.timestamp(), expected_start)
                past = 0.0
            else:
                start = max(now.timestamp(), expected_start)
                past = min(max(0.0, now.timestamp() - expected_start), left)
                if past > 0 and row.tuning_job_name not in unknown:
                    unknown.append(row.tuning_job_name)
            unseen += usd_s * past
            ahead += usd_s * max(0.0, min(now.timestamp() + h - start, left - past))
    return unseen, ahead, tuple(unknown)
