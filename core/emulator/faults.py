"""Faults and quotas the emulator injects (docs/emulator.md, "Faults and quotas"), and its call statistics.

Throttling is per operation, as the service limits each API: a token bucket of `throttle_tps` requests
per wall-clock second, plus a random `throttle_rate`. `error_rate` answers HTTP 500. `fail_rate` and
`max_tuning_jobs` are read when a tuning job is created (the failure draw is then part of the job).
`tag_lag_s` hides a new resource's tags from ListTags for that many simulated seconds (api_tags)."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field

from jstui.emulator.errors import ServiceError


@dataclass
class FaultSettings:
    throttle_tps: float | None = None
    throttle_rate: float = 0.0
    error_rate: float = 0.0
    fail_rate: float = 0.0
    max_tuning_jobs: int = 100
    tag_lag_s: float = 0.0


class Faults:
    def __init__(self, settings: FaultSettings | None = None, seed: int = 7, wall=time.monotonic):
        self.settings = settings or FaultSettings()
        self._rng = random.Random(f"faults|{seed}")
        self._wall = wall
        self._buckets: dict[str, tuple[float, float]] = {}  # op -> (tokens, last refill)
        self._lock = threading.Lock()

    def update(self, **changes) -> None:
        with self._lock:
            for k, v in changes.items():
                if not hasattr(self.settings, k):
                    raise TypeError(f"unknown fault {k!r}")
                setattr(self.settings, k, v)
            self._buckets.clear()

    def check(self, operation: str) -> None:
        """Raise the fault this call meets, if any."""
        s = self.settings
        with self._lock:
            if s.throttle_tps:
                now = self._wall()
                burst = max(1.0, float(s.throttle_tps))  # a bucket holds at least one call
                tokens, last = self._buckets.get(operation, (burst, now))
                tokens = min(burst, tokens + (now - last) * s.throttle_tps)
                if tokens < 1.0:
                    self._buckets[operation] = (tokens, now)
                    raise ServiceError("ThrottlingException", "Rate exceeded")
                self._buckets[operation] = (tokens - 1.0, now)
            if s.throttle_rate and self._rng.random() < s.throttle_rate:
                raise ServiceError("ThrottlingException", "Rate exceeded")
            if s.error_rate and self._rng.random() < s.error_rate:
                raise ServiceError("InternalFailure", "An internal error occurred. Try again.", status=500)


@dataclass
class Stats:
    calls: dict[str, int] = field(default_factory=dict)
    throttled: int = 0
    errors: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, operation: str) -> None:
        with self._lock:
            self.calls[operation] = self.calls.get(operation, 0) + 1

    def fault(self, code: str) -> None:
        with self._lock:
            if code == "ThrottlingException":
                self.throttled += 1
            else:
                self.errors += 1

    def as_dict(self) -> dict:
        with self._lock:
            return {"calls": dict(sorted(self.calls.items())), "throttled": self.throttled, "errors": self.errors}

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.throttled = 0
            self.errors = 0
