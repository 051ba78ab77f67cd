"""Every shipped sample study validates, and its plan prices every candidate."""

from __future__ import annotations

from pathlib import Path

import pytest

from jstui.domain.catalog import Catalog
from jstui.study.plan import build_plan
from jstui.domain.prices import PriceTable
from jstui.study import load_study

SAMPLES = sorted((Path(__file__).resolve().parent.parent.parent / "sample_studies").glob("*.toml"))


def test_there_are_sample_studies():
    assert SAMPLES, "sample_studies/*.toml"


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_sample_study_validates_and_plans(path: Path):
    study = load_study(path)
    assert study.candidates
    assert len({c.name for c in study.candidates}) == len(study.candidates)
    catalog = Catalog.load(study.emulator.catalogs) if study.emulator.catalogs else None
    plan = build_plan(study, catalog, PriceTable())
    assert len(plan.rows) == len(study.candidates)
    assert plan.max_usd is not None and plan.max_usd > 0
