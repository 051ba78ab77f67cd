"""The `/` filter: a model-name filter that is a case-insensitive regex when the text is a valid
regex, else a plain substring (so `resnet(` still filters instead of erroring)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any


def name_matcher(text: str) -> Callable[[str], bool]:
    text = text.strip()
    if not text:
        return lambda name: True
    try:
        pattern = re.compile(text, re.IGNORECASE)
    except re.error:
        needle = text.lower()
        return lambda name: needle in name.lower()
    return lambda name: pattern.search(name) is not None


# --- filters by status and metric (issue 19 item 5) ---------------------------------------------------
# The filter box takes words, all of which must hold: `status:failed` (a status, or several with
# commas: `status:failed,stopped`; a word's start is enough: `status:inprog`), `is:front` (on the
# Pareto front of the study's frontier settings), `best>0.9` / `spend<=2` / `test_accuracy>=0.8`
# (the best objective, the spend, or any metric of the best training job), and any other word is the
# name filter above. A word that looks like a filter but cannot be read is a name filter too, so
# typing never errors.

_COMPARE = re.compile(r"^([A-Za-z_][\w:.\-]*?)(<=|>=|!=|=|<|>)(-?[\d.]+(?:[eE][-+]?\d+)?)$")
_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b, "=": lambda a, b: a == b, "!=": lambda a, b: a != b,
}


def _metric_of(row: Any, name: str) -> float | None:
    if name == "best":
        return row.best_objective
    if name == "spend":
        return row.cost_usd
    value = row.best_metrics.get(name)
    return None if value is None else float(value)


def _status_word(status: str) -> str:
    return status.lower()


def _status_test(wanted: list[str]) -> Callable[[Any], bool]:
    def test(row: Any) -> bool:
        return any(_status_word(row.status).startswith(w) for w in wanted)
    return test


def _front_test(on_front: set[str]) -> Callable[[Any], bool]:
    def test(row: Any) -> bool:
        return row.candidate in on_front
    return test


def _metric_test(name: str, op: Callable[[float, float], bool], number: float) -> Callable[[Any], bool]:
    def test(row: Any) -> bool:
        value = _metric_of(row, name)
        return value is not None and op(value, number)
    return test


def row_matcher(text: str, front: Callable[[], set[str]]) -> Callable[[Any], bool]:
    """A matcher of study-table rows (TuningJobRow) for the filter box's text; `front()` gives the
    candidates on the front (asked only when `is:front` is used)."""
    tests: list[Callable[[Any], bool]] = []
    names: list[str] = []
    for word in text.split():
        low = word.lower()
        if low.startswith("status:") and len(low) > len("status:"):
            tests.append(_status_test([w for w in low[len("status:"):].split(",") if w]))
            continue
        if low == "is:front":
            tests.append(_front_test(front()))
            continue
        m = _COMPARE.match(word)
        if m is not None:
            tests.append(_metric_test(m.group(1), _OPS[m.group(2)], float(m.group(3))))
            continue
        names.append(word)
    by_name = name_matcher(" ".join(names))
    return lambda row: by_name(row.candidate) and all(t(row) for t in tests)
