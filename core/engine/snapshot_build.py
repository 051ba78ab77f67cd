"""Build a StudySnapshot from what the journal recorded (launches, the poller's API responses, the
terminal training-job cache). Pure: no I/O, so it is tested on recorded responses."""

from __future__ import annotations

import threading
from sys import intern
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal
from collections.abc import Callable

from jstui.domain import spend
from jstui.engine.journal import (DROPPED, LAUNCHED, REFUSED, WAITING, Journal, Launch, TuningJobRecord,
                                  training_job_document)
from jstui.domain.slices import parameter_scales
from jstui.domain.times import parse_time
from jstui.domain.snapshot import (
    NOT_LAUNCHED,
    QUEUED,
    WAITING_FOR_QUOTA,
    ConnectionState,
    EndpointRow,
    StudySnapshot,
    TrainingJobRow,
    TuningJobRow,
)
from jstui.domain.model import Candidate, Study

PriceOf = Callable[[str], "float | None"]

_TERMINAL_KEYS = ("TrainingJobStatus", "SecondaryStatus", "FailureReason", "BillableTimeInSeconds", "TrainingTimeInSeconds")
_TERMINAL_TIMES = ("TrainingStartTime", "TrainingEndTime", "CreationTime")


def compact_terminal(describe: dict) -> dict:
    """What a snapshot reads of a terminal training job's DescribeTrainingJob document (times parsed;
    FinalMetricDataList as one {name: value} dict under "Metrics", its names interned: 20,000 jobs x 29
    metrics as one small dict each instead of a list of dicts with their own copies of the names)."""
    out = {k: describe[k] for k in _TERMINAL_KEYS if describe.get(k) is not None}
    for k in _TERMINAL_TIMES:
        if describe.get(k) is not None:
            out[k] = parse_time(describe[k])
    rc = describe.get("ResourceConfig") or {}
    out["ResourceConfig"] = {k: rc[k] for k in ("InstanceType", "InstanceCount") if k in rc}
    out["Metrics"] = _metrics(describe)
    return out


class TerminalCache:
    """Terminal training jobs never change, so each journal document is parsed once, when it is new,
    and only what a snapshot reads is kept (a full DescribeTrainingJob document is ~3 KB of JSON; 20,000
    of them parsed every refresh cost seconds of CPU and most of a gigabyte)."""

    def __init__(self) -> None:
        self._by_name: dict[str, dict] = {}
        self._rowid = 0

    def read(self, journal: Journal) -> dict[str, dict]:
        read = 0
        while True:
            # a batch at a time: 20,000 documents are ~180 MB of text, and reading them all at once made
            # that the TUI's peak memory (bench/tui.py part 4)
            rows = journal.terminal_training_jobs_after(self._rowid, READ_BATCH)
            for rowid, name, text in rows:
                described = training_job_document(journal.path, name, text)  # a damaged row: exit 7, not a traceback
                self._by_name[name] = compact_terminal(described)
                self._rowid = rowid
            read += len(rows)
            if len(rows) < READ_BATCH:
                break
            if read % TRIM_AFTER_DOCUMENTS == 0:
                release_free_memory()
        if read >= TRIM_AFTER_DOCUMENTS:
            release_free_memory()
        return self._by_name


TRIM_AFTER_DOCUMENTS = 2000  # and every as many while reading
READ_BATCH = 500  # documents read from the journal at once (TRIM_AFTER_DOCUMENTS is a multiple)


def release_free_memory() -> None:
    """Hand the heap freed after parsing thousands of documents back to the OS. Parsing 20,000
    DescribeTrainingJob documents (first attach, a catch-up) allocates ~200 MB that is garbage a moment
    later, but glibc's allocator keeps freed heap mapped: the process stayed at ~300 MB where its live
    data was ~100 MB (measured with bench/tui.py part 4). `malloc_trim(0)` (glibc, man 3 malloc_trim)
    returns it; ctypes releases the GIL during the call. Elsewhere (not glibc) this does nothing."""
    global _malloc_trim
    if _malloc_trim is None:
        try:
            import ctypes

            _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _malloc_trim = False
    if _malloc_trim:
        _malloc_trim(0)


_malloc_trim: Any = None


@dataclass
class BuildInputs:
    study: Study
    launches: dict[str, Launch]  # current generation per candidate
    tuning: dict[str, TuningJobRecord]  # by tuning job name
    terminal: dict[str, dict]  # DescribeTrainingJob responses of terminal training jobs, by name
    now: datetime | None
    connection: ConnectionState
    price_of: PriceOf
    endpoints: tuple[EndpointRow, ...] = ()
    events: tuple[str, ...] = ()
    budget_usd: float | None = None
    budget_policy: str | None = None
    budget_state: Literal["ok", "warning", "stopped", "exceeded"] = "ok"
    projected_usd: float | None = None
    # Earlier generations (retried candidates): not shown, but their money was spent.
    earlier: tuple[Launch, ...] = ()
    rows: RowCache | None = None  # reuse the rows of tuning jobs whose inputs did not change


def _counters(source: dict) -> tuple[int, int, int, int]:
    c = source.get("TrainingJobStatusCounters") or {}
    failed = int(c.get("RetryableError", 0)) + int(c.get("NonRetryableError", 0))
    return int(c.get("Completed", 0)), int(c.get("InProgress", 0)), failed, int(c.get("Stopped", 0))


def _metrics(describe: dict | None) -> dict[str, float]:
    """FinalMetricDataList by name (a compact_terminal entry holds it already: shared, never mutated)."""
    if not describe:
        return {}
    if "Metrics" in describe:
        return describe["Metrics"]
    return {intern(m["MetricName"]): float(m["Value"]) for m in describe.get("FinalMetricDataList") or [] if "Value" in m}


def _model_id(candidate: Candidate | None, launch: Launch) -> str:
    if candidate is not None:
        return candidate.model_id or candidate.catalog_id
    return launch.model_id


def _training_rows(
    inp: BuildInputs, launch: Launch, candidate: Candidate | None, record: TuningJobRecord, best_name: str | None
) -> list[TrainingJobRow]:
    describe = record.describe or {}
    definition = describe.get("TrainingJobDefinition") or {}
    rc = definition.get("ResourceConfig") or {}
    default_type = rc.get("InstanceType") or (candidate.resources.instance_type if candidate else "")
    default_count = int(rc.get("InstanceCount") or (candidate.resources.instance_count if candidate else 1))
    rows = []
    for summary in record.training_summaries:
        name = summary["TrainingJobName"]
        cached = inp.terminal.get(name)
        src = cached or {}
        status = src.get("TrainingJobStatus") or summary.get("TrainingJobStatus", "InProgress")
        job_rc = src.get("ResourceConfig") or {}
        instance_type = job_rc.get("InstanceType") or default_type
        count = int(job_rc.get("InstanceCount") or default_count)
        started = parse_time(src.get("TrainingStartTime") or summary.get("TrainingStartTime"))
        ended = parse_time(src.get("TrainingEndTime") or summary.get("TrainingEndTime"))
        created = parse_time(src.get("CreationTime") or summary.get("CreationTime"))
        billable = src.get("BillableTimeInSeconds")
        job_spend = spend.training_job_spend(
            status=status,
            billable_seconds=billable,
            # SageMaker bills from TrainingStartTime (after an unbilled provisioning): a running job
            # accrues from it, and nothing before it is known. The list summary is refreshed only when
            # the counters change, so a start may be unseen for a while: the budget guard's estimate
            # (jstui.domain.estimate.accrual_usd) counts such jobs from their expected start and asks
            # for a fresh list before acting on it; the caps' room does not depend on it
            # (jstui.domain.budget.reserve_usd).
            started_at=started,
            ended_at=ended,
            now=inp.now,
            instance_count=count,
            usd_per_hour=inp.price_of(instance_type),
        )
        objective = (summary.get("FinalHyperParameterTuningJobObjectiveMetric") or {}).get("Value")
        rows.append(
            TrainingJobRow(
                study=inp.study.name,
                candidate=launch.candidate,
                model_id=_model_id(candidate, launch),
                tuning_job_name=record.name,
                training_job_name=name,
                status=status,
                secondary_status=src.get("SecondaryStatus"),
                failure_reason=src.get("FailureReason") or summary.get("FailureReason"),
                is_best=name == best_name,
                objective=None if objective is None else float(objective),
                hyperparameters={k: str(v) for k, v in (summary.get("TunedHyperParameters") or {}).items()},
                metrics=_metrics(cached),
                instance_type=instance_type,
                instance_count=count,
                billable_seconds=job_spend.billable_seconds,
                training_seconds=None if src.get("TrainingTimeInSeconds") is None else float(src["TrainingTimeInSeconds"]),
                cost_usd=job_spend.cost_usd,
                cost_is_estimate=job_spend.is_estimate,
                created_at=created,
                started_at=started,
                ended_at=ended,
            )
        )
    rows.sort(key=lambda r: (r.created_at is None, r.created_at, r.training_job_name))
    return rows


def _pending_status(launch: Launch) -> tuple[str, str | None]:
    if launch.state == WAITING:
        return WAITING_FOR_QUOTA, launch.reason
    if launch.state == DROPPED:
        return NOT_LAUNCHED, launch.reason or "stopped before launch"  # it never ran: not "Stopped"
    if launch.state == REFUSED:
        return QUEUED, launch.reason
    return QUEUED, launch.reason


def _launched(
    inp: BuildInputs, launch: Launch, candidate: Candidate | None, record: TuningJobRecord
) -> tuple[TuningJobRow, list[TrainingJobRow], list[str]]:
    """A launched tuning job's row, its training jobs' rows and the metric names they hold."""
    res = candidate.resources if candidate else None
    objective_name = candidate.tuning.objective if candidate else ""
    direction = candidate.tuning.direction if candidate else "Maximize"
    max_jobs = candidate.tuning.max_jobs if candidate else 0
    describe = record.describe or {}
    source = describe or record.summary or {}
    config = describe.get("HyperParameterTuningJobConfig") or {}
    objective = config.get("HyperParameterTuningJobObjective") or {}
    limits = config.get("ResourceLimits") or (record.summary or {}).get("ResourceLimits") or {}
    best = describe.get("BestTrainingJob") or {}
    best_name = best.get("TrainingJobName")
    jobs = _training_rows(inp, launch, candidate, record, best_name)
    best_row = next((j for j in jobs if j.is_best), None)
    best_value = (best.get("FinalHyperParameterTuningJobObjectiveMetric") or {}).get("Value")
    names: dict[str, None] = {}
    for j in jobs:
        names.update(dict.fromkeys(j.metrics))
    total = spend.total(
        [spend.JobSpend(j.billable_seconds, j.cost_usd, j.cost_is_estimate) for j in jobs]
    )
    completed, in_progress, failed, stopped = _counters(source)
    rc = (describe.get("TrainingJobDefinition") or {}).get("ResourceConfig") or {}
    row = TuningJobRow(
        study=inp.study.name,
        candidate=launch.candidate,
        model_id=_model_id(candidate, launch),
        tuning_job_name=record.name,
        generation=launch.generation,
        status=source.get("HyperParameterTuningJobStatus") or "InProgress",
        waiting_reason=None,
        failure_reason=describe.get("FailureReason"),
        objective_name=objective.get("MetricName") or objective_name,
        direction=objective.get("Type") or direction,
        jobs_completed=completed,
        jobs_in_progress=in_progress,
        jobs_failed=failed,
        jobs_stopped=stopped,
        max_jobs=int(limits.get("MaxNumberOfTrainingJobs") or max_jobs),
        best_training_job_name=best_name,
        best_objective=None if best_value is None else float(best_value),
        best_metrics=dict(best_row.metrics) if best_row else {},
        best_hyperparameters={k: str(v) for k, v in (best.get("TunedHyperParameters") or {}).items()},
        instance_type=rc.get("InstanceType") or (res.instance_type if res else ""),
        instance_count=int(rc.get("InstanceCount") or (res.instance_count if res else 1)),
        billable_seconds=total.billable_seconds,
        cost_usd=total.cost_usd,
        cost_is_estimate=total.is_estimate,
        created_at=parse_time(source.get("CreationTime")),
        ended_at=parse_time(source.get("HyperParameterTuningEndTime")),
        runtime_cap_s=int(limits["MaxRuntimeInSeconds"]) if limits.get("MaxRuntimeInSeconds") else None,
        max_parallel_jobs=int(limits.get("MaxParallelTrainingJobs") or 0)
        or (candidate.tuning.max_parallel_jobs if candidate else None),
        parameter_scales=parameter_scales(config.get("ParameterRanges") or {}),
    )
    return row, jobs, list(names)


@dataclass
class _Built:
    """A launched tuning job's rows and everything they were built from (compared by identity where
    the journal shares its objects: a record is the same object while its row is unchanged)."""

    study: str
    launch: Launch
    candidate: Candidate | None
    record: TuningJobRecord
    terminal: list[dict | None]  # the TerminalCache entry of each training summary, in order
    prices: dict[str, float | None]  # price_of of every instance type the rows priced
    now: datetime | None
    row: TuningJobRow
    jobs: list[TrainingJobRow]
    names: list[str]
    accruing: list[int]  # indices of jobs without billed seconds: their spend may move with the clock


class RowCache:
    """Incremental snapshot builds. A quiet refresh of a big study changes nothing the rows are built
    from but the clock, so rebuilding its 20,000 training rows from the journal every cycle was most of
    a quiet cycle's CPU. Here a tuning job's rows are rebuilt only when its journal record, its launch,
    its candidate, a training job's terminal document or a price changed; otherwise the same (frozen)
    row objects are reused, and when only the clock moved just the spend of the training jobs without
    billed seconds is recomputed (and the tuning job's totals with it). Snapshots stay immutable:
    a reused row is shared by two snapshots, which is safe because rows are frozen."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_name: dict[str, _Built] = {}

    def launched(
        self, inp: BuildInputs, launch: Launch, candidate: Candidate | None, record: TuningJobRecord
    ) -> tuple[TuningJobRow, list[TrainingJobRow], list[str]]:
        with self._lock:
            hit = self._by_name.get(record.name)
            if hit is not None and self._still_valid(hit, inp, launch, candidate, record):
                if hit.now != inp.now and hit.accruing:
                    self._accrue(hit, inp.now)
                return hit.row, hit.jobs, hit.names
            row, jobs, names = _launched(inp, launch, candidate, record)
            terminal = [inp.terminal.get(s["TrainingJobName"]) for s in record.training_summaries]
            self._by_name[record.name] = _Built(
                study=inp.study.name, launch=launch, candidate=candidate, record=record, terminal=terminal,
                prices={t: inp.price_of(t) for t in {j.instance_type for j in jobs}}, now=inp.now, row=row,
                jobs=jobs, names=names,
                accruing=[i for i, (j, src) in enumerate(zip(jobs, _terminal_in_row_order(jobs, record, terminal)))
                          if (src or {}).get("BillableTimeInSeconds") is None],
            )  # fmt: skip
            return row, jobs, names

    @staticmethod
    def _still_valid(hit: _Built, inp: BuildInputs, launch: Launch, candidate: Candidate | None, record: TuningJobRecord) -> bool:
        if hit.record is not record or hit.study != inp.study.name or hit.launch != launch or hit.candidate != candidate:
            return False
        terminal = inp.terminal
        for summary, seen in zip(record.training_summaries, hit.terminal):
            if terminal.get(summary["TrainingJobName"]) is not seen:
                return False
        return all(inp.price_of(t) == p for t, p in hit.prices.items())

    @staticmethod
    def _accrue(hit: _Built, now: datetime | None) -> None:
        """Only the clock moved: recompute the spend of jobs without billed seconds (as _training_rows does)."""
        jobs = list(hit.jobs)
        changed = False
        for i in hit.accruing:
            j = jobs[i]
            s = spend.training_job_spend(
                status=j.status, billable_seconds=None, started_at=j.started_at, ended_at=j.ended_at,
                now=now, instance_count=j.instance_count, usd_per_hour=hit.prices.get(j.instance_type),
            )  # fmt: skip
            if (s.billable_seconds, s.cost_usd, s.is_estimate) != (j.billable_seconds, j.cost_usd, j.cost_is_estimate):
                jobs[i] = replace(j, billable_seconds=s.billable_seconds, cost_usd=s.cost_usd, cost_is_estimate=s.is_estimate)
                changed = True
        hit.now = now
        if changed:
            total = spend.total([spend.JobSpend(j.billable_seconds, j.cost_usd, j.cost_is_estimate) for j in jobs])
            hit.jobs = jobs
            hit.row = replace(hit.row, billable_seconds=total.billable_seconds, cost_usd=total.cost_usd,
                              cost_is_estimate=total.is_estimate)  # fmt: skip


def _terminal_in_row_order(jobs: list[TrainingJobRow], record: TuningJobRecord, terminal: list[dict | None]) -> list[dict | None]:
    """The terminal entries in the order of the rows (_training_rows sorts them by creation time)."""
    by_name = {s["TrainingJobName"]: t for s, t in zip(record.training_summaries, terminal)}
    return [by_name.get(j.training_job_name) for j in jobs]


def build_snapshot(inp: BuildInputs) -> StudySnapshot:
    study = inp.study
    by_name = {c.name: c for c in study.candidates}
    order = [c.name for c in study.candidates] + sorted(set(inp.launches) - set(by_name))
    tuning_rows: list[TuningJobRow] = []
    training_rows: list[TrainingJobRow] = []
    metric_names: list[str] = []
    for c in study.candidates:
        for m in c.metrics:
            if m.name not in metric_names:
                metric_names.append(m.name)
    for cand_name in order:
        launch = inp.launches.get(cand_name)
        if launch is None:
            continue  # never queued: the plan shows it, the snapshot holds what runs
        candidate = by_name.get(cand_name)
        res = candidate.resources if candidate else None
        objective_name = candidate.tuning.objective if candidate else ""
        direction = candidate.tuning.direction if candidate else "Maximize"
        max_jobs = candidate.tuning.max_jobs if candidate else 0
        record = inp.tuning.get(launch.tuning_job_name) if launch.state == LAUNCHED else None
        if record is None:
            status, reason = _pending_status(launch) if launch.state != LAUNCHED else ("InProgress", None)
            tuning_rows.append(
                TuningJobRow(
                    study=study.name,
                    candidate=cand_name,
                    model_id=_model_id(candidate, launch),
                    tuning_job_name=launch.tuning_job_name if launch.state == LAUNCHED else None,
                    generation=launch.generation,
                    status=status,
                    waiting_reason=reason,
                    failure_reason=None,
                    objective_name=objective_name,
                    direction=direction,
                    jobs_completed=0,
                    jobs_in_progress=0,
                    jobs_failed=0,
                    jobs_stopped=0,
                    max_jobs=max_jobs,
                    best_training_job_name=None,
                    best_objective=None,
                    best_metrics={},
                    best_hyperparameters={},
                    instance_type=res.instance_type if res else "",
                    instance_count=res.instance_count if res else 1,
                    billable_seconds=0.0,
                    cost_usd=0.0,
                    cost_is_estimate=False,
                    created_at=None,
                    ended_at=None,
                    max_parallel_jobs=candidate.tuning.max_parallel_jobs if candidate else None,
                )
            )
            continue
        if inp.rows is not None:
            row, jobs, names = inp.rows.launched(inp, launch, candidate, record)
        else:
            row, jobs, names = _launched(inp, launch, candidate, record)
        training_rows.extend(jobs)
        for metric in names:
            if metric not in metric_names:
                metric_names.append(metric)
        tuning_rows.append(row)
    spent = sum(t.cost_usd for t in tuning_rows)
    earlier_estimate = False
    for launch in inp.earlier:
        record = inp.tuning.get(launch.tuning_job_name)
        if record is None:
            continue
        jobs = _training_rows(inp, launch, by_name.get(launch.candidate), record, None)
        spent += sum(j.cost_usd or 0.0 for j in jobs)
        earlier_estimate = earlier_estimate or any(j.cost_is_estimate for j in jobs)
    endpoint_spend = sum(e.accrued_usd or 0.0 for e in inp.endpoints)
    return StudySnapshot(
        study=study.name,
        backend=study.backend,
        region=study.region,
        taken_at=inp.now,
        connection=inp.connection,
        tuning_jobs=tuple(tuning_rows),
        training_jobs=tuple(training_rows),
        endpoints=tuple(inp.endpoints),
        metric_names=tuple(metric_names),
        spend_usd=spent,
        spend_is_estimate=earlier_estimate or any(t.cost_is_estimate for t in tuning_rows),
        projected_usd=inp.projected_usd,
        endpoint_spend_usd=endpoint_spend,
        budget_usd=inp.budget_usd,
        budget_policy=inp.budget_policy,
        budget_state=inp.budget_state,
        events=tuple(inp.events),
    )
