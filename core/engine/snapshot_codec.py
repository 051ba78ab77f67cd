"""StudySnapshot <-> JSON, so the journal can keep the last snapshot of each study
(`--export --offline`, `jstui studies`, a TUI opened without a network)."""

from __future__ import annotations

import dataclasses
import functools
import gc
import json
import zlib
from collections.abc import Callable
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
    out: list[str] = []  # every piece of the text, joined once (a 20,000-job text is 20 MB: no copies of it)
    _pieces(snap, out.append)
    return "".join(out)


def snapshot_to_blob(snap: StudySnapshot) -> bytes:
    """The same text, compressed with zlib (RFC 1950) as it is encoded, piece by piece: what the journal
    keeps. A 20,000-job snapshot is ~3 MB instead of 20, and saving it never holds the whole text:
    saving the text (pieces, their join, SQLite's copy) was the peak of a TUI's memory, ~60 MB over
    its steady state (bench/tui.py part 4). zlib releases the GIL while it compresses."""
    z = zlib.compressobj(level=1)
    out: list[bytes] = []
    _pieces(snap, lambda piece: out.append(z.compress(piece.encode())))
    out.append(z.flush())
    return b"".join(out)


def _pieces(snap: StudySnapshot, emit: Callable[[str], Any]) -> None:
    body = {f.name: getattr(snap, f.name) for f in dataclasses.fields(snap)}
    for i, key in enumerate(sorted(body)):
        value = body[key]
        emit(("{" if i == 0 else ", ") + f"{json.dumps(key)}: ")
        if key in _ROW_LISTS:
            _rows_json(value, emit)
        elif key == "connection":
            emit(json.dumps(dataclasses.asdict(value), sort_keys=True))
        else:
            emit(json.dumps(_plain(value), sort_keys=True))
    emit("}")


def _rows_json(rows: tuple, emit: Callable[[str], Any]) -> None:
    if not rows:
        emit('{"fields": [], "rows": []}')
        return
    row_type: type = type(rows[0])
    names = _field_order(row_type)
    emit(f'{{"fields": {json.dumps(list(names))}, "rows": [')
    for start in range(0, len(rows), ROWS_PER_CHUNK):
        # shallow: _plain copies the rows' dicts; asdict's deep copy made this 6x slower (bench/tui.py)
        plain = [[_plain(getattr(row, name)) for name in names] for row in rows[start : start + ROWS_PER_CHUNK]]
        emit(("" if start == 0 else ", ") + json.dumps(plain, sort_keys=True)[1:-1])
    emit("]}")


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


def snapshot_from_json(text: str | bytes) -> StudySnapshot:
    """A snapshot from its JSON text, or from that text compressed (snapshot_to_blob)."""
    # Decoding a 20,000-job snapshot allocates a million objects, none of them garbage: with the
    # collector on, its passes over the growing heap took about a third of the time.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _decode(text)
    finally:
        if enabled:
            gc.enable()


def _decode(text: str | bytes) -> StudySnapshot:
    if isinstance(text, bytes):
        try:
            text = zlib.decompress(text)
        except zlib.error as exc:
            raise ValueError(f"the compressed snapshot does not decompress: {exc}") from None
    data = json.loads(text)
    for key, cls in (("tuning_jobs", TuningJobRow), ("training_jobs", TrainingJobRow), ("endpoints", EndpointRow),
                     ("planned", PlannedCandidate)):
        data[key] = _build_rows(cls, data.get(key, []))
    data["connection"] = _build(ConnectionState, data.get("connection") or {})
    for key in ("metric_names", "events"):
        data[key] = tuple(data.get(key) or ())
    return _build(StudySnapshot, data)
