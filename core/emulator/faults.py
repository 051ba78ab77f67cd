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
    # What the real service costs a caller (issue 17; docs/performance.md): per-call latency with
    # jitter, per-operation rate limits, how far Search's index lags, operations the caller may not use.
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    rate_limits: dict = field(default_factory=dict)  # operation -> requests per second (overrides throttle_tps)
    search_lag_s: float = 0.0  # simulated seconds Search results trail Describe/List
    denied: frozenset = frozenset()  # operations answered AccessDeniedException


# Stated assumptions, not published figures: AWS documents few per-API rate limits for SageMaker
# (https://docs.aws.amazon.com/general/latest/gr/sagemaker.html lists quotas, not API rates), and calls
# measured from a laptop take ~50-300 ms. `jstui emulator --real-service` uses these.
REAL_SERVICE_LATENCY_MS = 150.0
REAL_SERVICE_JITTER_MS = 50.0
REAL_SERVICE_RATE_LIMITS = {
    "CreateHyperParameterTuningJob": 5.0,
    "StopHyperParameterTuningJob": 5.0,
    "DescribeHyperParameterTuningJob": 10.0,
    "DescribeTrainingJob": 10.0,
    "ListHyperParameterTuningJobs": 5.0,
    "ListTrainingJobsForHyperParameterTuningJob": 5.0,
    "ListTrainingJobs": 5.0,
    "Search": 5.0,
}
REAL_SERVICE_SEARCH_LAG_S = 30.0


def real_service(**overrides) -> FaultSettings:
    """The real-service profile: the assumptions above, each overridable."""
    s = FaultSettings(
        latency_ms=REAL_SERVICE_LATENCY_MS,
        jitter_ms=REAL_SERVICE_JITTER_MS,
        rate_limits=dict(REAL_SERVICE_RATE_LIMITS),
        search_lag_s=REAL_SERVICE_SEARCH_LAG_S,
    )
    for k, v in overrides.items():
        setattr(s, k, v)
    return s


class Faults:
    def __init__(self, settings: FaultSettings | None = None, seed: int = 7, wall=time.monotonic):
        self.settings = settings or FaultSettings()
        self._rng = random.Random(f"faults|{seed}")
        self._wall = wall
        self._jitter = random.Random(f"jitter|{seed}")  # its own stream: latency never shifts the fault draws
        self._buckets: dict[str, tuple[float, float]] = {}  # op -> (tokens, last refill)
        self._lock = threading.Lock()

    def update(self, **changes) -> None:
        with self._lock:
            for k, v in changes.items():
                if not hasattr(self.settings, k):
                    raise TypeError(f"unknown fault {k!r}")
                setattr(self.settings, k, v)
            self._buckets.clear()

    def delay_s(self) -> float:
        """Wall seconds this call waits before it is answered (latency with uniform jitter)."""
        s = self.settings
        if not s.latency_ms and not s.jitter_ms:
            return 0.0
        with self._lock:
            jitter = self._jitter.uniform(-s.jitter_ms, s.jitter_ms) if s.jitter_ms else 0.0
        return max(0.0, s.latency_ms + jitter) / 1000.0

    def check(self, operation: str) -> None:
        """Raise the fault this call meets, if any."""
        s = self.settings
        if operation in s.denied:
            # As IAM answers an action the caller's policy does not allow (JSON protocol).
            raise ServiceError("AccessDeniedException", f"User: arn:aws:iam::123456789012:user/jstui is not "
                               f"authorized to perform: sagemaker:{operation} because no identity-based policy "
                               f"allows the sagemaker:{operation} action")
        with self._lock:
            tps = s.rate_limits.get(operation, s.throttle_tps)
            if tps:
                now = self._wall()
                burst = max(1.0, float(tps))  # a bucket holds at least one call
                tokens, last = self._buckets.get(operation, (burst, now))
                tokens = min(burst, tokens + (now - last) * tps)
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
