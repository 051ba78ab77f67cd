"""StudySnapshot <-> JSON, so the journal can keep the last snapshot of each study
(`--export --offline`, `jstui studies`, a TUI opened without a network)."""

from __future__ import annotations

import dataclasses
import functools
import gc
import json
from datetime import datetime
from typing import Any

from jstui.domain.times import iso, parse_time
from jstui.domain.snapshot import (
    ConnectionState, EndpointRow, PlannedCandidate, StudySnapshot, TrainingJobRow, TuningJobRow,
)

_TIME_FIELDS = {"taken_at", "created_at", "started_at", "ended_at"}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


ROWS_PER_CHUNK = 250  # rows encoded by one json.dumps call (~3 ms of C code holding the GIL)
_ROW_LISTS = ("tuning_jobs", "training_jobs", "endpoints", "planned")


def snapshot_to_json(snap: StudySnapshot) -> str:
    """The same text as `json.dumps(body, sort_keys=True)`, but the row lists are encoded a chunk of
    rows at a time: one json.dumps of a 20,000-job snapshot is a single C call holding the GIL for a
    quarter of a second, which another thread (the TUI's) waits out; between chunks the interpreter
    can switch threads (sys.getswitchinterval, 5 ms)."""
    body = {f.name: getattr(snap, f.name) for f in dataclasses.fields(snap)}
    parts: list[str] = []
    for key in sorted(body):
        value = body[key]
        if key in _ROW_LISTS:
            parts.append(f"{json.dumps(key)}: {_rows_json(value)}")
        elif key == "connection":
            parts.append(f"{json.dumps(key)}: {json.dumps(dataclasses.asdict(value), sort_keys=True)}")
        else:
            parts.append(f"{json.dumps(key)}: {json.dumps(_plain(value), sort_keys=True)}")
    return "{" + ", ".join(parts) + "}"


def _rows_json(rows: tuple) -> str:
    chunks = []
    for start in range(0, len(rows), ROWS_PER_CHUNK):
        # shallow: _plain copies the rows' dicts; asdict's deep copy made this 6x slower (bench/tui.py)
        plain = [_plain({f.name: getattr(row, f.name) for f in dataclasses.fields(row)}) for row in rows[start : start + ROWS_PER_CHUNK]]
        chunks.append(json.dumps(plain, sort_keys=True)[1:-1])
    return "[" + ", ".join(chunks) + "]"


@functools.cache
def _field_names(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(cls))


def _build(cls: type, data: dict) -> Any:
    names = _field_names(cls)
    if not data.keys() <= names:  # written by a later jstui with more fields: ignore, never fail
        data = {k: v for k, v in data.items() if k in names}
    for key in _TIME_FIELDS & data.keys():
        data[key] = parse_time(data[key])
    return cls(**data)


def snapshot_from_json(text: str) -> StudySnapshot:
    # Decoding a 20,000-job snapshot allocates a million objects, none of them garbage: with the
    # collector on, its passes over the growing heap took about a third of the time.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _decode(text)
    finally:
        if enabled:
            gc.enable()


def _decode(text: str) -> StudySnapshot:
    data = json.loads(text)
    data["tuning_jobs"] = tuple(_build(TuningJobRow, r) for r in data.get("tuning_jobs", []))
    data["training_jobs"] = tuple(_build(TrainingJobRow, r) for r in data.get("training_jobs", []))
    data["endpoints"] = tuple(_build(EndpointRow, r) for r in data.get("endpoints", []))
    data["planned"] = tuple(_build(PlannedCandidate, r) for r in data.get("planned", []))
    data["connection"] = _build(ConnectionState, data.get("connection") or {})
    for key in ("metric_names", "events"):
        data[key] = tuple(data.get(key) or ())
    return _build(StudySnapshot, data)
