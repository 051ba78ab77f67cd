"""Exports (the contract: docs/exports.md): tuning-jobs and training-jobs tables of a snapshot as CSV
or JSON. Column order is stable; times ISO 8601 UTC with `Z`; booleans `true`/`false`; a missing
value is an empty cell (CSV) or null (JSON). In CSV, text cells and header cells that a spreadsheet
would run as a formula are neutralised with a leading apostrophe; numbers are never touched.

Control characters (docs/exports-safety.md): JSON writes them as `\\u` escapes (lossless: a JSON
reader gets the exact text back); CSV keeps them exact in a file and shows them escaped
(`printable`) only when asked to, for a terminal."""

from __future__ import annotations

import io
import json
import math
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from jstui.domain.times import iso
from jstui.domain.snapshot import StudySnapshot, TrainingJobRow, TuningJobRow
from jstui.domain.textfmt import printable

WHATS = ("tuning-jobs", "training-jobs")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _hp_names(rows: list[dict[str, str]]) -> list[str]:
    return sorted({k for hp in rows for k in hp})


def _metric_columns(snapshot: StudySnapshot, fixed: list[str], seen: set[str]) -> list[str]:
    names = [m for m in snapshot.metric_names if m in seen]
    names += sorted(seen - set(names))
    return [m for m in names if m not in fixed]


def tuning_jobs_frame(snapshot: StudySnapshot) -> pd.DataFrame:
    head = [
        "study", "candidate", "model_id", "tuning_job_name", "status", "jobs_completed", "jobs_in_progress",
        "jobs_failed", "jobs_stopped", "max_jobs", "best_training_job_name", "best_objective",
    ]  # fmt: skip
    tail = ["instance_type", "billable_seconds", "cost_usd", "cost_is_estimate", "created_at", "ended_at"]
    rows: list[TuningJobRow] = list(snapshot.tuning_jobs)
    metrics = _metric_columns(snapshot, head + tail, {m for r in rows for m in r.best_metrics})
    hps = _hp_names([r.best_hyperparameters for r in rows])
    records = []
    for r in rows:
        rec: dict[str, Any] = {k: getattr(r, k) for k in head}
        rec.update({m: r.best_metrics.get(m) for m in metrics})
        rec.update({f"hp.{h}": r.best_hyperparameters.get(h) for h in hps})
        rec.update({k: getattr(r, k) for k in tail})
        records.append(rec)
    columns = head + metrics + [f"hp.{h}" for h in hps] + tail
    return pd.DataFrame(records, columns=columns, dtype=object)


def training_jobs_frame(snapshot: StudySnapshot) -> pd.DataFrame:
    head = [
        "study", "candidate", "model_id", "tuning_job_name", "training_job_name", "status", "failure_reason",
        "is_best", "objective",
    ]  # fmt: skip
    tail = [
        "instance_type", "instance_count", "billable_seconds", "training_seconds", "cost_usd", "cost_is_estimate",
        "created_at", "started_at", "ended_at",
    ]  # fmt: skip
    rows: list[TrainingJobRow] = list(snapshot.training_jobs)
    hps = _hp_names([r.hyperparameters for r in rows])
    metrics = _metric_columns(snapshot, head + tail, {m for r in rows for m in r.metrics})
    records = []
    for r in rows:
        rec: dict[str, Any] = {k: getattr(r, k) for k in head}
        rec.update({f"hp.{h}": r.hyperparameters.get(h) for h in hps})
        rec.update({m: r.metrics.get(m) for m in metrics})
        rec.update({k: getattr(r, k) for k in tail})
        records.append(rec)
    columns = head + [f"hp.{h}" for h in hps] + metrics + tail
    return pd.DataFrame(records, columns=columns, dtype=object)


def frame(snapshot: StudySnapshot, what: str) -> pd.DataFrame:
    if what == "tuning-jobs":
        df = tuning_jobs_frame(snapshot)
    elif what == "training-jobs":
        df = training_jobs_frame(snapshot)
    else:
        raise ValueError(what)
    # Sums of float costs carry noise (0.30000000000000004): cents to 6 places are plenty.
    df["cost_usd"] = df["cost_usd"].map(lambda v: None if _is_missing(v) else round(float(v), 6))
    return df


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _json_value(value: Any) -> Any:
    if _is_missing(value):
        return None
    if isinstance(value, datetime):
        return iso(value)
    if hasattr(value, "item"):  # numpy scalar from pandas
        return value.item()
    return value


def _number_text(value: float | int) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) < 1e15):
        return str(int(value))
    return repr(float(value))


def _csv_cell(value: Any) -> str:
    value = _json_value(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _number_text(value)
    text = str(value)
    if text.startswith(_FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    """A text that reads as a number (a hyperparameter such as "-0.5") is data, not a formula."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def _float_texts(values: list[Any]) -> list[str]:
    """A column of floats (or None) formatted at once, as _csv_cell would one cell at a time."""
    arr = np.array([math.nan if v is None else v for v in values], dtype=float)
    out = np.full(len(arr), "", dtype=object)
    finite = np.isfinite(arr)
    whole = finite & (np.floor(arr) == arr) & (np.abs(arr) < 1e15)
    out[whole] = [str(v) for v in arr[whole].astype(np.int64).tolist()]
    rest = ~np.isnan(arr) & ~whole
    out[rest] = [repr(v) for v in arr[rest].tolist()]
    return out.tolist()


def _text_texts(values: list[Any]) -> list[str]:
    """A column of text (or None): only cells a spreadsheet would run as a formula are touched."""
    return [
        "" if v is None else ("'" + v if v.startswith(_FORMULA_START) and not _is_number(v) else v) for v in values
    ]


def _column_texts(values: list[Any]) -> list[str]:
    # Column-wise: one type check per column instead of a chain of them per cell (20,000 x 49 cells).
    kinds = set(map(type, values)) - {type(None)}
    if kinds <= {float}:
        return _float_texts(values)
    if kinds <= {str}:
        return _text_texts(values)
    if kinds == {int}:
        return ["" if v is None else str(v) for v in values]
    return [_csv_cell(v) for v in values]


def to_csv(df: pd.DataFrame, *, for_terminal: bool = False) -> str:
    """The table as CSV. `for_terminal`: every cell's control characters shown as escapes (`\\x1b`), so
    a hostile value cannot act on the terminal; the text is then for reading, not for a spreadsheet."""
    cols = df.astype(object)
    cells = pd.DataFrame(
        {i: _column_texts(cols.iloc[:, i].tolist()) for i in range(cols.shape[1])}, index=cols.index, dtype=object
    )
    cells.columns = _text_texts([str(c) for c in cols.columns])  # a metric named =HYPERLINK(...) is a formula too
    if for_terminal:
        cells = cells.map(printable)
        cells.columns = [printable(c) for c in cells.columns]
    buf = io.StringIO()
    cells.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


# JSON must escape U+0000-U+001F (RFC 8259, section 7) and json.dumps does; these it may escape and
# json.dumps(ensure_ascii=False) leaves raw: DEL, the C1 controls (0x9b is CSI on some terminals) and
# the bidi overrides. Escaped the same way, they read back exactly.
_JSON_UNSAFE = {c: f"\\u{c:04x}" for c in (0x7F, *range(0x80, 0xA0), 0x061C, 0x200E, 0x200F,
                                          *range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def to_json(df: pd.DataFrame) -> str:
    records = [{k: _json_value(v) for k, v in rec.items()} for rec in df.astype(object).to_dict(orient="records")]
    return json.dumps(records, indent=2, ensure_ascii=False).translate(_JSON_UNSAFE) + "\n"


def render(snapshot: StudySnapshot, what: str, fmt: str) -> str:
    df = frame(snapshot, what)
    return to_csv(df) if fmt == "csv" else to_json(df)
