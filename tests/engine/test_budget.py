"""Cost control: projection arithmetic, the guard's two thresholds, and a guarded run that stops
before crossing its budget by more than one check's accrual, launching nothing afterwards."""

from __future__ import annotations

from dataclasses import replace

from jstui.domain import budget
from jstui.domain.catalog import Catalog
from jstui.emulator.embedded import start_embedded
from jstui.engine.session import load
from jstui.engine.journal import Journal
from jstui.domain.times import parse_time
from jstui.cli.main import main
from jstui.study.plan import build_plan
from jstui.domain.prices import load_price_table
from jstui.sample_studies import ROOT
from tests.engine.conftest import tuning_job_names, write_study
from tests.engine.fixtures import demo_snapshot


def test_guard_thresholds():
    assert budget.decide(50, 0.0, 60, 100, "stop").state == "ok"
    warn = budget.decide(80, 0.0, 60, 100, "stop")
    assert warn.state == "warning" and not warn.act and "80%" in warn.message
    # stop acts on spend plus the accrual expected before the next check: 85 + 0.25 * 60 = 100
    stop = budget.decide(85, 0.25, 60, 100, "stop")
    assert stop.state == "stopped" and stop.act and stop.expected_usd == 100
    assert budget.decide(85, 0.2, 60, 100, "stop").state == "warning"
    # policy warn never acts, and says "exceeded" once spend is past the budget
    over = budget.decide(101, 1.0, 60, 100, "warn")
    assert over.state == "exceeded" and not over.act
    assert budget.decide(10, 1.0, 60, None, "stop").state == "ok"


def test_projection_arithmetic():
    snap = demo_snapshot()
    price = {"ml.p3.2xlarge": 3.6}.get
    # alpha is Completed (nothing left). "=cmd|calc" runs: max 2, 1 failed + 1 in progress started,
    # so 0 not started; its running job has 470.6 s billed of an expected 1800 s (the study's mean
    # completed duration, as it has none of its own). gamma waits: its row has max_jobs 2 but no
    # tuning job yet, so 2 jobs of 1800 s.
    expected = snap.spend_usd + (1800 - 470.6) * 3.6 / 3600 + 2 * 1800 * 3.6 / 3600
    assert abs(budget.projected_usd(snap, price) - expected) < 1e-9
    assert budget.projected_usd(replace(snap, training_jobs=()), price) is None
    assert abs(budget.burn_rate_usd_per_s(snap, price) - 3.6 / 3600) < 1e-12


def test_guarded_run_stops_before_the_budget(tmp_path):
    full = load(write_study(tmp_path, name="full", models=21, speed=600))
    full_spend = build_plan(full, Catalog.load(full.emulator.catalogs), load_price_table(None)).expected_usd
    usd = round(full_spend / 2, 2)
    path = write_study(tmp_path, name="half", models=21, speed=600, budget=f'[budget]\nusd = {usd}\npolicy = "stop"')
    emu = start_embedded(tmp_path / "emu.sqlite", [ROOT / "catalogs" / "caltech256.csv"], speed=600)
    home = tmp_path / "home"
    try:
        code = main(["--home", str(home), "--endpoint-url", emu.url, "launch", str(path), "--yes", "--wait"])
        names_on_service = tuning_job_names(emu.url)
        g = ["--home", str(home), "--endpoint-url", emu.url]
        assert main(g + ["status", str(path), "--json"]) == 6  # status exits 6 once the guard stopped
    finally:
        emu.stop()
    assert code == 6
    journal = Journal.open(home)
    events = journal.events("half", limit=10_000)
    stop_i = next(i for i, e in enumerate(events) if e["kind"] == "budget-stop")
    checks = [e for e in events[:stop_i] if e["kind"] == "budget-check"]
    prev, last = checks[-2], checks[-1]
    bound = max(prev["body"]["rate_usd_per_s"], last["body"]["rate_usd_per_s"]) * (
        parse_time(last["at"]) - parse_time(prev["at"])
    ).total_seconds()
    snap = journal.snapshot_body("half")
    from jstui.engine.snapshot_codec import snapshot_from_json

    final = snapshot_from_json(snap)
    # candidates the guard dropped before they ran are NotLaunched, not Stopped (issue 18, item 8)
    assert set(final.counts_by_status()) <= {"Completed", "Stopped", "NotLaunched"} and final.counts_by_status().get("Stopped")
    dropped = [r for r in final.tuning_jobs if r.tuning_job_name is None]
    assert dropped and all(r.status == "NotLaunched" and r.cost_usd == 0 for r in dropped)
    assert not final.spend_is_estimate
    assert final.spend_usd - usd <= bound, (final.spend_usd, usd, bound)
    assert final.spend_usd >= 0.5 * usd  # it did not give up absurdly early either
    # nothing launched after the stop
    assert not any(e["kind"] == "launched" for e in events[stop_i:])
    launched = {l.tuning_job_name for l in journal.launches("half") if l.state == "launched"}
    assert sorted(names_on_service) == sorted(launched) and len(launched) < 21


def test_a_guard_stop_holds_until_the_budget_changes(tmp_path):
    from jstui.engine.session import EngineSession

    study = load(write_study(tmp_path, models=1))
    home = tmp_path / "home"
    with EngineSession(study, home) as s:
        s.journal.add_event(study.name, "budget-stop", "stopped", body={"budget_usd": study.budget.usd})
    with EngineSession(study, home) as s:
        assert s.guard.stopped
        assert s.launcher.halted
    with EngineSession(study, home, budget_usd=study.budget.usd * 2) as s:
        assert not s.guard.stopped and not s.launcher.halted
