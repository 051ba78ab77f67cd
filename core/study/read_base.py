"""The generic part of reading a study file: type-checking a table against the schema, range
checks, hyperparameter tables. Every problem goes to a Problems collector; a value that failed is
replaced by INVALID so later checks skip it instead of reporting the same mistake again."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from jstui.study import schema as S
from jstui.study import values as V
from jstui.study.locate import Path as KeyPath
from jstui.study.problems import Problems, suggest
from jstui.study.validate import CandidateSite

INVALID = object()  # a value that failed its check: later checks skip it

# Service limits (AWS docs, "Amazon SageMaker endpoints and quotas"; CreateHyperParameterTuningJob,
# CreateTrainingJob).
MAX_JOBS = 750
MAX_PARALLEL_JOBS = 100
MAX_PARALLEL_TUNING_JOBS = 100
MAX_RUNTIME_S = 28 * 24 * 3600


def misplaced_hint(key: str, here: str) -> str:
    """` (it belongs in [resources])` when `key` is a key of another top-level table."""
    for t in S.TOP_LEVEL:
        if t.name != here and key in t.keys and t.name != "models":
            return f" (it belongs in [{t.name}])"
    return ""



class BaseReader:
    def __init__(self, raw: dict[str, Any], path: Path, problems: Problems):
        self.raw = raw
        self.path = path
        self.base = path.parent
        self.p = problems
        self.sites: list[CandidateSite] = []

    # --- generic reading ---------------------------------------------------------------------------
    def fields(self, raw: object, table: S.Table, at: KeyPath, *, keys: tuple[str, ...] | None = None,
               fill_defaults: bool = True) -> dict[str, Any]:
        """Type-check `raw` against `table`. Unknown keys are reported; missing keys get their
        defaults (or are left out when `fill_defaults` is False, for a candidate's overrides)."""
        keys = keys if keys is not None else table.keys
        if not isinstance(raw, dict):
            self.p.error(at, V.type_problem(raw, S.TABLE) or "expected a table")
            return {k: INVALID for k in keys}
        out: dict[str, Any] = {}
        for k in raw:
            if k not in keys:
                self.unknown(at + (k,), k, keys, table.name)
        for k in keys:
            f = table.field(k)
            assert f is not None
            if k not in raw:
                if not fill_defaults:
                    continue
                if f.required:
                    self.p.error(at + (k,), "is required")
                    out[k] = INVALID
                else:
                    out[k] = f.default
                continue
            value = raw[k]
            msg = V.type_problem(value, f.type)
            if msg:
                self.p.error(at + (k,), msg)
                out[k] = INVALID
            elif f.choices and value not in f.choices:
                self.p.error(at + (k,), f"{value!r} is not one of {', '.join(f.choices)}{suggest(value, f.choices)}")
                out[k] = INVALID
            else:
                out[k] = value
        return out

    def unknown(self, at: KeyPath, key: str, keys: tuple[str, ...], table_name: str) -> None:
        hint = suggest(key, keys) or misplaced_hint(key, table_name)
        self.p.error(at, f"unknown key '{key}'{hint}")

    def number(self, at: KeyPath, value: Any, *, lo: float | None = None, hi: float | None = None,
               lo_open: bool = False, what: str = "") -> Any:
        """Range-check a typed number; returns INVALID when out of range."""
        if value is INVALID or value is None:
            return value
        low_bad = lo is not None and (value <= lo if lo_open else value < lo)
        if low_bad or (hi is not None and value > hi):
            if lo is not None and hi is not None:
                rng = f"> {lo} and <= {hi:,}" if lo_open else f"between {lo} and {hi}"
            elif lo is not None:
                rng = f"> {lo}" if lo_open else f">= {lo}"
            else:
                rng = f"<= {hi}"
            self.p.error(at, f"{value} is out of range: must be {rng}{what}")
            return INVALID
        return value

    def scalars(self, raw: object, at: KeyPath) -> dict[str, str]:
        """A table of hyperparameters: name -> string (as SageMaker passes them)."""
        if raw is None or raw is INVALID:
            return {}
        out: dict[str, str] = {}
        for k, v in cast("dict[str, object]", raw).items():  # a table: the schema checked its type first
            if not V.is_scalar(v):
                self.p.error(at + (k,), f"expected a string, number or boolean, got {V.toml_type(v)}")
                continue
            out[k] = V.hyperparameter_string(v)
        return out

    def check_resources(self, r: dict[str, Any], at: KeyPath) -> None:
        if isinstance(r.get("instance_type"), str):
            msg = V.instance_type_problem(r["instance_type"])
            if msg:
                self.p.error(at + ("instance_type",), msg)
                r["instance_type"] = INVALID
        if "instance_count" in r:
            r["instance_count"] = self.number(at + ("instance_count",), r["instance_count"], lo=1)
        if "max_runtime_s" in r:
            r["max_runtime_s"] = self.number(at + ("max_runtime_s",), r["max_runtime_s"], lo=1, hi=MAX_RUNTIME_S,
                                             what=" seconds (28 days is SageMaker's limit)")
        if r.get("max_wait_s") is not None:
            r["max_wait_s"] = self.number(at + ("max_wait_s",), r["max_wait_s"], lo=1, hi=MAX_RUNTIME_S)

    def check_tuning(self, t: dict[str, Any], at: KeyPath) -> None:
        limits = {"max_jobs": MAX_JOBS, "max_parallel_jobs": MAX_PARALLEL_JOBS,
                  "max_parallel_tuning_jobs": MAX_PARALLEL_TUNING_JOBS}
        for key, hi in limits.items():
            v = t.get(key)
            if v is None or v is INVALID:
                continue
            if v > hi:
                self.p.error(at + (key,), f"{v} is above SageMaker's limit of {hi}")
                t[key] = INVALID
            elif v < 1:
                self.p.error(at + (key,), f"{v} is out of range: must be >= 1")
                t[key] = INVALID
        if isinstance(t.get("objective"), str) and not t["objective"].strip():
            self.p.error(at + ("objective",), "is empty")
            t["objective"] = INVALID
