"""Simulated time: now = origin + (wall - wall_origin) * speed.

Origin and speed are stored in the state, so every process on one state file agrees on "now".
Tests inject a callable instead (`SimClock.fixed`) and move time themselves."""

from __future__ import annotations

import time
from email.utils import formatdate
from collections.abc import Callable


class SimClock:
    def __init__(self, origin: float, wall_origin: float, speed: float, wall: Callable[[], float] = time.time):
        self.origin = origin
        self.wall_origin = wall_origin
        self.speed = speed
        self._wall = wall
        self._injected: Callable[[], float] | None = None

    @classmethod
    def injected(cls, now: Callable[[], float], speed: float = 1.0) -> SimClock:
        """A clock whose simulated now is whatever `now()` returns (tests)."""
        c = cls(origin=0.0, wall_origin=0.0, speed=speed)
        c._injected = now
        return c

    def now(self) -> float:
        if self._injected is not None:
            return float(self._injected())
        return self.origin + (self._wall() - self.wall_origin) * self.speed

    def http_date(self) -> str:
        return formatdate(self.now(), usegmt=True)
