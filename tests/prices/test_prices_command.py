"""`jstui prices`: the table in use with its date; `--refresh` without credentials is exit 3."""

from __future__ import annotations

import json

from jstui.cli.main import main
from jstui.domain.prices import SHIPPED_PRICES, save_refreshed_prices


def test_shipped_table_with_date_and_sources(tmp_path, capsys):
    assert main(["--home", str(tmp_path), "prices", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["refreshed"] is False
    got = {p["instance_type"]: p["usd_per_hour"] for p in doc["prices"]}
    assert got == SHIPPED_PRICES
    assert main(["--home", str(tmp_path), "prices"]) == 0
    text = capsys.readouterr().out
    assert "shipped table" in text and "ml.p3.2xlarge" in text and "Sources" in text


def test_cached_refresh_is_used_with_its_date(tmp_path, capsys):
    save_refreshed_prices(tmp_path, region="eu-west-1", fetched_at="2026-11-01T00:00:00Z",
                          training={"ml.p3.2xlarge": 4.131}, hosting={"ml.p3.2xlarge": 4.2})
    assert main(["--home", str(tmp_path), "prices", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["refreshed"] is True and doc["date"] == "2026-11-01T00:00:00Z" and doc["region"] == "eu-west-1"
    p3 = next(p for p in doc["prices"] if p["instance_type"] == "ml.p3.2xlarge")
    assert p3["usd_per_hour"] == 4.131 and p3["hosting_usd_per_hour"] == 4.2


def test_refresh_without_credentials_is_exit_3_one_line(tmp_path, capsys, monkeypatch):
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert main(["--home", str(tmp_path), "prices", "--refresh"]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "credentials" in err[0]
