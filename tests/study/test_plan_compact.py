"""The launch dialog's plan: summary first, every candidate, no line wider than the dialog."""

from __future__ import annotations

from jstui.study import plan as planning
from jstui.domain.catalog import Catalog
from jstui.study import load_study
from jstui.sample_studies import DEFAULT_STUDY


def test_compact_plan_fits_and_puts_spend_first():
    study = load_study(DEFAULT_STUDY)
    p = planning.build_plan(study, Catalog.load(study.emulator.catalogs))
    text = planning.format_plan_compact(p, width=64)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 64
    first_candidate_row = next(i for i, line in enumerate(lines) if line.startswith(p.rows[0].candidate[:20]))
    spend_line = next(i for i, line in enumerate(lines) if line.startswith("Maximum spend:"))
    assert spend_line < first_candidate_row
    assert f"${p.max_usd:,.2f}" in text and f"${p.expected_usd:,.2f}" in text
    assert sum(1 for line in lines[first_candidate_row:] if "$" in line) == len(study.candidates)
    # every name whole, even where two differ only at their end (ft1k-b1, ft1k-b0)
    assert all(any(line.split() and line.split()[0] == c.name for line in lines) for c in study.candidates)
    assert "…" not in text
