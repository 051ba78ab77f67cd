"""HTTP 500s are retried: answered before the service acted (the emulator's `error_rate`) and after
it acted (a proxy loses the first answer of every CreateHyperParameterTuningJob). The launch and
the polling complete, and nothing is created twice: the retried Create meets ResourceInUse and jstui
adopts its own job after checking its tag."""

from __future__ import annotations

from jstui.cli.main import main
from jstui.emulator.embedded import start_embedded
from jstui.engine.session import EngineSession, load
from jstui.engine.journal import LAUNCHED, Journal
from jstui.domain.naming import tuning_job_name
from tests.engine.conftest import FAST_SPEED

from tests.faults.conftest import fast_study
from tests.faults.lossy_proxy import LossyProxy
from tests.faults.service import CATALOG, assert_nothing_lost, stats


def test_500s_before_and_after_the_service_acted_are_retried_without_duplicates(tmp_path):
    study_path = fast_study(tmp_path, name="err", models=3, parallel_tuning_jobs=2)
    study = load(study_path)
    home = tmp_path / "home"
    emu = start_embedded(tmp_path / "emu.sqlite", [CATALOG], speed=FAST_SPEED, noise=0.0, error_rate=0.3)
    proxy = LossyProxy(emu.url, "CreateHyperParameterTuningJob", key="HyperParameterTuningJobName")
    try:
        rc = main(["--home", str(home), "--endpoint-url", proxy.url, "launch", str(study_path), "--yes", "--wait"])
        assert rc == 0
        errors = stats(emu.url)["errors"]
        emu.set_faults(error_rate=0.0)
        with EngineSession(study, home, endpoint_url=emu.url) as session:
            snap = session.refresh(strict=True)
        assert_nothing_lost(snap, emu.url, study)
    finally:
        proxy.stop()
        emu.stop()
    assert errors > 0  # the emulator's 500s happened
    # every candidate's Create was answered 500 after it succeeded, and was adopted, not duplicated
    assert sorted(proxy.lost) == sorted(tuning_job_name(study.name, c.name, 1) for c in study.candidates)
    journal = Journal.open(home)
    try:
        assert {l.candidate: l.state for l in journal.launches(study.name)} == {c.name: LAUNCHED for c in study.candidates}
        adopted = [e["message"] for e in journal.events(study.name, kind="adopted", limit=50)]
    finally:
        journal.close()
    assert sorted(m.split(":")[0] for m in adopted) == sorted(c.name for c in study.candidates)
    assert snap.counts_by_status() == {"Completed": 3}
