"""The incremental poller (docs/architecture.md, "Polling"): one cycle lists the study's tuning jobs
(ListHyperParameterTuningJobs, 100 a page, by name prefix) and then spends calls only where something
changed: DescribeHyperParameterTuningJob when a job's summary changed, its training-job list when its
counters changed, DescribeTrainingJob once per terminal training job (cached in the journal forever).
A quiet cycle therefore costs ceil(N/100) calls. "Now" is the backend's clock, read from the `Date`
header of the list response (the emulator's is simulated), which costs no extra call."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Literal
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


class Poller:
    def __init__(self, clients: Clients, journal: Journal, study: Study):
        self.clients = clients
        self.journal = journal
        self.study = study
        self.failures = 0
        self.connection = ConnectionState("connecting")
        self.last_now: datetime | None = None
        self._retry_at = 0.0  # monotonic time before which a new attempt is not due
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
    def poll_once(self) -> PollResult:
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
        described = listed = training_described = 0
        for name in wanted:
            record = records.get(name)
            summary = summaries.get(name)
            describe = record.describe if record else None
            known_gone = summary is None and bool(describe and describe.get(GONE_KEY))
            if not known_gone and (
                summary is None or record is None or record.fingerprint != summary_fingerprint(summary) or not describe
            ):
                # Not in the list (a name outside the prefixes) or changed: describe it.
                try:
                    resp = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
                except ClientError as exc:
                    if summary is not None or not _not_found(exc):
                        raise
                    resp = gone(name)  # one unknown job must not stall the whole study
                now = now or response_time(resp)
                resp.pop("ResponseMetadata", None)
                describe = resp
                described += 1
                fingerprint = summary_fingerprint(summary if summary is not None else describe)
                self.journal.save_tuning_job(
                    name, self.study.name, fingerprint=fingerprint, summary=summary or {}, describe=describe
                )
            assert describe is not None  # described above, or known gone from the record
            key = counters_key(describe)
            training = record.training_summaries if record else []
            if describe.get(GONE_KEY):
                training = []
                if record is None or record.counters != key:
                    self.journal.save_tuning_job(name, self.study.name, counters=key, training_summaries=[])
            elif record is None or record.counters != key:
                training = self._list_training_jobs(name)
                listed += 1
                self.journal.save_tuning_job(name, self.study.name, counters=key, training_summaries=training)
            training_described += self._describe_terminal(name, training)
        if now is not None:
            self.last_now = now
        self.record_success()
        return PollResult(now or self.last_now, described, listed, training_described)

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
