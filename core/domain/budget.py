"""The budget guard. The projected total at completion and the burn rate are the one cost
estimator's (`jstui.domain.estimate`), shared with the launch plan.

Guard: at 80% of the budget a warning; with policy `stop` it acts on spend so far *plus the accrual
expected before its next check*, so the stop requests go out before the budget is crossed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from jstui.domain.estimate import burn_rate_usd_per_s, projected_usd
from jstui.domain.snapshot import StudySnapshot, TuningJobRow
from jstui.domain.spend import seconds_between

__all__ = ["burn_rate_usd_per_s", "projected_usd", "decide", "GuardDecision", "running_rows", "accrual_bound_usd"]

WARN_FRACTION = 0.8
State = Literal["ok", "warning", "stopped", "exceeded"]


@dataclass(frozen=True)
class GuardDecision:
    state: State
    act: bool  # stop everything now
    spend_usd: float
    expected_usd: float  # spend plus the accrual expected before the next check
    message: str | None


def decide(
    spend_usd: float,
    rate_usd_per_s: float,
    next_check_in_s: float,
    budget_usd: float | None,
    policy: str | None,
    already_stopped: bool = False,
) -> GuardDecision:
    """Pure: the guard's decision for one check."""
    expected = spend_usd + rate_usd_per_s * max(0.0, next_check_in_s)
    if not budget_usd:
        return GuardDecision("ok", False, spend_usd, expected, None)
    if already_stopped:
        return GuardDecision("stopped", False, spend_usd, expected, None)
    if policy == "stop" and expected >= budget_usd:
        return GuardDecision(
            "stopped",
            True,
            spend_usd,
            expected,
            f"budget guard: ${spend_usd:.2f} spent, ${expected:.2f} expected by the next check, budget "
            f"${budget_usd:.2f}: stopping every running tuning job and launching nothing more",
        )
    if spend_usd >= budget_usd:
        return GuardDecision("exceeded", False, spend_usd, expected, f"budget exceeded: ${spend_usd:.2f} of ${budget_usd:.2f}")
    if spend_usd >= WARN_FRACTION * budget_usd:
        return GuardDecision(
            "warning", False, spend_usd, expected, f"budget warning: ${spend_usd:.2f} of ${budget_usd:.2f} spent (80%)"
        )
    return GuardDecision("ok", False, spend_usd, expected, None)


def running_rows(snapshot: StudySnapshot) -> list[TuningJobRow]:
    return [r for r in snapshot.tuning_jobs if r.tuning_job_name and r.status in ("InProgress", "Stopping")]


def accrual_bound_usd(rate_usd_per_s: float, start, end) -> float:
    """The accrual between two checks: used by tests and `status` to explain an overshoot."""
    return rate_usd_per_s * seconds_between(start, end)
