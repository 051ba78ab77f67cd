"""The budget: the guard's decision, and the hard budget the service enforces (issue 16, "Money").

Hard budget (policy `stop`). SageMaker bounds a tuning job's spend only by its
`ResourceLimits.MaxRuntimeInSeconds` (120 s .. 15,768,000 s, botocore's model, shape
HyperParameterTuningMaxRuntimeInSeconds), fixed at creation, and a stop ends a training job only after
its container's grace period (`tuning_request.STOP_GRACE_S`). So a tuning job capped at C seconds with
P parallel training jobs bills at most P x instances x price x (C + grace) — the bound counts every
parallel job as billing from the tuning job's creation, though SageMaker bills from TrainingStartTime,
after an unbilled provisioning whose length nobody guarantees. jstui launches a candidate only when
that bound fits the budget's *room*:

    room = budget - spend so far (training and endpoints) - what each running tuning job can still
           bill under its own cap (`reserve_usd`)

Each launch takes from the room the cap its expected run needs (`need_s`: the one estimator's figures,
with a margin); a candidate whose need does not fit waits while running tuning jobs may still free
room; when nothing runs, the next candidate whose minimum cap (120 s) fits gets the whole room (a run
cut short at its cap: the budget is spent); when not even that fits, the study is out of budget
(`Room.exhausted`). So, with jstui killed right after its launches, the service stops every job within
the budget by itself.

Guard: at 80% of the budget a warning; with policy `stop` it acts on spend so far *plus the billing
expected before its next check* (`jstui.domain.estimate.accrual_usd`: only jobs that bill before the
next check count, each from its TrainingStartTime), so the stop requests go out before the budget is
crossed — unless the caps already bound the spend within the budget (`hard_bound_usd`), when a stop
could only waste what the caps allow."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from jstui.domain.endpoints import BILLED_STATUSES
from jstui.domain.estimate import PROVISIONING_S, burn_rate_usd_per_s, expected_job_seconds, projected_usd, remaining_usd
from jstui.domain.snapshot import NOT_LAUNCHED, TERMINAL_TUNING, StudySnapshot, TrainingJobRow, TuningJobRow
from jstui.domain.spend import seconds_between
from jstui.domain.tuning_request import MAX_TUNING_RUNTIME_S, MIN_TUNING_RUNTIME_S, STOP_GRACE_S

__all__ = ["burn_rate_usd_per_s", "projected_usd", "decide", "GuardDecision", "running_rows", "accrual_bound_usd",
           "Room", "room", "reserve_usd", "hard_bound_usd", "need_s", "min_cap_usd", "cap_usd", "minimum_lines"]

WARN_FRACTION = 0.8
# A cap sized to the expected run would cut a run a little slower than expected (provisioning on the
# real service often takes longer than the estimator's 120 s): the need is the expected run x 1.5.
NEED_MARGIN = 1.5
State = Literal["ok", "warning", "stopped", "exceeded"]
PriceOf = Callable[[str], "float | None"]


# --- cap arithmetic ----------------------------------------------------------------------------
def parallel_of(max_parallel_jobs: int | None, max_jobs: int | None) -> int:
    """Training jobs of one tuning job that can bill at once."""
    p = max(1, max_parallel_jobs or 1)
    return max(1, min(p, max_jobs)) if max_jobs else p


def burn_usd_per_s(price: float, instance_count: int, parallel: int) -> float:
    return price * max(1, instance_count) * max(1, parallel) / 3600.0


def cap_usd(cap_s: float, burn: float) -> float:
    """The most a tuning job capped at `cap_s` can bill (every parallel job billing, plus the stop grace)."""
    return burn * (cap_s + STOP_GRACE_S)


def min_cap_usd(burn: float) -> float:
    return cap_usd(MIN_TUNING_RUNTIME_S, burn)


def need_s(training_jobs: int, parallel: int, per_job_s: float | None) -> float | None:
    """The cap a candidate's expected run needs: its waves of training jobs, each provisioning then
    billing `per_job_s` (the estimator's), times NEED_MARGIN. None without figures."""
    if per_job_s is None:
        return None
    waves = math.ceil(max(1, training_jobs) / max(1, parallel))
    wall = waves * (PROVISIONING_S + per_job_s)
    return float(min(MAX_TUNING_RUNTIME_S, max(MIN_TUNING_RUNTIME_S, NEED_MARGIN * wall)))


def _row_parallel(row: TuningJobRow) -> int:
    return parallel_of(row.max_parallel_jobs, row.max_jobs)


def reserve_usd(row: TuningJobRow, now: datetime | None, price: float | None) -> float | None:
    """What a launched, unfinished tuning job can still bill, at most: its cap's bound less what it
    has billed (row.cost_usd, accrued from TrainingStartTime). Holds however stale the list of its
    training jobs is: an unseen start under-counts the cost and the room alike. Stopping without a
    cap: its running training jobs through the stop grace. Uncapped: None (no hard bound)."""
    if row.tuning_job_name is None or row.status in TERMINAL_TUNING:
        return 0.0
    if price is None:
        return None
    burn = burn_usd_per_s(price, row.instance_count, _row_parallel(row))
    if row.runtime_cap_s:
        return max(0.0, cap_usd(row.runtime_cap_s, burn) - row.cost_usd)
    if row.status == "Stopping":
        return burn_usd_per_s(price, row.instance_count, max(1, row.jobs_in_progress)) * STOP_GRACE_S
    return None


def hard_bound_usd(snap: StudySnapshot, price_of: PriceOf, horizon_s: float = 0.0) -> float | None:
    """The most the study can have billed by the next check (`horizon_s` away) with every running
    tuning job ended by its cap at the latest: spend so far (endpoints included), every reserve, and
    the endpoints' accrual until then (nothing caps an endpoint). None when a running tuning job has
    no cap."""
    total = snap.spend_usd + snap.endpoint_spend_usd + endpoint_rate_usd_per_s(snap) * max(0.0, horizon_s)
    for row in snap.tuning_jobs:
        r = reserve_usd(row, snap.taken_at, price_of(row.instance_type))
        if r is None:
            return None
        total += r
    return total


# --- the room: what the budget still lets jstui launch -------------------------------------------
@dataclass
class Room:
    """The budget's room for launches (policy stop), used up as the launcher launches. `hard` False
    (policy warn): every launch gets the whole room as its cap and nothing waits."""

    budget_usd: float
    left_usd: float
    running: int  # launched tuning jobs not ended: they free room when they end
    hard: bool = True
    needs: dict[str, float | None] = field(default_factory=dict)  # candidate -> need_s

    def allot(self, candidate: str, burn: float, share_n: int = 1, last_resort: bool = False) -> float | None:
        """Dollars of the budget a launch of `candidate` now takes (its cap's bound), or None when it
        must wait. Taken from the room at once (launches in one cycle share it). `last_resort` (no
        queued candidate's need fits): with nothing running, the whole room if the minimum fits."""
        floor = min_cap_usd(burn)
        if not self.hard:
            return max(floor, self.left_usd)
        need = self.needs.get(candidate)
        if need is not None and cap_usd(need, burn) <= self.left_usd:
            usd = cap_usd(need, burn)
        elif need is None and self.left_usd / max(1, share_n) >= floor:
            usd = self.left_usd / max(1, share_n)
        elif last_resort and self.running == 0 and self.left_usd >= floor:
            usd = self.left_usd  # nothing will free room: the rest of the budget, a run cut at its cap
        else:
            return None
        self.left_usd -= usd
        self.running += 1
        return usd

    def fits_minimum(self, burn: float) -> bool:
        return self.left_usd >= min_cap_usd(burn)

    def why_waiting(self, candidate: str, burn: float) -> str:
        need = self.needs.get(candidate)
        if need is not None and self.fits_minimum(burn):
            what = f"the cap its expected run needs (${cap_usd(need, burn):.2f})"
        else:
            what = f"even its minimum {MIN_TUNING_RUNTIME_S} s cap (${min_cap_usd(burn):.2f})"
        tail = ("; it waits for running tuning jobs to end" if self.running else
                "; nothing running will free any: the budget is spent")
        return (f"budget: the ${max(0.0, self.left_usd):.2f} of ${self.budget_usd:.2f} not yet spent or held by "
                f"running jobs' caps cannot cover {what} for {candidate}{tail}")


def room(snap: StudySnapshot, price_of: PriceOf, budget_usd: float, policy: str) -> Room:
    """The room from a complete snapshot (its rows carry each tuning job's cap and parallelism)."""
    planned = {p.candidate: p for p in snap.planned}
    left = budget_usd - snap.spend_usd - snap.endpoint_spend_usd
    running = 0
    by_tuning: dict[str, list[TrainingJobRow]] = {}
    for t in snap.training_jobs:
        by_tuning.setdefault(t.tuning_job_name, []).append(t)
    done = [float(t.billable_seconds) for t in snap.training_jobs
            if t.status == "Completed" and t.billable_seconds and not t.cost_is_estimate]
    study_mean = sum(done) / len(done) if done else None
    needs: dict[str, float | None] = {}
    for row in snap.tuning_jobs:
        if row.tuning_job_name is not None and row.status not in TERMINAL_TUNING:
            running += 1
            if policy == "stop":
                price = price_of(row.instance_type)
                jobs = tuple(by_tuning.get(row.tuning_job_name, ()))
                soft = remaining_usd(row, jobs, planned.get(row.candidate), study_mean, snap.taken_at, price_of)
                hard = reserve_usd(row, snap.taken_at, price)
                left -= hard if hard is not None else (soft or 0.0)
        elif row.tuning_job_name is None and row.status != NOT_LAUNCHED:
            p = planned.get(row.candidate)
            per_job = expected_job_seconds((), p, study_mean)
            needs[row.candidate] = need_s(row.max_jobs or (p.training_jobs if p else 1), _row_parallel(row), per_job)
    return Room(budget_usd, left, running, hard=policy == "stop", needs=needs)


def minimum_lines(budget_usd: float | None, policy: str, rows: list[tuple[str, float | None]]) -> list[str]:
    """The plan's line when some candidates' minimum cap alone cannot fit the budget (rows: candidate
    and its parallel burn in $/s, None when unpriced). Empty when every minimum fits."""
    if not budget_usd or policy != "stop":
        return []
    too_big = [(c, b) for c, b in rows if b is not None and min_cap_usd(b) > budget_usd]
    if not too_big:
        return []
    shown = ", ".join(f"{c} (${min_cap_usd(b):,.2f})" for c, b in too_big[:3])
    if len(too_big) > 3:
        shown += f" and {len(too_big) - 3} more"
    n = len(too_big)
    return [f"Budget ${budget_usd:,.2f} cannot cap even the minimum run ({MIN_TUNING_RUNTIME_S} s + "
            f"{STOP_GRACE_S} s stop grace, every parallel training job billing) of {n} candidate"
            f"{'s' if n != 1 else ''}: {shown}; {'they' if n != 1 else 'it'} will not be launched"]


# --- the guard's decision ----------------------------------------------------------------------
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
    *,
    lookahead_usd: float | None = None,
    bound_usd: float | None = None,
) -> GuardDecision:
    """Pure: the guard's decision for one check. `lookahead_usd` (the estimator's billing before the
    next check) replaces rate x interval when given; `bound_usd` (the caps' hard bound, None when some
    running job is uncapped) within the budget means the service itself stops spend in time."""
    ahead = lookahead_usd if lookahead_usd is not None else rate_usd_per_s * max(0.0, next_check_in_s)
    expected = spend_usd + ahead
    if not budget_usd:
        return GuardDecision("ok", False, spend_usd, expected, None)
    if already_stopped:
        return GuardDecision("stopped", False, spend_usd, expected, None)
    capped = bound_usd is not None and bound_usd <= budget_usd
    if policy == "stop" and expected >= budget_usd and not capped:
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


def endpoint_rate_usd_per_s(snap: StudySnapshot) -> float:
    return sum((e.usd_per_hour or 0.0) / 3600.0 for e in snap.endpoints if e.status in BILLED_STATUSES)
