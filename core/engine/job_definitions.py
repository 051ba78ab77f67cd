"""The metric definitions a training job ran with, for its learning curves (jstui.domain.curves).

They are in the job's DescribeTrainingJob response (AlgorithmSpecification.MetricDefinitions; for a
built-in algorithm SageMaker lists the algorithm's own definitions there), which the journal already
keeps for every terminal training job. A running job is described once; its definitions cannot
change while it runs, so the answer is kept for the session's life."""

from __future__ import annotations

import threading
from typing import Any

from jstui.aws.clients import service_errors
from jstui.domain.curves import Definition, definitions_from_description

_lock = threading.Lock()


def metric_definitions(session: Any, training_job_name: str) -> tuple[Definition, ...]:
    cache: dict[str, tuple[Definition, ...]] = session.__dict__.setdefault("_definitions_cache", {})
    with _lock:
        if training_job_name in cache:
            return cache[training_job_name]
    described = _journalled(session, training_job_name)
    if described is None:
        with service_errors(f"describing the training job {training_job_name}"):
            described = session.clients.sagemaker.describe_training_job(TrainingJobName=training_job_name)
    found = definitions_from_description(described)
    with _lock:
        cache[training_job_name] = found
    return found


def _journalled(session: Any, training_job_name: str) -> dict | None:
    tuning = next((t.tuning_job_name for t in session.snapshot().training_jobs
                   if t.training_job_name == training_job_name), None)
    if tuning is None:
        return None
    return session.journal.terminal_training_jobs([tuning]).get(training_job_name)
