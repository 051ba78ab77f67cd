"""The log reader: a training job's CloudWatch log stream, a page at a time. It shares nothing with a
refresh but the clients (thread-safe botocore clients), so the log pane answers while a catch-up is
in flight."""

from __future__ import annotations

import json
from typing import Any
from collections.abc import Callable

from jstui.aws.clients import Clients, service_errors
from jstui.engine.protocol import LogChunk

LOG_GROUP = "/aws/sagemaker/TrainingJobs"


class LogReader:
    def __init__(self, clients: Callable[[], Clients], is_terminal: Callable[[str], bool]):
        self._clients = clients
        self._is_terminal = is_terminal

    def read(self, training_job_name: str, next_token: str | None = None) -> LogChunk:
        state = json.loads(next_token) if next_token else {}
        logs = self._clients().logs
        with service_errors(f"reading the logs of {training_job_name}"):
            stream = state.get("stream")
            if not stream:
                streams = logs.describe_log_streams(
                    logGroupName=LOG_GROUP, logStreamNamePrefix=f"{training_job_name}/"
                ).get("logStreams", [])
                if not streams:
                    return LogChunk((), next_token, self._is_terminal(training_job_name))
                stream = sorted(s["logStreamName"] for s in streams)[0]
            kwargs: dict[str, Any] = {"logGroupName": LOG_GROUP, "logStreamName": stream, "startFromHead": True}
            if state.get("token"):
                kwargs["nextToken"] = state["token"]
            resp = logs.get_log_events(**kwargs)
        lines = tuple(e["message"] for e in resp.get("events", []))
        stamps = tuple(int(e.get("timestamp") or 0) for e in resp.get("events", []))  # learning curves' time axis
        token = resp.get("nextForwardToken") or state.get("token")
        complete = not lines and self._is_terminal(training_job_name)
        return LogChunk(lines, json.dumps({"stream": stream, "token": token}), complete, stamps)
