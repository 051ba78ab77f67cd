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
    """The snapshot as JSON text: each row list is a table, `{"fields": [names], "rows": [[values]]}`
    (a 20,000-job snapshot is 20 MB instead of 28 MB as objects that repeat every field name, and
    decodes a third faster: a big study's first paint waits for it). The row lists are encoded a
    chunk of rows at a time: one json.dumps of a 20,000-job snapshot is a single C call holding the
    GIL for a quarter of a second, which another thread (the TUI's) waits out; between chunks the
    interpreter can switch threads (sys.getswitchinterval, 5 ms)."""
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
    if not rows:
        return '{"fields": [], "rows": []}'
    row_type: type = type(rows[0])
    names = _field_order(row_type)
    chunks = []
    for start in range(0, len(rows), ROWS_PER_CHUNK):
        # shallow: _plain copies the rows' dicts; asdict's deep copy made this 6x slower (bench/tui.py)
        plain = [[_plain(getattr(row, name)) for name in names] for row in rows[start : start + ROWS_PER_CHUNK]]
        chunks.append(json.dumps(plain, sort_keys=True)[1:-1])
    return f'{{"fields": {json.dumps(list(names))}, "rows": [' + ", ".join(chunks) + "]}"


@functools.cache
def _field_order(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


@functools.cache
def _field_names(cls: type) -> frozenset[str]:
    return frozenset(_field_order(cls))


def _build(cls: type, data: dict) -> Any:
    names = _field_names(cls)
    if not data.keys() <= names:  # written by a later jstui with more fields: ignore, never fail
        data = {k: v for k, v in data.items() if k in names}
    for key in _TIME_FIELDS & data.keys():
        data[key] = parse_time(data[key])
    return cls(**data)


def _build_rows(cls: type, table: Any) -> tuple:
    """A row list as written: a table (fields, rows), or a list of objects (jstui before the table
    layout, still in users' journals)."""
    if isinstance(table, list):
        return tuple(_build(cls, r) for r in table)
    fields = table["fields"]
    if tuple(fields) != _field_order(cls):  # another jstui's field set: by name (_build keeps what it knows)
        return tuple(_build(cls, dict(zip(fields, values, strict=True))) for values in table["rows"])
    times = [i for i, name in enumerate(fields) if name in _TIME_FIELDS]
    out = []
    for values in table["rows"]:
        if len(values) != len(fields):
            raise ValueError(f"a {cls.__name__} row has {len(values)} values for {len(fields)} fields")
        for i in times:
            values[i] = parse_time(values[i])
        out.append(cls(*values))
    return tuple(out)


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
    for key, cls in (("tuning_jobs", TuningJobRow), ("training_jobs", TrainingJobRow), ("endpoints", EndpointRow),
                     ("planned", PlannedCandidate)):
        data[key] = _build_rows(cls, data.get(key, []))
    data["connection"] = _build(ConnectionState, data.get("connection") or {})
    for key in ("metric_names", "events"):
        data[key] = tuple(data.get(key) or ())
    return _build(StudySnapshot, data)
