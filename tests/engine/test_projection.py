"""Issue 18 item 4: "projected" is a projection. On each shipped sample study, run on the embedded
emulator with simulated time driven by the test, the projection a third of the way through lands
within 15% of the final spend, and it is the plan's expected cost before anything ran."""

from __future__ import annotations

import pytest

from jstui.emulator.embedded import start_embedded
from jstui.engine.session import EngineSession, load
from jstui.sample_studies import ROOT

SAMPLES = sorted(p.name for p in ROOT.glob("*.toml"))
STEP_S = 120.0  # simulated seconds between refreshes


@pytest.mark.parametrize("sample", SAMPLES)
def test_projection_at_a_third_lands_within_15_percent_of_the_final_spend(tmp_path, sample):
    study = load(ROOT / sample)
    clock = [1_800_000_000.0]
    emu = start_embedded(tmp_path / "emu.sqlite", list(study.emulator.catalogs), speed=1, clock=lambda: clock[0],
                         max_tuning_jobs=500)
    start = clock[0]
    seen: list[tuple[float, float, float | None]] = []  # (simulated time, spend, projected)
    try:
        with EngineSession(study, tmp_path / "home", endpoint_url=emu.url, budget_usd=1e9) as session:
            session.launch()
            snap = session.refresh(strict=True)
            planned = sum(p.expected_usd or 0.0 for p in snap.planned)
            assert snap.projected_usd == pytest.approx(planned, rel=1e-6)  # nothing ran: the plan's figure
            for _ in range(5000):
                clock[0] += STEP_S
                snap = session.refresh(strict=True)
                seen.append((clock[0] - start, snap.spend_usd, snap.projected_usd))
                if session.all_terminal():
                    break
            else:
                pytest.fail("the study did not end")
    finally:
        emu.stop()
    final = snap.spend_usd
    end = seen[-1][0]
    at, spent, projected = min(seen, key=lambda s: abs(s[0] - end / 3))
    assert 0 < spent < final  # really a third of the way, not the end
    assert projected is not None
    print(f"{sample}: at {at:.0f} s of {end:.0f} s: spent {spent:.2f}, projected {projected:.2f}, final {final:.2f}")
    assert abs(projected - final) <= 0.15 * final, (sample, at, spent, projected, final)
