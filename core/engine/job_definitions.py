"""The metric definitions a training job ran with, for its learning curves (jstui.domain.curves).

They are in the job's DescribeTrainingJob response (AlgorithmSpecification.MetricDefinitions; for a
built-in algorithm SageMaker lists the algorithm's own definitions there), which the journal already
keeps for every terminal training job. A running job is described once; its definitions cannot
change while it runs, so the answer is kept for the session's life."""

from __future__ import annotations

import threading
from collections.abc import Callable

from jstui.aws.clients import Clients, service_errors
from jstui.domain.curves import Definition, definitions_from_description
from jstui.domain.snapshot import StudySnapshot
from jstui.engine.journal import Journal


class DefinitionReader:
    def __init__(self, clients: Callable[[], Clients], journal: Journal, snapshot: Callable[[], StudySnapshot]):
        self._clients = clients
        self._journal = journal
        self._snapshot = snapshot
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[Definition, ...]] = {}

    def read(self, training_job_name: str) -> tuple[Definition, ...]:
        with self._lock:
            if training_job_name in self._cache:
                return self._cache[training_job_name]
        described = self._journalled(training_job_name)  # no lock held across the call below
        if described is None:
            with service_errors(f"describing the training job {training_job_name}"):
                described = self._clients().sagemaker.describe_training_job(TrainingJobName=training_job_name)
        found = definitions_from_description(described)
        with self._lock:
            self._cache[training_job_name] = found
        return found

    def _journalled(self, training_job_name: str) -> dict | None:
        tuning = next((t.tuning_job_name for t in self._snapshot().training_jobs
                       if t.training_job_name == training_job_name), None)
        if tuning is None:
            return None
        return self._journal.terminal_training_jobs([tuning]).get(training_job_name)
