"""Sane bounds of the numbers a user types (a budget, an emulator speed), in one place for the
command line and the study file. NaN and infinity are refused everywhere: `float("nan")` compares
false with every bound, and a budget of 1e308 overflows the cost arithmetic into infinity."""

from __future__ import annotations

import math

BUDGET_MIN_USD = 0.01  # a cent: below it no training second can be billed
BUDGET_MAX_USD = 10_000_000.0  # ten million dollars: far above any one study, far below overflow

# Simulated seconds per wall second. 1 is real time; the sample studies use 300-10,000. Below 0.01
# a simulated minute takes 100 wall minutes; above a million a simulated day passes in 0.09 s,
# finer than the emulator's clock can order events.
SPEED_MIN = 0.01
SPEED_MAX = 1_000_000.0


def _range_problem(value: float, lo: float, hi: float, unit: str) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"{value!r} is not a number"
    if not math.isfinite(value):
        return f"{value} is not a finite number"
    if not lo <= value <= hi:
        return f"{value:g} is out of range: must be between {lo:g} and {hi:,.0f}{unit}"
    return None


def budget_problem(usd: float) -> str | None:
    """Why `usd` is not a usable budget, or None."""
    return _range_problem(usd, BUDGET_MIN_USD, BUDGET_MAX_USD, " USD")


def speed_problem(speed: float) -> str | None:
    """Why `speed` is not a usable emulator speed (simulated seconds per wall second), or None."""
    return _range_problem(speed, SPEED_MIN, SPEED_MAX, " simulated seconds per wall second")
