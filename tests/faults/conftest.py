"""Fixtures of the fault suite: small fast studies (copies of the shipped Caltech-256 study, see
tests/engine/conftest.py) and botocore's retry waits run on a faster clock."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.engine.conftest import FAST_SPEED, write_study

BOTOCORE_CLOCK_FACTOR = 20.0


def fast_study(directory: Path, *, name: str, models: int, parallel_tuning_jobs: int, max_jobs: int = 2) -> Path:
    """`models` small mobilenets of the shipped study (each ends in about a second at FAST_SPEED),
    noise 0, `max_jobs` training jobs per tuning job."""
    path = write_study(directory, name=name, models=models, parallel_tuning_jobs=parallel_tuning_jobs, skip=15,
                       speed=FAST_SPEED)
    text = re.sub(r"(?m)^noise = .*$", "noise = 0", path.read_text(encoding="utf-8"))
    text = re.sub(r"(?m)^max_jobs = \d+", f"max_jobs = {max_jobs}", text)
    path.write_text(text, encoding="utf-8")
    return path


class _FastTime:
    """The `time` module as botocore's endpoint sees it, with shorter sleeps."""

    def __init__(self, factor: float):
        self._factor = factor

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds / self._factor)

    def __getattr__(self, name):
        return getattr(time, name)


@pytest.fixture
def fast_botocore_clock(monkeypatch):
    """Under 50% throttling, botocore's adaptive mode backs off (1 s scale, doubling) and its client-side
    rate limiter falls to 0.5 requests a second: a four-model launch takes over a minute of real
    waiting. Run those waits on a clock BOTOCORE_CLOCK_FACTOR times faster, as the emulator runs its
    jobs on a fast clock: every retry and pacing decision stays botocore's, only the seconds are
    shorter. (monkeypatch raises if botocore renames what is patched, so this cannot silently stop
    applying.)"""
    import botocore.endpoint
    import botocore.retries.bucket as bucket

    k = BOTOCORE_CLOCK_FACTOR
    wall = time.time
    sleep_amount = bucket.TokenBucket._sleep_amount
    monkeypatch.setattr(bucket.Clock, "current_time", lambda self: wall() * k)
    monkeypatch.setattr(bucket.Clock, "sleep", lambda self, s: time.sleep(s / k))
    monkeypatch.setattr(bucket.TokenBucket, "_sleep_amount", lambda self, amount: sleep_amount(self, amount) / k)
    monkeypatch.setattr(botocore.endpoint, "time", _FastTime(k))
