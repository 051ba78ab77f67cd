"""The one interface between the screen (tui/) and the engine (core/).

The TUI holds a `StudySession` and nothing else of core's machinery: it never calls boto3 and
holds no business rules. Every method that does I/O blocks; the TUI calls those from worker
threads (never the UI thread). `snapshot()` never does I/O.

`core.engine.EngineSession` implements it against SageMaker or the emulator;
tests use a fake built on fixed snapshots."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from jstui.domain.snapshot import StudySnapshot
from jstui.domain.model import Study
from jstui.domain.curves import Definition


@dataclass(frozen=True)
class LogChunk:
    lines: tuple[str, ...]  # new log lines, oldest first
    next_token: str | None  # pass back to get only newer lines
    complete: bool  # the job is terminal and every line has been read
    timestamps: tuple[int, ...] = ()  # each line's CloudWatch timestamp (ms since the epoch), when known


@dataclass(frozen=True)
class DeployDefaults:
    endpoint_name: str
    instance_type: str
    instance_count: int
    usd_per_hour: float | None


@runtime_checkable
class StudySession(Protocol):
    study: Study
    readonly: bool

    def snapshot(self) -> StudySnapshot:
        """The last published snapshot (no I/O)."""

    def is_launched(self) -> bool:
        """Whether any candidate of the study was ever launched or queued (journal only)."""

    def launchable(self) -> list[str]:
        """The candidates a launch would queue now (journal only, so it is current even before the
        next snapshot): never launched, or dropped/refused before anything was created."""

    def plan_text(self) -> str:
        """The launch plan: per candidate the tuning job it would create, jobs, instance hours
        (max and expected) and spend (max and expected); plus what changed since the last launch."""

    def refresh(self) -> StudySnapshot:
        """One cycle: launch queued candidates as slots free, poll incrementally, run the budget
        guard, publish and return the new snapshot. Never raises for service errors: they show in
        `snapshot().connection`."""

    def launch(self, candidates: list[str] | None = None) -> None:
        """Queue the candidates (all not launched yet when None) and launch as slots free."""

    def stop(self, candidate: str) -> None:
        """Stop the candidate's running tuning job (or drop it from the queue)."""

    def retry(self, candidate: str) -> None:
        """Relaunch a Failed or Stopped candidate as a new generation."""

    def logs(self, training_job_name: str, next_token: str | None = None) -> LogChunk:
        """Log lines of a training job newer than `next_token`."""

    def metric_definitions(self, training_job_name: str) -> tuple[Definition, ...]:
        """The metric definitions the training job ran with (its DescribeTrainingJob's
        AlgorithmSpecification.MetricDefinitions; cached). May do I/O."""

    # --- frontier, deploy, endpoints (issue "Frontier, pick and deploy") ---
    def deploy_defaults(self, candidate: str) -> DeployDefaults:
        """Suggested endpoint name (valid, not taken), instance type (JumpStart hosting default),
        count and $/hour for deploying the candidate's best training job. May do I/O."""

    def deploy(self, candidate: str, endpoint_name: str, instance_type: str, instance_count: int) -> None:
        """Create Model, EndpointConfig and Endpoint for the candidate's best training job,
        journaling each step; returns once the Endpoint is being created (poll snapshot for status)."""

    def hosting_usd_per_hour(self, instance_type: str, instance_count: int) -> float | None:
        """$/hour of `instance_count` hosting instances from the session's one price table (the one
        training is priced with); None when nobody prices the type. No I/O."""

    def smoke_invoke(self, endpoint_name: str) -> str:
        """One invocation with the shipped sample image; a one-line answer (top prediction)."""

    def delete_endpoint(self, endpoint_name: str) -> None:
        """Delete the endpoint, its config and its model (only ones jstui created)."""

    def close(self) -> None:
        """Release clients, the journal and an embedded emulator."""
