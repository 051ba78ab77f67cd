"""Re-read a study's metrics from its training logs with the study's *current* metric definitions
(`jstui status STUDY --reread-metrics`, docs/exports-plausibility.md).

What SageMaker recorded (FinalMetricDataList) was read by the definitions the jobs ran with; when
one misread the log (seed 000's `([0-9\\.]+)` reads `8.0000e-04` as 8.0), fixing the study file does
not change what the service recorded, and a tuning job's pick of its best training job was made on
the misread objective. This reads each terminal training job's log again (CloudWatch Logs
GetLogEvents, through the session's log reader) and applies the current definitions as SageMaker
does: the last match of each regex is the metric's final value. Nothing is written: the service's
record cannot be changed; the report says which values differ and which recorded ones were
implausible."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jstui.domain.metrics import implausibility, read_metrics
from jstui.domain.snapshot import TERMINAL_TRAINING

MAX_LOG_PAGES = 1000  # GetLogEvents returns up to 10,000 events a page; a training log is far shorter


@dataclass(frozen=True)
class Reread:
    candidate: str
    training_job_name: str
    metric: str
    recorded: float | None  # what SageMaker recorded
    reread: float | None  # what the current definitions read from the log
    recorded_problem: str | None  # the recorded value is implausible: why
    reread_problem: str | None

    @property
    def differs(self) -> bool:
        if self.recorded is None or self.reread is None:
            return self.recorded is not self.reread
        return abs(self.recorded - self.reread) > 1e-9 * max(1.0, abs(self.recorded))


@dataclass(frozen=True)
class RereadReport:
    rows: tuple[Reread, ...]
    jobs_read: int
    skipped: tuple[str, ...]  # one line per job not re-read, and why


def log_lines(session: Any, training_job_name: str) -> list[str]:
    """Every line of a training job's log, through the session's reader."""
    lines: list[str] = []
    token = None
    for _ in range(MAX_LOG_PAGES):
        chunk = session.logs(training_job_name, token)
        lines.extend(chunk.lines)
        if chunk.complete or not chunk.lines:
            break
        token = chunk.next_token
    return lines


def reread_metrics(session: Any) -> RereadReport:
    snap = session.snapshot()
    objectives = {r.tuning_job_name: r.objective_name for r in snap.tuning_jobs}
    rows: list[Reread] = []
    skipped: list[str] = []
    read = 0
    for t in snap.training_jobs:
        if t.status not in TERMINAL_TRAINING:
            continue
        try:
            cand = session.study.candidate(t.candidate)
        except KeyError:
            skipped.append(f"{t.training_job_name}: candidate {t.candidate} is no longer in the study file")
            continue
        if not cand.metrics:
            skipped.append(f"{t.training_job_name}: {cand.algorithm or 'built-in'} jobs use SageMaker's own metric "
                           "definitions; nothing of the study's to re-read with")
            continue
        lines = log_lines(session, t.training_job_name)
        if not lines:
            skipped.append(f"{t.training_job_name}: no log in CloudWatch Logs")
            continue
        read += 1
        values = read_metrics(lines, cand.metrics)
        recorded = dict(t.metrics)
        objective = objectives.get(t.tuning_job_name)
        if objective and objective not in recorded and t.objective is not None:
            recorded[objective] = t.objective
        for name in sorted(set(recorded) | set(values)):
            before, after = recorded.get(name), values.get(name)
            rows.append(Reread(t.candidate, t.training_job_name, name, before, after,
                               implausibility(name, before), implausibility(name, after)))
    return RereadReport(tuple(rows), read, tuple(skipped))
