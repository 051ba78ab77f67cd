"""Typed messages the workers post to the UI thread."""

from __future__ import annotations

from textual.message import Message

from jstui.engine.protocol import LogChunk
from jstui.domain.snapshot import StudySnapshot


class SnapshotReady(Message):
    """A refresh finished; every screen renders from this snapshot."""

    def __init__(self, snapshot: StudySnapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class PlanReady(Message):
    """The launch plan is computed (it may need JumpStart lookups, so it is built off the UI thread)."""

    def __init__(self, plan: str, on_startup: bool, waiting: list[str] | None = None) -> None:
        super().__init__()
        self.plan = plan
        self.on_startup = on_startup
        self.waiting = waiting or []  # what a launch would queue, as the journal says now


class LogChunkReady(Message):
    def __init__(self, training_job_name: str, chunk: LogChunk, request: int = 0) -> None:
        super().__init__()
        self.training_job_name = training_job_name
        self.chunk = chunk
        self.request = request  # the screen's request number: an answer to an older request is dropped
