"""Half of all calls throttled: `jstui launch --yes --wait` still completes, with exactly one tuning
job per candidate and every result present (the engine suite covers 30% with a restart)."""

from __future__ import annotations

import pandas as pd

from jstui.cli.main import main
from jstui.emulator.embedded import start_embedded
from jstui.engine.session import EngineSession, load
from tests.engine.conftest import FAST_SPEED

from tests.faults.conftest import fast_study
from tests.faults.service import CATALOG, assert_nothing_lost, stats


def test_half_the_calls_throttled_the_launch_completes(tmp_path, fast_botocore_clock):
    study_path = fast_study(tmp_path, name="thr", models=3, parallel_tuning_jobs=2)
    study = load(study_path)
    home = tmp_path / "home"
    g = ["--home", str(home)]
    emu = start_embedded(tmp_path / "emu.sqlite", [CATALOG], speed=FAST_SPEED, noise=0.0, seed=3, throttle_rate=0.5)
    try:
        assert main(g + ["--endpoint-url", emu.url, "launch", str(study_path), "--yes", "--wait"]) == 0
        counts = stats(emu.url)
        emu.set_faults(throttle_rate=0.0)  # the checks below read the service undisturbed
        # the faults really hit: about half of all calls, and some of the launch's Creates (the
        # emulator's fault draws are seeded; one client thread makes them in a fixed order)
        assert counts["throttled"] >= 0.3 * sum(counts["calls"].values()), counts
        assert counts["calls"]["CreateHyperParameterTuningJob"] > 3, counts
        with EngineSession(study, home, endpoint_url=emu.url) as session:
            snap = session.refresh(strict=True)
        view = assert_nothing_lost(snap, emu.url, study)
    finally:
        emu.stop()
    assert snap.counts_by_status() == {"Completed": 3}
    assert len(snap.training_jobs) == 3 * 2
    # the headless export (the journal's snapshot, no service) holds the same training jobs
    out = tmp_path / "training.csv"
    assert main(g + ["--export", "csv", "--what", "training-jobs", "--offline", "-o", str(out), str(study_path)]) == 0
    table = pd.read_csv(out)
    assert sorted(table["training_job_name"]) == sorted(t for job in view.values() for t in job["training"])
    assert table["test_accuracy"].notna().all() and (table["status"] == "Completed").all()
