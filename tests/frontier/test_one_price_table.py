"""One price table, owned by the session, prices training and hosting: after `jstui prices --refresh`
(here: its cache written as the command writes it) every figure changes, endpoint costs included, in
a session that was already open, and the deploy dialog's price comes from the same table."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest
from jstui.cli.main import main
from jstui.domain.prices import HOSTING, TRAINING, load_price_table, save_refreshed_prices
from jstui.engine import deployments as deploy
from jstui.engine.session import EngineSession, load


@pytest.fixture
def session(finished, tmp_path):
    """The finished study in a home of its own (this test writes a price cache there)."""
    study_path, home = finished
    own = tmp_path / "home"
    shutil.copytree(home, own)
    s = EngineSession(load(study_path), own)
    s.refresh(strict=True)
    yield s
    s.close()


def _figures(s: EngineSession, endpoint: str, itype: str) -> dict[str, float | None]:
    snap = s.snapshot()
    [row] = [e for e in snap.endpoints if e.name == endpoint]
    return {
        "training_cost": sum(t.cost_usd or 0.0 for t in snap.tuning_jobs),
        "training_job_cost": sum(j.cost_usd for j in snap.training_jobs),
        "endpoint_usd_per_hour": row.usd_per_hour,
        "endpoint_accrued": row.accrued_usd,
        "dialog_usd_per_hour": s.hosting_usd_per_hour(itype, 2),
    }


def test_a_price_refresh_changes_every_figure_endpoints_included(session, capsys):
    s = session
    cand = s.snapshot().tuning_jobs[0].candidate
    defaults = s.deploy_defaults(cand)
    s.deploy(cand, defaults.endpoint_name, defaults.instance_type, 1)
    assert deploy.wait(s, defaults.endpoint_name, poll_s=0.1, timeout_s=60).status == "InService"
    s.refresh(strict=True)
    before = _figures(s, defaults.endpoint_name, defaults.instance_type)
    assert all(v for v in before.values()), before  # every figure is priced from the shipped table
    assert before["dialog_usd_per_hour"] == pytest.approx(2 * before["endpoint_usd_per_hour"])

    # What `jstui prices --refresh` caches: other rates for every type in use, training and hosting apart.
    table = load_price_table(s.home)
    types = {r[0] for r in table.rows(TRAINING)}
    save_refreshed_prices(
        s.home, region=s.region, fetched_at="2026-11-30T00:00:00Z",
        training={t: 2 * (table.price(t, component=TRAINING)[0] or 0) for t in types},
        hosting={t: 3 * (table.price(t, component=HOSTING)[0] or 0) for t in types},
    )
    s.refresh(strict=True)
    after = _figures(s, defaults.endpoint_name, defaults.instance_type)
    assert after["training_cost"] == pytest.approx(2 * before["training_cost"])
    assert after["training_job_cost"] == pytest.approx(2 * before["training_job_cost"])
    assert after["endpoint_usd_per_hour"] == pytest.approx(3 * before["endpoint_usd_per_hour"])
    assert after["dialog_usd_per_hour"] == pytest.approx(3 * before["dialog_usd_per_hour"])
    assert after["endpoint_accrued"] > before["endpoint_accrued"]
    assert s.deploy_defaults(cand).usd_per_hour == pytest.approx(3 * (defaults.usd_per_hour or 0))

    # The headless commands read the same table: `endpoints` shows the refreshed hourly rate.
    assert main(["--home", str(s.home), "endpoints", s.study.name]) == 0
    out = capsys.readouterr().out
    assert f"{after['endpoint_usd_per_hour']:.2f}" in out

    # A study's [prices] still wins over a refresh, for hosting as for training.
    pinned = EngineSession(replace(s.study, prices={defaults.instance_type: 0.5}), s.home)
    try:
        assert pinned.hosting_usd_per_hour(defaults.instance_type, 2) == pytest.approx(1.0)
    finally:
        pinned.close()
    s.delete_endpoint(defaults.endpoint_name)
