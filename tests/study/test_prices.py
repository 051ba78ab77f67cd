"""The price table: shipped figures with their sources and date, study overrides, a cached refresh."""

from __future__ import annotations

import json
from pathlib import Path

from jstui.domain import prices
from jstui.domain.prices import PriceTable, load_price_table, price_per_hour, save_refreshed_prices


def test_shipped_table_carries_the_published_figures_sources_and_date():
    # us-east-1, on-demand, 2026, from the secondary sources the table names
    design = {"ml.p3.2xlarge": 3.825, "ml.p3.8xlarge": 14.688, "ml.g4dn.xlarge": 0.7364, "ml.g5.xlarge": 1.4084,
              "ml.g5.2xlarge": 1.515, "ml.m5.xlarge": 0.23, "ml.c5.xlarge": 0.204}
    assert prices.SHIPPED_PRICES == design
    assert prices.SHIPPED_PRICES_DATE == "2026" and len(prices.SHIPPED_PRICES_SOURCES) >= 3
    usd, source = price_per_hour("ml.p3.2xlarge")
    assert usd == 3.825 and "2026" in source


def test_override_wins_and_unknown_is_none():
    assert price_per_hour("ml.p3.2xlarge", {"ml.p3.2xlarge": 3.06}) == (3.06, prices.SOURCE_STUDY)
    assert price_per_hour("ml.p5.48xlarge") == (None, prices.SOURCE_UNKNOWN)


def test_cached_refresh_is_merged_and_survives_a_round_trip(tmp_path: Path):
    assert load_price_table(tmp_path) == PriceTable()
    save_refreshed_prices(tmp_path, region="us-east-1", fetched_at="2026-11-22T06:00:00Z",
                          training={"ml.p3.2xlarge": 3.9, "ml.p5.48xlarge": 98.32}, hosting={"ml.g5.xlarge": 1.5})
    table = load_price_table(tmp_path)
    usd, source = table.price("ml.p5.48xlarge")
    assert usd == 98.32 and "2026-11-22T06:00:00Z" in source
    assert table.price("ml.p3.2xlarge")[0] == 3.9  # the refresh replaces the shipped figure
    assert table.price("ml.m5.xlarge")[0] == 0.23  # the shipped table fills the rest
    assert table.price("ml.g5.xlarge", component=prices.HOSTING)[0] == 1.5
    assert table.price("ml.p3.2xlarge", {"ml.p3.2xlarge": 1.0})[0] == 1.0  # the study still wins
    assert table.date == "2026-11-22T06:00:00Z"
    assert [r[0] for r in table.rows()] == sorted(set(prices.SHIPPED_PRICES) | {"ml.p5.48xlarge"})


def test_unreadable_cache_falls_back_to_the_shipped_table(tmp_path: Path):
    (tmp_path / prices.CACHE_FILE).write_text("{not json", encoding="utf-8")
    assert load_price_table(tmp_path) == PriceTable()
    (tmp_path / prices.CACHE_FILE).write_text(json.dumps({"version": 99, "training": {}}), encoding="utf-8")
    assert load_price_table(tmp_path) == PriceTable()
