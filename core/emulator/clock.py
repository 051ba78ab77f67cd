"""Simulated time: now = origin + (wall - wall_origin) * speed, or a fixed instant while paused.

Origin, wall origin, speed and the paused instant are stored in the state, so every process on one
state file agrees on "now" (each re-reads them before it answers; see Emulator.sync_clock). The
control API (`POST /_emulator/clock`, docs/emulator-control.md) pauses, resumes and advances the
clock; time only ever moves forward, as it does for the real service. Tests that embed the emulator
may inject a callable instead (`SimClock.injected`) and move time themselves."""

from __future__ import annotations

import time
from dataclasses import dataclass
from email.utils import formatdate
from collections.abc import Callable


@dataclass(frozen=True)
class ClockState:
    """What is stored: simulated seconds at `wall_origin`, and the simulated instant time stands at
    while paused (None: running)."""

    origin: float
    wall_origin: float
    paused_at: float | None = None


class SimClock:
    def __init__(self, origin: float, wall_origin: float, speed: float, wall: Callable[[], float] = time.time,
                 paused_at: float | None = None):
        self._state = ClockState(origin, wall_origin, paused_at)  # one object: threads see a whole state
        self.speed = speed
        self._wall = wall
        self._injected: Callable[[], float] | None = None

    @classmethod
    def injected(cls, now: Callable[[], float], speed: float = 1.0) -> SimClock:
        """A clock whose simulated now is whatever `now()` returns (tests)."""
        c = cls(origin=0.0, wall_origin=0.0, speed=speed)
        c._injected = now
        return c

    @property
    def origin(self) -> float:
        return self._state.origin

    @property
    def wall_origin(self) -> float:
        return self._state.wall_origin

    @property
    def paused_at(self) -> float | None:
        return self._state.paused_at

    @property
    def is_injected(self) -> bool:
        return self._injected is not None

    def now(self) -> float:
        if self._injected is not None:
            return float(self._injected())
        state = self._state
        if state.paused_at is not None:
            return state.paused_at
        return state.origin + (self._wall() - state.wall_origin) * self.speed

    def http_date(self) -> str:
        return formatdate(self.now(), usegmt=True)

    # --- control (docs/emulator-control.md) ---------------------------------------------------
    def state(self) -> ClockState:
        return self._state

    def load(self, state: ClockState) -> None:
        self._state = state

    def paused(self, state: ClockState, paused: bool) -> ClockState:
        """`state` paused at its current instant, or running on from the instant it was paused at."""
        if paused and state.paused_at is None:
            now = state.origin + (self._wall() - state.wall_origin) * self.speed
            return ClockState(state.origin, state.wall_origin, now)
        if not paused and state.paused_at is not None:
            return ClockState(state.paused_at, self._wall(), None)
        return state

    @staticmethod
    def advanced(state: ClockState, seconds: float) -> ClockState:
        """`state` moved `seconds` (>= 0) simulated seconds ahead, paused or not."""
        if state.paused_at is not None:
            return ClockState(state.origin, state.wall_origin, state.paused_at + seconds)
        return ClockState(state.origin + seconds, state.wall_origin, None)
