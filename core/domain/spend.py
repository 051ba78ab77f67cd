"""Spend (SageMaker bills training by BillableTimeInSeconds, DescribeTrainingJob): a training job costs BillableTimeInSeconds x InstanceCount x
hourly price / 3600 (spot savings are already in billable time). A running job accrues from its
TrainingStartTime to the backend's "now" and is marked an estimate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class JobSpend:
    billable_seconds: float | None
    cost_usd: float | None
    is_estimate: bool


def cost_usd(billable_seconds: float, instance_count: int, usd_per_hour: float) -> float:
    return billable_seconds * instance_count * usd_per_hour / 3600.0


def seconds_between(start: datetime | None, end: datetime | None) -> float:
    if start is None or end is None:
        return 0.0
    return max(0.0, (end - start).total_seconds())


def training_job_spend(
    *,
    status: str,
    billable_seconds: float | None,
    started_at: datetime | None,
    ended_at: datetime | None,
    now: datetime | None,
    instance_count: int,
    usd_per_hour: float | None,
) -> JobSpend:
    """Billed figures when the service reported them; otherwise an estimate from the start time
    (to the end time if terminal, else to now). No known price gives no cost, never a guess."""
    if billable_seconds is not None:
        seconds, estimate = float(billable_seconds), False
    elif status in ("Completed", "Failed", "Stopped") and ended_at is not None:
        seconds, estimate = seconds_between(started_at, ended_at), True
    else:
        seconds, estimate = seconds_between(started_at, now), True
    if usd_per_hour is None:
        return JobSpend(seconds, None, estimate)
    return JobSpend(seconds, cost_usd(seconds, instance_count, usd_per_hour), estimate)


@dataclass(frozen=True)
class SpendTotal:
    billable_seconds: float
    cost_usd: float
    is_estimate: bool


def total(spends: list[JobSpend]) -> SpendTotal:
    """Sum of jobs; an estimate as soon as one part is (a job without a price counts as estimate)."""
    seconds = sum(s.billable_seconds or 0.0 for s in spends)
    cost = sum(s.cost_usd or 0.0 for s in spends)
    estimate = any(s.is_estimate or s.cost_usd is None for s in spends)
    return SpendTotal(seconds, cost, estimate)
