"""A StudySession made of fixed snapshots and a fake clock, for the TUI's tests: no threads of its
own, no service, no wall-clock time. Tests script what the next refresh returns and read back
what the app asked for (launch, stop, retry, logs)."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, UTC
from pathlib import Path

from jstui.domain.curves import Definition
from jstui.domain.prices import PriceBook
from jstui.engine.protocol import DeployDefaults, LogChunk
from jstui.domain.snapshot import ConnectionState, PlannedCandidate, StudySnapshot, TrainingJobRow, TuningJobRow
from jstui.domain.model import Candidate, Resources, Study, Tuning

T0 = datetime(2026, 1, 5, 12, 0, 0, tzinfo=UTC)
STUDY = "caltech256"
INSTANCE = "ml.p3.2xlarge"

# (candidate, model id, status, completed, running, failed, best objective, test acc, top5, throughput,
#  params, epoch s, billable s, spend)
_ROWS = [
    ("mobilenet-v2-100-224", "tensorflow-ic-imagenet-mobilenet-v2-100-224-classification-4", "Completed",
     2, 0, 0, 0.8412, 0.8322, 0.9561, 812.4, 3_538_984, 41.0, 1412.0, 1.50),
    ("effv2-m", "tensorflow-ic-efficientnet-v2-imagenet21k-ft1k-m", "InProgress",
     1, 1, 0, 0.9101, 0.9034, 0.9853, 120.7, 54_431_388, 233.0, 2950.0, 3.13),
    ("effv2-m-fixed-lr", "tensorflow-ic-efficientnet-v2-imagenet21k-ft1k-m", "Failed",
     0, 0, 1, None, None, None, None, None, None, 300.0, 0.32),
    ("resnet-50", "image-classification:num_layers=50", "Stopped",
     1, 0, 0, 0.7710, None, None, None, None, None, 1800.0, 1.91),
    ("bit-m-r50x1", "tensorflow-ic-bit-m-r50x1-ilsvrc2012-classification-1", "Queued",
     0, 0, 0, None, None, None, None, None, None, 0.0, 0.0),
    ("inception-v3", "tensorflow-ic-imagenet-inception-v3-classification-4", "WaitingForQuota",
     0, 0, 0, None, None, None, None, None, None, 0.0, 0.0),
]


def tuning_job_name(candidate: str) -> str:
    return f"{STUDY}-{candidate}"[:30] + "-1"


def _tuning_rows() -> tuple[TuningJobRow, ...]:
    out = []
    for i, (cand, mid, status, done, running, failed, best, acc, top5, thru, params, epoch, bill, usd) in enumerate(_ROWS):
        launched = status not in ("Queued", "WaitingForQuota")
        metrics = {}
        for name, value in (("test_accuracy", acc), ("test_top_5_accuracy", top5), ("test_throughput", thru),
                            ("num_params", params), ("train_epoch_duration", epoch)):
            if value is not None:
                metrics[name] = float(value)
        out.append(TuningJobRow(
            study=STUDY, candidate=cand, model_id=mid,
            tuning_job_name=tuning_job_name(cand) if launched else None, generation=1, status=status,
            waiting_reason="100 tuning jobs already running in this account" if status == "WaitingForQuota" else None,
            failure_reason="All training jobs failed: ClientError: instance quota for ml.p3.2xlarge is 0"
            if status == "Failed" else None,
            objective_name="val_accuracy", direction="Maximize",
            jobs_completed=done, jobs_in_progress=running, jobs_failed=failed, jobs_stopped=1 if status == "Stopped" else 0,
            max_jobs=2, best_training_job_name=f"{tuning_job_name(cand)}-001-a1b2c3d4" if best is not None else None,
            best_objective=best, best_metrics=metrics,
            best_hyperparameters={"learning_rate": "0.001"} if best is not None else {},
            instance_type=INSTANCE, instance_count=1, billable_seconds=bill, cost_usd=usd,
            cost_is_estimate=status == "InProgress",
            created_at=T0 - timedelta(minutes=60 - i) if launched else None,
            ended_at=T0 - timedelta(minutes=5) if status in ("Completed", "Failed", "Stopped") else None,
        ))
    return tuple(out)


def _training_rows(tuning: tuple[TuningJobRow, ...]) -> tuple[TrainingJobRow, ...]:
    out = []
    for t in tuning:
        if t.tuning_job_name is None:
            continue
        n = t.jobs_completed + t.jobs_in_progress + t.jobs_failed + t.jobs_stopped
        for k in range(1, n + 1):
            name = f"{t.tuning_job_name}-00{k}-{'a1b2c3d4' if k == 1 else 'e5f6a7b8'}"
            if k <= t.jobs_completed:
                status = "Completed"
            elif k <= t.jobs_completed + t.jobs_in_progress:
                status = "InProgress"
            elif k <= t.jobs_completed + t.jobs_in_progress + t.jobs_failed:
                status = "Failed"
            else:
                status = "Stopped"
            is_best = name == t.best_training_job_name
            out.append(TrainingJobRow(
                study=STUDY, candidate=t.candidate, model_id=t.model_id, tuning_job_name=t.tuning_job_name,
                training_job_name=name, status=status, secondary_status=None,
                failure_reason="AlgorithmError: ExecuteUserScriptError: ExitCode 1\nResourceExhaustedError: OOM"
                if status == "Failed" else None,
                is_best=is_best, objective=t.best_objective if is_best else (0.8011 if status == "Completed" else None),
                hyperparameters={"learning_rate": "0.001" if k == 1 else "0.0002", "batch_size": "32"},
                metrics=dict(t.best_metrics) if is_best else {},
                instance_type=INSTANCE, instance_count=1,
                billable_seconds=706.0 if status != "InProgress" else None,
                training_seconds=706.0 if status != "InProgress" else None,
                cost_usd=0.75, cost_is_estimate=status == "InProgress",
                created_at=T0 - timedelta(minutes=50 - k), started_at=T0 - timedelta(minutes=48 - k),
                ended_at=None if status == "InProgress" else T0 - timedelta(minutes=20 - k),
            ))
    return tuple(out)


def make_snapshot(**changes) -> StudySnapshot:
    tuning = _tuning_rows()
    snap = StudySnapshot(
        study=STUDY, backend="emulator", region="us-east-1", taken_at=T0,
        connection=ConnectionState(state="ok"), tuning_jobs=tuning, training_jobs=_training_rows(tuning),
        metric_names=("val_accuracy", "test_accuracy", "test_top_5_accuracy", "test_throughput", "num_params"),
        spend_usd=6.86, spend_is_estimate=True, projected_usd=24.10, budget_usd=150.0, budget_policy="stop",
        planned=planned(),
    )
    return dataclasses.replace(snap, **changes)


def planned() -> tuple[PlannedCandidate, ...]:
    """The plan's figures (as in PLAN below: 2 jobs, expected $3.10, at most $7.65 each)."""
    return tuple(
        PlannedCandidate(candidate=r[0], model_id=r[1], training_jobs=2, instance_type=INSTANCE, instance_count=1,
                         usd_per_hour=3.825, expected_seconds_per_job=1459.0, expected_usd=3.10, max_usd=7.65,
                         objective_name="val_accuracy", direction="Maximize")
        for r in _ROWS
    )


def replace_row(snapshot: StudySnapshot, candidate: str, **changes) -> StudySnapshot:
    rows = tuple(dataclasses.replace(r, **changes) if r.candidate == candidate else r for r in snapshot.tuning_jobs)
    return dataclasses.replace(snapshot, tuning_jobs=rows)


def _study() -> Study:
    tuning = Tuning(objective="val_accuracy", direction="Maximize", strategy="Bayesian", max_jobs=2, max_parallel_jobs=2)
    cands = tuple(
        Candidate(name=r[0], model_id=r[1], algorithm=None, model_version="*", hyperparameters={},
                  resources=Resources(instance_type=INSTANCE), tuning=tuning, metrics=(), metrics_preset="jumpstart-ic")
        for r in _ROWS
    )
    return Study(name=STUDY, path=Path("/nonexistent/caltech256.toml"), backend="emulator", region="us-east-1",
                 role_arn="arn:aws:iam::111122223333:role/SageMakerExecution", output_s3="s3://example-bucket/jstui/",
                 data={"training": "s3://example-bucket/caltech256/train/"}, max_parallel_tuning_jobs=8,
                 candidates=cands)


PLAN = "\n".join(
    [f"{r[0]:<22} {tuning_job_name(r[0]):<34} 2 jobs  ≤ 2.0 h  ≤ $7.65 (expected $3.10)" for r in _ROWS]
    + ["", "Total: 6 tuning jobs, 12 training jobs, ≤ 12.0 instance hours, ≤ $45.90 (expected $18.60)"]
)


# the metric definitions the fake training jobs ran with (the jumpstart-ic preset's form, seed 000)
FAKE_DEFINITIONS = (
    Definition("val_accuracy", r"- val_accuracy: ([0-9\.]+)"),
    Definition("train_loss", r"- loss: ([0-9\.]+)"),
    Definition("val_loss", r"- val_loss: ([0-9\.]+)"),
)


class FakeSession:
    """Implements core.session.StudySession on fixed data."""

    def __init__(self, snapshot: StudySnapshot | None = None, *, launched: bool = True, readonly: bool = False,
                 now: datetime | None = None) -> None:
        self.study = _study()
        self.readonly = readonly
        self._snapshot = snapshot or make_snapshot()
        self.waiting: list[str] | None = None
        self.launched = launched
        self.clock = now or T0 + timedelta(seconds=3)
        self.next_snapshots: list[StudySnapshot] = []  # what the next refreshes return, in order
        self.refresh_error: Exception | None = None  # raise this from the next refresh
        self.calls: list[tuple] = []
        self.log_lines: dict[str, list[str]] = {}

    # the fake clock: the backend's "now"
    def now(self) -> datetime:
        return self.clock

    def snapshot(self) -> StudySnapshot:
        return self._snapshot

    def is_launched(self) -> bool:
        return self.launched

    def launchable(self) -> list[str]:
        """As the engine's: from the "journal" (here `waiting`, when a test sets it), else the snapshot."""
        if self.waiting is not None:
            return list(self.waiting)
        return [p.candidate for p in self._snapshot.not_launched()] or ["a-candidate"] * (not self._snapshot.planned)

    def plan_text(self) -> str:
        self.calls.append(("plan_text",))
        return PLAN

    def refresh(self) -> StudySnapshot:
        self.calls.append(("refresh",))
        if self.refresh_error is not None:
            err, self.refresh_error = self.refresh_error, None
            raise err
        if self.next_snapshots:
            self._snapshot = self.next_snapshots.pop(0)
        return self._snapshot

    def launch(self, candidates: list[str] | None = None) -> None:
        self.calls.append(("launch", candidates))
        self.launched = True

    def stop(self, candidate: str) -> None:
        self.calls.append(("stop", candidate))

    def retry(self, candidate: str) -> None:
        self.calls.append(("retry", candidate))

    def logs(self, training_job_name: str, next_token: str | None = None) -> LogChunk:
        self.calls.append(("logs", training_job_name, next_token))
        lines = self.log_lines.get(training_job_name) or [
            f"Starting training job {training_job_name}",
            "Epoch 1/5",
            "- loss: 1.8812 - accuracy: 0.5120 - val_loss: 0.9921 - val_accuracy: 0.7720",
            "Epoch 2/5",
            "- loss: 0.7345 - accuracy: 0.8120 - val_loss: 0.6610 - val_accuracy: 0.8412",
        ]
        start = int(next_token or 0)
        return LogChunk(lines=tuple(lines[start:]), next_token=str(len(lines)), complete=True)

    def metric_definitions(self, training_job_name: str) -> tuple[Definition, ...]:
        self.calls.append(("metric_definitions", training_job_name))
        return FAKE_DEFINITIONS  # what DescribeTrainingJob's AlgorithmSpecification.MetricDefinitions lists

    def deploy_defaults(self, candidate: str) -> DeployDefaults:
        return DeployDefaults(endpoint_name=f"{STUDY}-{candidate}"[:63], instance_type="ml.g4dn.xlarge",
                              instance_count=1, usd_per_hour=0.7364)

    def deploy(self, candidate: str, endpoint_name: str, instance_type: str, instance_count: int) -> None:
        self.calls.append(("deploy", candidate, endpoint_name, instance_type, instance_count))

    def hosting_usd_per_hour(self, instance_type: str, instance_count: int) -> float | None:
        """The shipped table with the study's overrides (a fake session has no cached refresh)."""
        return PriceBook(None, self.study.prices).hosting(instance_type, instance_count)

    def smoke_invoke(self, endpoint_name: str) -> str:
        return "097.colander (0.91)"

    def delete_endpoint(self, endpoint_name: str) -> None:
        self.calls.append(("delete_endpoint", endpoint_name))

    def close(self) -> None:
        self.calls.append(("close",))
