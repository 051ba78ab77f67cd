from __future__ import annotations

import re
from datetime import datetime, timedelta, UTC

from hypothesis import given
from hypothesis import strategies as st

from jstui.domain import spend
from jstui.domain.naming import name_prefix, tuning_job_name

VALID = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*$")  # SageMaker's tuning-job name pattern


@given(
    study=st.from_regex(r"[a-z0-9][a-z0-9-]{0,19}", fullmatch=True),
    cand=st.text(min_size=1, max_size=80),
    gen=st.integers(min_value=1, max_value=999),
)
def test_names_valid_deterministic_and_prefixed(study, cand, gen):
    name = tuning_job_name(study, cand, gen)
    assert len(name) <= 32 and VALID.match(name), name
    assert name == tuning_job_name(study, cand, gen)
    assert name.startswith(name_prefix(study))


def test_names_unique_for_colliding_slugs_and_generations():
    names = {
        tuning_job_name("caltech256", c, g)
        for c in ("swin-large-patch4-window12-384", "swin-large-patch4-window7-224", "swin_large", "swin-large")
        for g in (1, 2, 3)
    }
    assert len(names) == 12


def test_spend_billed_and_accrued():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    billed = spend.training_job_spend(status="Completed", billable_seconds=1800, started_at=start,
                                      ended_at=start + timedelta(hours=1), now=None, instance_count=2,
                                      usd_per_hour=3.825)
    assert billed.cost_usd == 1800 * 2 * 3.825 / 3600 and not billed.is_estimate
    running = spend.training_job_spend(status="InProgress", billable_seconds=None, started_at=start, ended_at=None,
                                       now=start + timedelta(minutes=30), instance_count=1, usd_per_hour=3.825)
    assert running.is_estimate and running.billable_seconds == 1800 and abs(running.cost_usd - 3.825 / 2) < 1e-9
    unpriced = spend.training_job_spend(status="InProgress", billable_seconds=None, started_at=start, ended_at=None,
                                        now=start, instance_count=1, usd_per_hour=None)
    assert unpriced.cost_usd is None
    tot = spend.total([billed, running])
    assert tot.is_estimate and abs(tot.cost_usd - (billed.cost_usd + running.cost_usd)) < 1e-9
