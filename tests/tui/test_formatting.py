"""The TUI's pure helpers: column fitting, sorting, the filter and value formatting."""

from __future__ import annotations

import dataclasses

from hypothesis import given
from hypothesis import strategies as st

from jstui.tui import format as fmt
from jstui.tui.columns import CELL_PADDING, COLUMNS_BY_KEY, STUDY_COLUMNS, fit_columns, sort_rows
from jstui.tui.filtering import name_matcher

from tests.tui.fake_session import make_snapshot


@given(available=st.integers(min_value=10, max_value=300), model_width=st.integers(min_value=1, max_value=70))
def test_fit_never_drops_the_model_and_keeps_priority(available, model_width):
    shown = fit_columns(STUDY_COLUMNS, available, model_width)
    assert shown[0].key == "model"
    keys = [c.key for c in shown]
    assert keys == [c.key for c in STUDY_COLUMNS if c.key in keys]  # display order kept
    used = max(model_width, STUDY_COLUMNS[0].cell_width) + CELL_PADDING
    used += sum(c.cell_width + CELL_PADDING for c in shown[1:])
    assert used <= max(available, max(model_width, STUDY_COLUMNS[0].cell_width) + CELL_PADDING)
    dropped = [c for c in STUDY_COLUMNS if c.key not in keys]
    for c in dropped:  # a dropped column never outranks a shown one unless it alone did not fit
        assert all(s.priority < c.priority or used + c.cell_width + CELL_PADDING > available for s in shown[1:])


def test_at_80_columns_the_essentials_stay():
    keys = [c.key for c in fit_columns(STUDY_COLUMNS, 78, len("mobilenet-v2-100-224"))]
    assert keys[:2] == ["model", "status"] and "best" in keys and "spend" in keys
    assert len(keys) < len(STUDY_COLUMNS)


def test_sort_puts_missing_values_last_both_ways():
    rows = list(make_snapshot().tuning_jobs)
    best = COLUMNS_BY_KEY["best"]
    up = sort_rows(rows, best, reverse=False)
    down = sort_rows(rows, best, reverse=True)
    values_up = [r.best_objective for r in up]
    n = sum(v is not None for v in values_up)
    # the first sort puts the best first: every objective here is maximised (issue 18 item 16)
    assert values_up[:n] == sorted((v for v in values_up if v is not None), reverse=True)
    assert all(v is None for v in values_up[n:])
    assert [r.best_objective for r in down][:n] == sorted(v for v in values_up if v is not None)
    ties = [dataclasses.replace(r, cost_usd=1.0) for r in rows]
    assert [r.candidate for r in sort_rows(ties, COLUMNS_BY_KEY["spend"], False)] == sorted(r.candidate for r in rows)


def test_filter_is_regex_or_substring():
    assert name_matcher("")("anything")
    assert name_matcher("^eff")("effv2-m") and not name_matcher("^eff")("x-effv2")
    assert name_matcher("RES")("resnet-50")
    assert name_matcher("net(")("resnet(50") and not name_matcher("net(")("resnet-50")


def test_status_reads_without_colour():
    for status in ("InProgress", "Completed", "Failed", "Stopped", "Stopping", "Queued", "WaitingForQuota"):
        plain = fmt.status_plain(status)
        glyph, word = plain.split(" ", 1)
        assert len(glyph) == 1 and word
    assert len({fmt.status_plain(s).split()[0] for s in ("InProgress", "Completed", "Failed", "Stopped")}) == 4


def test_values():
    assert fmt.duration(59) == "59s" and fmt.duration(725) == "12m05s" and fmt.duration(3 * 3600 + 420) == "3h07m"
    assert fmt.duration(50 * 3600) == "2d02h"
    assert fmt.usd(3.125, estimate=True) == "~$3.12" and fmt.usd(None) == "–"
    assert fmt.count(54_431_388) == "54.4M" and fmt.fraction(0.83215) == "0.832"
    assert fmt.one_line("a\n  b", 3) == "a b" and fmt.one_line("abcdef", 4) == "abc…"
