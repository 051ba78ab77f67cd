"""README's first real run (docs/first-real-run.toml): a valid study for the real service whose maximum
spend, as the plan computes it from the shipped price table, fits inside its own budget."""

from __future__ import annotations

from pathlib import Path

from jstui.domain.prices import load_price_table
from jstui.study import load_study
from jstui.study.plan import build_plan

FILE = Path(__file__).resolve().parents[2] / "docs" / "first-real-run.toml"


def test_the_first_real_run_is_one_cheap_job_inside_its_budget(tmp_path):
    study = load_study(FILE)
    assert study.backend == "sagemaker" and len(study.candidates) == 1
    plan = build_plan(study, None, load_price_table(tmp_path))
    assert plan.training_jobs == 1
    assert plan.max_usd is not None and plan.budget_usd is not None
    assert 0 < plan.max_usd <= plan.budget_usd
