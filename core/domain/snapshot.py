"""The immutable snapshot of a study that the poller publishes and everything else reads
(TUI tables and plot, exports, `status`, the budget guard). Plain frozen dataclasses:
cheap to build, safe to hand to another thread."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

# SageMaker's words, plus two of ours for candidates that are not launched yet.
QUEUED = "Queued"
WAITING_FOR_QUOTA = "WaitingForQuota"
# ours too: a candidate that never ran (dropped from the queue by a stop or the budget guard)
NOT_LAUNCHED = "NotLaunched"
TERMINAL_TUNING = frozenset({"Completed", "Failed", "Stopped", "DeleteFailed", NOT_LAUNCHED})
TERMINAL_TRAINING = frozenset({"Completed", "Failed", "Stopped"})


@dataclass(frozen=True, slots=True)  # slots: 20,000 rows without a __dict__ each (~1 KB)
class TrainingJobRow:
    study: str
    candidate: str
    model_id: str
    tuning_job_name: str
    training_job_name: str
    status: str  # InProgress | Completed | Failed | Stopping | Stopped
    secondary_status: str | None
    failure_reason: str | None
    is_best: bool
    objective: float | None  # FinalHyperParameterTuningJobObjectiveMetric value
    hyperparameters: dict[str, str]  # TunedHyperParameters only
    metrics: dict[str, float]  # FinalMetricDataList, by metric name (empty until described)
    instance_type: str
    instance_count: int
    billable_seconds: float | None
    training_seconds: float | None
    cost_usd: float | None
    cost_is_estimate: bool  # True while running (accrued from TrainingStartTime) or priced by estimate
    created_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None


@dataclass(frozen=True, slots=True)  # slots: 20,000 rows without a __dict__ each (~1 KB)
class TuningJobRow:
    study: str
    candidate: str
    model_id: str
    tuning_job_name: str | None  # None while Queued / WaitingForQuota
    generation: int
    status: str  # SageMaker's status, or Queued / WaitingForQuota
    waiting_reason: str | None  # why a queued candidate is not launched yet
    failure_reason: str | None
    objective_name: str
    direction: str  # Maximize | Minimize
    jobs_completed: int
    jobs_in_progress: int
    jobs_failed: int
    jobs_stopped: int
    max_jobs: int
    best_training_job_name: str | None
    best_objective: float | None
    best_metrics: dict[str, float]  # the best training job's FinalMetricDataList
    best_hyperparameters: dict[str, str]  # its TunedHyperParameters
    instance_type: str
    instance_count: int
    billable_seconds: float
    cost_usd: float
    cost_is_estimate: bool
    created_at: datetime | None
    ended_at: datetime | None
    planned_usd: float | None = None  # the plan's expected cost of the candidate (rows_with_plan)
    runtime_cap_s: int | None = None  # ResourceLimits.MaxRuntimeInSeconds (jstui sets it from the budget)
    max_parallel_jobs: int | None = None  # ResourceLimits.MaxParallelTrainingJobs (queued: the candidate's)
    # each tuned hyperparameter's scale, from the tuning job's ParameterRanges (DescribeHyperParameterTuningJob):
    # a numeric range's ScalingType (Auto | Linear | Logarithmic | ReverseLogarithmic; Auto when left out), or
    # "Categorical" (the slice view draws log ranges on a log axis, categories as categories)
    parameter_scales: dict[str, str] = field(default_factory=dict)

    @property
    def ended_at_runtime_cap(self) -> bool:
        """The service ended it at its runtime cap (it ran the whole MaxRuntimeInSeconds), not because
        its training jobs were done or someone stopped it sooner."""
        if not self.runtime_cap_s or self.created_at is None or self.ended_at is None:
            return False
        ran = (self.ended_at - self.created_at).total_seconds()
        return self.status in ("Stopped", "Completed", "Failed") and ran >= self.runtime_cap_s and (
            self.jobs_completed + self.jobs_failed < self.max_jobs
        )


@dataclass(frozen=True)
class EndpointRow:
    name: str
    status: str  # Creating | InService | Updating | Deleting | Failed | ...
    candidate: str | None
    training_job_name: str | None
    instance_type: str
    instance_count: int
    usd_per_hour: float | None
    accrued_usd: float | None
    created_at: datetime | None
    failure_reason: str | None = None


@dataclass(frozen=True)
class PlannedCandidate:
    """The launch plan's figures for one candidate of the study (launched or not)."""

    candidate: str
    model_id: str
    training_jobs: int
    instance_type: str
    instance_count: int
    usd_per_hour: float | None
    expected_seconds_per_job: float | None  # billed seconds of one training job (jstui.domain.estimate)
    expected_usd: float | None
    max_usd: float | None
    objective_name: str = ""
    direction: str = "Maximize"


@dataclass(frozen=True)
class ConnectionState:
    state: Literal["ok", "retrying", "offline", "connecting", "expired"] = "connecting"  # expired: credentials
    retry_in_s: float | None = None
    message: str | None = None  # the last error, one line


@dataclass(frozen=True)
class StudySnapshot:
    study: str
    backend: str
    region: str
    taken_at: datetime | None  # the backend's clock at the refresh (simulated on the emulator)
    connection: ConnectionState
    tuning_jobs: tuple[TuningJobRow, ...]
    training_jobs: tuple[TrainingJobRow, ...]
    endpoints: tuple[EndpointRow, ...] = ()
    metric_names: tuple[str, ...] = ()  # every metric seen, in definition order
    spend_usd: float = 0.0
    spend_is_estimate: bool = False
    projected_usd: float | None = None
    endpoint_spend_usd: float = 0.0
    budget_usd: float | None = None
    budget_policy: str | None = None
    budget_state: Literal["ok", "warning", "stopped", "exceeded"] = "ok"
    events: tuple[str, ...] = field(default_factory=tuple)  # recent one-line events, newest last
    planned: tuple[PlannedCandidate, ...] = ()  # the plan's figures for every candidate of the study

    def training_jobs_of(self, tuning_job_name: str) -> tuple[TrainingJobRow, ...]:
        return tuple(t for t in self.training_jobs if t.tuning_job_name == tuning_job_name)

    def not_launched(self) -> tuple[PlannedCandidate, ...]:
        """The study's candidates a launch would queue: never queued, or dropped before they ran."""
        queued = {t.candidate for t in self.tuning_jobs if t.status != NOT_LAUNCHED}
        return tuple(p for p in self.planned if p.candidate not in queued)

    def rows_with_plan(self) -> tuple[TuningJobRow, ...]:
        """Every candidate of the study, in the study's order: the tuning rows with the plan's
        expected cost, and a NotLaunched row for each candidate never queued (a study not launched
        yet lists all its candidates, with what they are expected to cost). Computed once per snapshot
        (the TUI asks several times a refresh; 1,000 rows cost ~25 ms): treat the rows as read-only."""
        cached = self.__dict__.get("_rows_with_plan")
        if cached is None:
            cached = self._rows_with_plan()
            object.__setattr__(self, "_rows_with_plan", cached)  # a cache, not a field: eq, replace ignore it
        return cached

    def _rows_with_plan(self) -> tuple[TuningJobRow, ...]:
        global _PLANNED_ROWS
        seen: dict[int, tuple[TuningJobRow, float | None, TuningJobRow]] = {}
        planned = {p.candidate: p for p in self.planned}
        rows = {t.candidate: t for t in self.tuning_jobs}
        out = []
        for name in [p.candidate for p in self.planned] + [t.candidate for t in self.tuning_jobs if t.candidate not in planned]:
            p = planned.get(name)
            row = rows.get(name)
            if row is not None:
                out.append(row if p is None or row.planned_usd == p.expected_usd else _with_plan(row, p.expected_usd, seen))
            elif p is not None:
                out.append(TuningJobRow(
                    study=self.study, candidate=name, model_id=p.model_id, tuning_job_name=None, generation=0,
                    status=NOT_LAUNCHED, waiting_reason="not launched", failure_reason=None,
                    objective_name=p.objective_name, direction=p.direction, jobs_completed=0, jobs_in_progress=0, jobs_failed=0, jobs_stopped=0,
                    max_jobs=p.training_jobs, best_training_job_name=None, best_objective=None, best_metrics={},
                    best_hyperparameters={}, instance_type=p.instance_type, instance_count=p.instance_count,
                    billable_seconds=0.0, cost_usd=0.0, cost_is_estimate=False, created_at=None, ended_at=None,
                    planned_usd=p.expected_usd,
                ))
        _PLANNED_ROWS = seen
        return tuple(out)

    def counts_by_status(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for t in self.tuning_jobs:
            out[t.status] = out.get(t.status, 0) + 1
        return out


# The engine reuses unchanged rows between snapshots (jstui.engine.snapshot_build.RowCache): their
# copies with the plan's figure are reused too, from the last snapshot's (replace() of 1,000 rows every
# refresh held the TUI's thread ~25 ms). Keyed by the row's id, with the row kept so the id stays its own.
_PLANNED_ROWS: dict[int, tuple[TuningJobRow, float | None, TuningJobRow]] = {}


def _with_plan(row: TuningJobRow, planned_usd: float | None, seen: dict) -> TuningJobRow:
    hit = _PLANNED_ROWS.get(id(row))
    if hit is None or hit[0] is not row or hit[1] != planned_usd:
        hit = (row, planned_usd, replace(row, planned_usd=planned_usd))
    seen[id(row)] = hit
    return hit[2]
