"""The incremental poller (docs/architecture.md, "Polling"): one cycle lists the study's tuning jobs
(ListHyperParameterTuningJobs, 100 a page, by name prefix) and then spends calls only where something
changed: DescribeHyperParameterTuningJob when a job's summary changed, its training-job list when its
counters changed, DescribeTrainingJob once per terminal training job (cached in the journal forever).
A quiet cycle therefore costs ceil(N/100) calls. "Now" is the backend's clock, read from the `Date`
header of the list response (the emulator's is simulated), which costs no extra call.

Catch-up (first attach, or many jobs changed since the last cycle): where SageMaker's `Search` costs fewer
calls than describing one by one, full records come 100 a call instead (Search, Resource
HyperParameterTuningJob by name; Resource TrainingJob by `TuningJobArn In ...`; API reference:
https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_Search.html). Search reads an index that
may trail Describe: a tuning-job record whose status/counters differ from the list summary, or a tuning
job whose training-job records trail its counters (fewer jobs, or fewer ended), is described the classic
way, so what just ended is described, never missed. Where Search is refused (AccessDenied, or a service without it), the
poller describes as before for the rest of the session. `progress` is called after each batch is
journaled, so a caller can show rows as they arrive (never act on them: the cycle is not complete)."""

from __future__ import annotations

import json
import logging
import math
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Literal
from collections.abc import Callable, Iterator
from datetime import datetime, UTC
from email.utils import parsedate_to_datetime

from botocore.exceptions import BotoCoreError, ClientError

from jstui.domain import naming
from jstui.aws.clients import Clients, error_code, error_message
from jstui.aws.errors import expired_message, is_expired_credentials, is_not_found, is_unreachable
from jstui.engine.journal import LAUNCHED, Journal
from jstui.domain.snapshot import TERMINAL_TRAINING, ConnectionState
from jstui.domain.model import Study

log = logging.getLogger(__name__)

PAGE = 100
# Search queries in flight at once during a catch-up: at 150 ms a call one at a time reaches ~5 calls a
# second, the assumed rate limit (docs/performance-real-service.md); a few more keep the limit, not the
# latency, the bound. Above the limit the service throttles and botocore's adaptive mode slows down.
SEARCH_CONCURRENCY = 3
FILTER_VALUE_MAX = 1024  # botocore: FilterValue max length (an `In` value lists ARNs comma-separated)
SEARCH_UNUSABLE = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "ValidationException",
                   "UnknownOperationException", "UnsupportedOperation"}
TERMINAL_COUNTERS = ("Completed", "RetryableError", "NonRetryableError", "Stopped")
MAX_BACKOFF_S = 60.0
OFFLINE_AFTER = 3
GONE_KEY = "jstui:gone"  # marks the journal's placeholder for a job the service does not know  # consecutive connection failures before we say "offline"


def response_time(response: dict) -> datetime | None:
    """The backend's clock from a response's Date header (simulated on the emulator)."""
    headers = (response.get("ResponseMetadata") or {}).get("HTTPHeaders") or {}
    date = headers.get("date")
    if not date:
        return None
    try:
        t = parsedate_to_datetime(date)
    except (TypeError, ValueError):
        return None
    # "-0000" / naive forms mean UTC too; aware everywhere so ages can be subtracted.
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def summary_fingerprint(summary: dict) -> str:
    """What in a tuning job's list summary means "describe it again"."""
    keys = (
        "HyperParameterTuningJobStatus",
        "TrainingJobStatusCounters",
        "ObjectiveStatusCounters",
        "HyperParameterTuningEndTime",
        "LastModifiedTime",
    )
    return json.dumps({k: summary.get(k) for k in keys}, sort_keys=True, default=str)


def counters_key(source: dict) -> str:
    return json.dumps(source.get("TrainingJobStatusCounters") or {}, sort_keys=True)


def _not_found(exc: ClientError) -> bool:
    """SageMaker answers a Describe of an unknown job with ValidationException (not ResourceNotFound)."""
    return is_not_found(exc)


def gone(name: str) -> dict:
    """What the journal records for a launched job the service no longer knows (deleted, or the
    journal points at another account, region or emulator state): Failed, so it can be retried."""
    return {
        "HyperParameterTuningJobName": name,
        "HyperParameterTuningJobStatus": "Failed",
        "FailureReason": "the service does not know this tuning job (deleted, or another account, region or "
        "emulator state); `jstui launch --retry-failed` launches it again",
        "TrainingJobStatusCounters": {},
        GONE_KEY: True,
    }


@dataclass(frozen=True)
class PollResult:
    now: datetime | None
    described: int  # tuning jobs described this cycle (0 in a quiet cycle)
    listed: int  # training-job lists fetched
    training_described: int
    searched: int = 0  # Search calls (catch-up)


def _total(describe: dict) -> tuple[int, int]:
    """(training jobs, terminal training jobs) by a tuning job's counters."""
    c = describe.get("TrainingJobStatusCounters") or {}
    return sum(int(v) for v in c.values()), sum(int(c.get(k, 0)) for k in TERMINAL_COUNTERS)


def _fresh(summary: dict) -> bool:
    """Just created: in progress, no training job started yet."""
    return summary.get("HyperParameterTuningJobStatus") == "InProgress" and _total(summary)[0] == 0


def from_request(request: dict, summary: dict) -> dict:
    """What DescribeHyperParameterTuningJob would say of a tuning job created a moment ago: its
    CreateHyperParameterTuningJob request (the definition) with the list summary's state. Described
    for real as soon as its summary changes (its fingerprint is the summary's)."""
    out = {k: v for k, v in request.items() if k != "Tags"}
    for key in ("HyperParameterTuningJobArn", "HyperParameterTuningJobStatus", "CreationTime", "LastModifiedTime",
                "TrainingJobStatusCounters", "ObjectiveStatusCounters"):
        if key in summary:
            out[key] = summary[key]
    return out


def summary_from_record(record: dict, tuning_name: str, describe: dict) -> dict:
    """What ListTrainingJobsForHyperParameterTuningJob says of a training job, read off its Search
    record (the shapes HyperParameterTrainingJobSummary and TrainingJob in botocore's model): tuned
    hyperparameters are those of the tuning job's ParameterRanges, the objective is the final metric of
    the tuning job's objective for a job that ended Completed or Stopped."""
    config = describe.get("HyperParameterTuningJobConfig") or {}
    ranges = config.get("ParameterRanges") or {}
    tuned = {r["Name"] for kind in ranges.values() for r in kind or []}
    objective = config.get("HyperParameterTuningJobObjective") or {}
    status = record.get("TrainingJobStatus")
    out = {
        "TrainingJobName": record["TrainingJobName"],
        "TrainingJobArn": record.get("TrainingJobArn"),
        "TuningJobName": tuning_name,
        "CreationTime": record.get("CreationTime"),
        "TrainingJobStatus": status,
        "TunedHyperParameters": {k: v for k, v in (record.get("HyperParameters") or {}).items() if k in tuned},
    }
    for key in ("TrainingStartTime", "TrainingEndTime", "FailureReason"):
        if record.get(key) is not None:
            out[key] = record[key]
    if status in ("Completed", "Stopped") and record.get("TrainingEndTime") is not None:
        for m in record.get("FinalMetricDataList") or []:
            if m.get("MetricName") == objective.get("MetricName") and "Value" in m:
                out["FinalHyperParameterTuningJobObjectiveMetric"] = {
                    "Type": objective.get("Type"), "MetricName": m["MetricName"], "Value": m["Value"]}
    return out


def arn_groups(arns: list[str], limit: int = FILTER_VALUE_MAX, totals: list[int] | None = None) -> list[list[str]]:
    """ARNs in groups whose comma-joined text fits one Filter Value. With `totals` (training jobs per
    ARN), a group that would end in a part-filled page is cut where its count last filled whole pages,
    so the rest start the next group instead of costing a call each: 10 tuning jobs of 20 take 2 pages,
    11 of them 3."""
    groups: list[list[str]] = []
    i = 0
    while i < len(arns):
        j, size, count, whole = i, -1, 0, None
        while j < len(arns) and (j == i or size + 1 + len(arns[j]) <= limit):
            size += 1 + len(arns[j])
            count += totals[j] if totals else 0
            j += 1
            if totals and count and count % PAGE == 0:
                whole = j
        if whole is not None and j < len(arns) and count % PAGE:
            j = whole
        groups.append(arns[i:j])
        i = j
    return groups


class Poller:
    def __init__(self, clients: Clients, journal: Journal, study: Study):
        self.clients = clients
        self.journal = journal
        self.study = study
        self.failures = 0
        self.connection = ConnectionState("connecting")
        self.last_now: datetime | None = None
        self._retry_at = 0.0  # monotonic time before which a new attempt is not due
        self.search_usable = True  # False once the service refused Search (then: describe, as before)
        # Requests of tuning jobs this process created (the launcher's): a job seen for the first time
        # with no training job yet is described by its request and list summary, without a call.
        self.created: dict[str, dict] = {}
        self._renew = False  # credentials expired: re-resolve them right before the next attempt

    @property
    def _sm(self):
        return self.clients.sagemaker_poll or self.clients.sagemaker

    # --- backoff ---------------------------------------------------------------------------
    def due(self) -> bool:
        return time.monotonic() >= self._retry_at

    def backoff_s(self) -> float:
        return min(MAX_BACKOFF_S, 2.0 ** max(0, self.failures - 1)) if self.failures else 0.0

    def record_failure(self, exc: BaseException) -> None:
        self.failures += 1
        delay = self.backoff_s()
        self._retry_at = time.monotonic() + delay
        message = f"{error_code(exc)}: {error_message(exc)}" if isinstance(exc, ClientError) else str(exc)
        message = " ".join(message.split())[:200]
        state: Literal["offline", "retrying", "expired"] = (
            "offline" if is_unreachable(exc) and self.failures >= OFFLINE_AFTER else "retrying"
        )
        if is_expired_credentials(exc) and self.clients.backend != "emulator":
            # Expired SSO/assumed-role credentials: say how to renew them, and re-resolve the credential
            # chain so the next attempt (after the usual backoff) signs with whatever works by then.
            state, message = "expired", expired_message(self.clients.renew_hint(), resumes=True)
            self._renew = True
        self.connection = ConnectionState(state, retry_in_s=delay, message=message)
        log.info("poll failed (%s), retrying in %.0f s: %s", state, delay, message)

    def record_success(self) -> None:
        self.failures = 0
        self._retry_at = 0.0
        self.connection = ConnectionState("ok")

    # --- one cycle -------------------------------------------------------------------------
    def poll_once(self, progress: Callable[[], None] | None = None) -> PollResult:
        """One incremental cycle. Raises botocore errors (the caller records them)."""
        if self._renew:
            self._renew = False
            self.clients.renew_credentials()
        sm = self._sm
        wanted = {
            l.tuning_job_name: l
            for l in self.journal.launches(self.study.name)
            if l.state == LAUNCHED
        }
        records = self.journal.tuning_jobs(self.study.name)
        summaries: dict[str, dict] = {}
        now = None
        prefixes = [naming.name_prefix(self.study.name)] + self.journal.adopt_prefixes(self.study.name)
        if wanted:
            for prefix in prefixes:
                if not any(n.startswith(prefix) for n in wanted):
                    continue
                token = None
                while True:
                    kwargs = {"NameContains": prefix, "MaxResults": PAGE}
                    if token:
                        kwargs["NextToken"] = token
                    page = sm.list_hyper_parameter_tuning_jobs(**kwargs)
                    now = now or response_time(page)
                    for s in page.get("HyperParameterTuningJobSummaries", []):
                        if s["HyperParameterTuningJobName"] in wanted:
                            summaries[s["HyperParameterTuningJobName"]] = s
                    token = page.get("NextToken")
                    if not token:
                        break
        described = listed = training_described = searched = 0
        notify = progress or (lambda: None)
        stale = []
        for name in wanted:
            record = records.get(name)
            summary = summaries.get(name)
            describe = record.describe if record else None
            known_gone = summary is None and bool(describe and describe.get(GONE_KEY))
            if not known_gone and (
                summary is None or record is None or record.fingerprint != summary_fingerprint(summary) or not describe
            ):
                stale.append(name)  # not in the list (a name outside the prefixes) or changed: describe it
        # Tuning level: one Search page holds 100 full records; cheaper than describing each when many changed.
        entities: dict[str, dict] = {}
        by_request = {
            n: self.created[n] for n in stale
            if n in self.created and n in summaries and records.get(n) is None and _fresh(summaries[n])
        }
        # first sight of the tuning jobs this process created moments ago (see the training level below)
        first_sight = {n for n in stale if n in self.created and records.get(n) is None}
        listed_here = [n for n in stale if n in summaries and n not in by_request]
        if self.search_usable and len(listed_here) > math.ceil(len(summaries) / PAGE):
            entities, calls = self._search_tuning(prefixes, set(listed_here))
            searched += calls
        for name in stale:
            summary = summaries.get(name)
            entity = entities.get(name)
            self.created.pop(name, None)
            if name in by_request:
                resp = from_request(by_request[name], summary or {})
            elif entity is not None and summary is not None and summary_fingerprint(entity) == summary_fingerprint(summary):
                resp = dict(entity)
                resp.pop("Tags", None)
            else:
                # The index lags (or Search is not used): describe.
                try:
                    resp = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
                except ClientError as exc:
                    if summary is not None or not _not_found(exc):
                        raise
                    resp = gone(name)  # one unknown job must not stall the whole study
                now = now or response_time(resp)
                resp.pop("ResponseMetadata", None)
                described += 1
            fingerprint = summary_fingerprint(summary if summary is not None else resp)
            self.journal.save_tuning_job(
                name, self.study.name, fingerprint=fingerprint, summary=summary or {}, describe=resp
            )
        if stale:
            records = self.journal.tuning_jobs(self.study.name)
            notify()
        # Training level: the tuning jobs whose counters changed.
        changed: list[str] = []
        for name in wanted:
            record = records.get(name)
            describe = (record.describe if record else None) or {}
            key = counters_key(describe)
            if describe.get(GONE_KEY):
                if record is None or record.counters != key:
                    self.journal.save_tuning_job(name, self.study.name, counters=key, training_summaries=[])
            elif name in first_sight and describe.get("HyperParameterTuningJobStatus") == "InProgress":
                # Created by this process moments ago and running: its training jobs are seconds old, with
                # nothing to read yet (one that already ended is read now: a waiting launch may stop here). They are read next cycle (the counters stay unsaved, so it counts as
                # changed then): the cycle `launch --yes` waits on after 100 Creates spent 8-10 Search
                # calls (2-3 s at 5 calls/s) on them (bench/launch.py).
                continue
            elif (record is None or record.counters != key) and _total(describe)[0] == 0:
                # No training job yet (the counters say so): nothing to list.
                self.journal.save_tuning_job(name, self.study.name, counters=key, training_summaries=[])
            elif record is None or record.counters != key:
                changed.append(name)
        swept: set[str] = set()
        if changed and self.search_usable:
            swept, calls = self._sweep_training(changed, records, notify)
            searched += calls
        for name in changed:
            if name in swept:
                continue
            record = records[name]
            training = self._list_training_jobs(name)
            listed += 1
            self.journal.save_tuning_job(
                name, self.study.name, counters=counters_key(record.describe or {}), training_summaries=training
            )
            training_described += self._describe_terminal(name, training)
        if now is not None:
            self.last_now = now
        self.record_success()
        return PollResult(now or self.last_now, described, listed, training_described, searched)

    # --- Search (catch-up) -----------------------------------------------------------------
    def _search(self, **kwargs) -> dict | None:
        """One Search page; None (and Search off for the session) when the service refuses it."""
        try:
            return self._sm.search(**kwargs)
        except ClientError as exc:
            if error_code(exc) in SEARCH_UNUSABLE:
                self.search_usable = False
                log.info("Search refused (%s: %s): describing jobs one by one", error_code(exc), error_message(exc))
                return None
            raise

    def _search_pages(self, resource: str, filter_: dict) -> Iterator[dict | None]:
        """Every page of one Search query (oldest first, 100 a page); a None ends it when Search is
        refused (here, or by another thread of the same sweep)."""
        token = None
        while True:
            if not self.search_usable:
                yield None
                return
            kwargs = {"Resource": resource, "SearchExpression": {"Filters": [filter_]},
                      "SortBy": "CreationTime", "SortOrder": "Ascending", "MaxResults": PAGE}
            if token:
                kwargs["NextToken"] = token
            page = self._search(**kwargs)
            yield page
            token = page.get("NextToken") if page is not None else None
            if not token:
                return

    def _search_tuning(self, prefixes: list[str], names: set[str]) -> tuple[dict[str, dict], int]:
        out: dict[str, dict] = {}
        calls = 0
        for prefix in prefixes:
            if not any(n.startswith(prefix) for n in names):
                continue
            name_filter = {"Name": "HyperParameterTuningJobName", "Operator": "Contains", "Value": prefix}
            for page in self._search_pages("HyperParameterTuningJob", name_filter):
                if page is None:
                    return out, calls
                calls += 1
                for r in page.get("Results", []):
                    entity = r.get("HyperParameterTuningJob") or {}
                    if entity.get("HyperParameterTuningJobName") in names:
                        out[entity["HyperParameterTuningJobName"]] = entity
        return out, calls

    def _sweep_training(self, changed: list[str], records: dict, notify: Callable[[], None]) -> tuple[set[str], int]:
        """Training-job records of the changed tuning jobs by Search, when that costs fewer calls than
        listing each tuning job's training jobs and describing the newly ended ones. Returns the tuning
        jobs whose records are at least as new as their counters (journaled) and the calls made.

        The groups are independent queries: up to SEARCH_CONCURRENCY of them are in flight at once (a
        botocore client is thread-safe; its adaptive retry mode slows every thread down after a
        throttle), and each group's records are journaled here, on the calling thread, as it arrives."""
        arn_of: dict[str, str] = {}
        classic = 0
        for name in changed:
            record = records[name]
            describe = record.describe or {}
            total, terminal = _total(describe)
            old_terminal = sum(1 for t in record.training_summaries if t.get("TrainingJobStatus") in TERMINAL_TRAINING)
            classic += max(1, math.ceil(total / PAGE)) + max(0, terminal - old_terminal)
            if describe.get("HyperParameterTuningJobArn"):
                arn_of[describe["HyperParameterTuningJobArn"]] = name
        ordered = sorted(arn_of)
        groups = arn_groups(ordered, totals=[_total(records[arn_of[a]].describe or {})[0] for a in ordered])
        sweep = sum(max(1, math.ceil(sum(_total(records[arn_of[a]].describe or {})[0] for a in g) / PAGE)) for g in groups)
        if not groups or sweep >= classic:
            return set(), 0
        done: set[str] = set()
        calls = 0
        pool = ThreadPoolExecutor(max_workers=min(SEARCH_CONCURRENCY, len(groups)), thread_name_prefix="jstui-search")
        future_groups = {pool.submit(self._search_group, group): group for group in groups}
        try:
            for future in as_completed(future_groups):
                recs, n = future.result()
                calls += n
                if recs is None:
                    continue  # Search refused (the groups not yet sent stop at once): described the classic way
                found: dict[str, list[dict]] = {}
                for rec in recs:
                    owner = arn_of.get(rec.get("TuningJobArn") or "")
                    if owner is not None:
                        found.setdefault(owner, []).append(rec)
                with self.journal.transaction():
                    for arn in future_groups[future]:
                        name = arn_of[arn]
                        recs_of = found.get(name, [])
                        describe = records[name].describe or {}
                        total, terminal = _total(describe)
                        ended = [r for r in recs_of if r.get("TrainingJobStatus") in TERMINAL_TRAINING]
                        if len(recs_of) < total or len(ended) < terminal:
                            continue  # the index trails the counters: list and describe this one
                        # Every job the counters count, and as many ended: the records are at least as new
                        # as the counters (more of them: jobs started since the tuning job was read).
                        for rec in ended:
                            if not self.journal.has_training_job(rec["TrainingJobName"]):
                                self.journal.save_terminal_training_job(rec["TrainingJobName"], name, rec)
                        training = [summary_from_record(r, name, describe) for r in recs_of]
                        self.journal.save_tuning_job(name, self.study.name, counters=counters_key(describe),
                                                     training_summaries=training)
                        done.add(name)
                notify()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return done, calls

    def relist(self, names: tuple[str, ...]) -> int:
        """List these tuning jobs' training jobs afresh (the budget guard, before acting on starts the
        last list did not show: a running job's TrainingStartTime changes no counter). Returns the
        calls made: one ListTrainingJobsForHyperParameterTuningJob per 100 training jobs of each."""
        records = self.journal.tuning_jobs(self.study.name)
        calls = 0
        for name in names:
            record = records.get(name)
            if record is None:
                continue
            training = self._list_training_jobs(name)
            calls += max(1, math.ceil(len(training) / PAGE))
            self.journal.save_tuning_job(name, self.study.name, counters=record.counters, training_summaries=training)
            calls += self._describe_terminal(name, training)
        return calls

    def _search_group(self, group: list[str]) -> tuple[list[dict] | None, int]:
        """Every training-job record of the tuning jobs `group` names (ARNs), page by page; None when
        the service refuses Search. Runs on a worker thread: no journal access here."""
        out: list[dict] = []
        calls = 0
        arn_filter = {"Name": "TuningJobArn", "Operator": "In", "Value": ",".join(group)}
        for page in self._search_pages("TrainingJob", arn_filter):
            if page is None:
                return None, calls
            calls += 1
            out.extend(r.get("TrainingJob") or {} for r in page.get("Results", []))
        return out, calls

    def _list_training_jobs(self, tuning_job_name: str) -> list[dict]:
        out: list[dict] = []
        token = None
        while True:
            kwargs = {"HyperParameterTuningJobName": tuning_job_name, "MaxResults": PAGE}
            if token:
                kwargs["NextToken"] = token
            page = self._sm.list_training_jobs_for_hyper_parameter_tuning_job(**kwargs)
            out.extend(page.get("TrainingJobSummaries", []))
            token = page.get("NextToken")
            if not token:
                return out

    def _describe_terminal(self, tuning_job_name: str, training: list[dict]) -> int:
        count = 0
        for summary in training:
            name = summary["TrainingJobName"]
            if summary.get("TrainingJobStatus") not in TERMINAL_TRAINING or self.journal.has_training_job(name):
                continue
            resp = self._sm.describe_training_job(TrainingJobName=name)
            resp.pop("ResponseMetadata", None)
            self.journal.save_terminal_training_job(name, tuning_job_name, resp)
            count += 1
        return count


def poll_errors() -> tuple[type[BaseException], ...]:
    """What a cycle may raise that means "the service, not a bug"."""
    return (ClientError, BotoCoreError)
