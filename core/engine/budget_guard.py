"""The budget guard: after each complete refresh it checks spend plus what the running jobs will burn
before the next check against the budget, and under policy `stop` stops the study (drops what is
queued, stops running tuning jobs). It acts only on complete snapshots (never on a catch-up in
progress). A guard stop holds until the budget changes or an explicit launch resumes the study."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from collections.abc import Callable

from jstui.domain import budget, estimate
from jstui.domain.errors import JstuiError
from jstui.domain.snapshot import QUEUED, WAITING_FOR_QUOTA, StudySnapshot
from jstui.engine.journal import DROPPED, LAUNCHING, PENDING_STATES, Journal

log = logging.getLogger(__name__)

KEEP_BUDGET_CHECKS = 1000  # the guard journals every check; older ones only fill the disk


class BudgetGuard:
    def __init__(self, journal: Journal, study_name: str, budget_usd: float | None, policy: str, *, readonly: bool,
                 price_of: Callable[[str], float | None]):
        self._journal = journal
        self._study = study_name
        self.budget_usd = budget_usd
        self.policy = policy
        self._readonly = readonly
        self._price_of = price_of
        self._checks = 0
        self._last_check_at: datetime | None = None  # the previous check (backend time)
        self.stopped = self._stopped_by_guard()

    def _stopped_by_guard(self) -> bool:
        stops = self._journal.events(self._study, kind="budget-stop", limit=1)
        resumes = self._journal.events(self._study, kind="budget-resume", limit=1)
        if not stops or (resumes and resumes[-1]["id"] > stops[-1]["id"]):
            return False
        return (stops[-1]["body"] or {}).get("budget_usd") == self.budget_usd

    def resume(self, why: str) -> bool:
        """An explicit launch after a budget stop is the user's decision to go on."""
        if not self.stopped:
            return False
        self.stopped = False
        self._journal.add_event(self._study, "budget-resume", why)
        return True

    def check(
        self,
        snap: StudySnapshot,
        horizon_s: float,
        *,
        stop_tuning_job: Callable[[str, str], None],
        rebuild: Callable[[], StudySnapshot],
        learn_starts: Callable[[tuple[str, ...]], None] | None = None,
    ) -> StudySnapshot:
        """`snap` with the guard's state; under policy stop, acts first (stop_tuning_job(name, candidate)
        per running tuning job, then `rebuild` the snapshot). Before acting on a guess about unseen
        training-job starts, `learn_starts(tuning job names)` lists those tuning jobs' training jobs
        afresh (one call per 100 training jobs each; docs/reliability.md, "Budget")."""
        if not self.budget_usd:
            return snap
        # The next check comes about as long after this one as this one came after the last
        # (refreshes take time too), and never sooner than the poll interval.
        horizon = horizon_s
        if snap.taken_at is not None and self._last_check_at is not None:
            horizon = max(horizon, (snap.taken_at - self._last_check_at).total_seconds())
        self._last_check_at = snap.taken_at or self._last_check_at
        # A read-only session (plain `status`, exports) observes: it reports, never acts.
        policy = "warn" if self._readonly else self.policy
        rate, decision, unknown = self._decide(snap, horizon, policy, frozenset())
        if decision.act and unknown and learn_starts is not None:
            # The stop would rest on starts the last list did not show: look before stopping a study
            # on spend it may never have billed (jobs still provisioning bill nothing).
            learn_starts(unknown)
            snap = rebuild()
            fresh = frozenset(t.training_job_name for t in snap.training_jobs
                              if t.tuning_job_name in unknown and t.started_at is None)
            rate, decision, _ = self._decide(snap, horizon, policy, fresh)
        exhausted = None
        if not decision.act and policy == "stop" and not self.stopped:
            exhausted = self._exhausted(snap)
            if exhausted:
                decision = budget.GuardDecision("stopped", True, decision.spend_usd, decision.expected_usd, exhausted)
        at = snap.taken_at
        if not self._readonly:  # the guard's own checks, from which its overshoot can be bounded
            self._journal.add_event(
                self._study,
                "budget-check",
                f"spend {decision.spend_usd:.4f} expected {decision.expected_usd:.4f}",
                at=at,
                body={"spend_usd": decision.spend_usd, "rate_usd_per_s": rate, "expected_usd": decision.expected_usd},
            )
            self._checks += 1
            if self._checks % 100 == 0:
                self._journal.prune_events(self._study, "budget-check", keep=KEEP_BUDGET_CHECKS)
        if decision.act:
            self._stop(snap, decision, stop_tuning_job)
            return replace(rebuild(), budget_state="stopped")
        if decision.message and decision.state in ("warning", "exceeded") and not self._readonly:
            last = self._journal.events(self._study, kind=f"budget-{decision.state}", limit=1)
            if not last:
                self._journal.add_event(self._study, f"budget-{decision.state}", decision.message, at=at)
                snap = replace(snap, events=snap.events + (decision.message,))
        return replace(snap, budget_state=decision.state)

    def _decide(self, snap: StudySnapshot, horizon: float, policy: str,
                fresh: frozenset[str]) -> tuple[float, budget.GuardDecision, tuple[str, ...]]:
        """(burn rate, decision, tuning jobs whose unseen starts the decision guessed)."""
        rate = budget.burn_rate_usd_per_s(snap, self._price_of) + budget.endpoint_rate_usd_per_s(snap)
        unseen, ahead, unknown = estimate.accrual_usd(snap, horizon, self._price_of, fresh)
        lookahead = unseen + ahead + budget.endpoint_rate_usd_per_s(snap) * max(0.0, horizon)
        spend = snap.spend_usd + snap.endpoint_spend_usd  # endpoints count against the budget too
        decision = budget.decide(spend, rate, horizon, self.budget_usd, policy, already_stopped=self.stopped,
                                 lookahead_usd=lookahead,
                                 bound_usd=budget.hard_bound_usd(snap, self._price_of, horizon))
        return rate, decision, unknown if unseen > 0 else ()

    def _exhausted(self, snap: StudySnapshot) -> str | None:
        """Queued candidates none of which the budget's room can cap even at the minimum, with no
        tuning job running that would free any: the budget is spent (a message), else None."""
        if self.budget_usd is None:
            return None
        queued = [r for r in snap.tuning_jobs if r.tuning_job_name is None and r.status in (QUEUED, WAITING_FOR_QUOTA)]
        if not queued:
            return None
        room = budget.room(snap, self._price_of, self.budget_usd, "stop")
        if room.running:
            return None
        for r in queued:
            price = self._price_of(r.instance_type)
            if price is None:
                return None
            if room.fits_minimum(budget.burn_usd_per_s(price, r.instance_count, budget.parallel_of(r.max_parallel_jobs, r.max_jobs))):
                return None
        return (f"budget guard: ${snap.spend_usd + snap.endpoint_spend_usd:.2f} of ${self.budget_usd:.2f} spent; "
                f"the ${max(0.0, room.left_usd):.2f} left cannot cap even the minimum run of any of the "
                f"{len(queued)} queued candidates: launching nothing more")

    def _stop(self, snap: StudySnapshot, decision: budget.GuardDecision, stop_tuning_job: Callable[[str, str], None]) -> None:
        self.stopped = True
        self._journal.add_event(
            self._study,
            "budget-stop",
            decision.message or "budget guard stopped the study",
            at=snap.taken_at,
            body={"spend_usd": decision.spend_usd, "expected_usd": decision.expected_usd, "budget_usd": self.budget_usd},
        )
        for launch in self._journal.current_launches(self._study).values():
            if launch.state in PENDING_STATES and launch.state != LAUNCHING:
                self._journal.set_launch_state(self._study, launch.candidate, launch.generation, DROPPED, "budget guard")
        for row in budget.running_rows(snap):
            try:
                stop_tuning_job(row.tuning_job_name or "", row.candidate)
            except JstuiError as exc:  # the next check tries again
                log.warning("budget stop of %s failed: %s", row.tuning_job_name, exc)
