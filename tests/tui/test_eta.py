"""Progress and ETA (issue 19 item 3): the plan's estimator (jstui.domain.estimate) as time: each
candidate's expected end from its own completed jobs, the study's end with tuning-job slots, and the
line that says when the study ends and at what spend."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from jstui.domain import estimate
from jstui.tui import format as fmt
from jstui.domain.snapshot import StudySnapshot
from jstui.tui.widgets.eta_line import EtaLine, eta_text

from tests.tui.fake_session import T0, FakeSession, make_snapshot
from tests.tui.helpers import make_app, settle

PER_JOB = 600.0  # billed seconds of the candidate's completed job
ELAPSED = 100.0  # the running job's billed time so far


def one_candidate(max_jobs: int) -> tuple[StudySnapshot, str]:
    """effv2-m: one job completed in PER_JOB s, one running for ELAPSED s, `max_jobs` in all."""
    snap = make_snapshot()
    row = next(r for r in snap.tuning_jobs if r.candidate == "effv2-m")
    jobs = []
    for t in snap.training_jobs_of(row.tuning_job_name):
        if t.status == "Completed":
            jobs.append(dataclasses.replace(t, billable_seconds=PER_JOB, cost_is_estimate=False))
        else:
            jobs.append(dataclasses.replace(t, billable_seconds=None, started_at=T0 - timedelta(seconds=ELAPSED)))
    others = tuple(t for t in snap.training_jobs if t.tuning_job_name != row.tuning_job_name and t.status != "Completed")
    row = dataclasses.replace(row, max_jobs=max_jobs)
    return dataclasses.replace(snap, tuning_jobs=(row,), training_jobs=tuple(jobs) + others, planned=()), row.candidate


def test_a_candidates_eta_runs_its_jobs_on_its_parallel_slots():
    snap, cand = one_candidate(max_jobs=4)
    row = snap.tuning_jobs[0]
    jobs = snap.training_jobs_of(row.tuning_job_name)
    running = next(t for t in jobs if t.status == "InProgress")
    assert estimate.job_eta_s(running, PER_JOB, T0) == PER_JOB - ELAPSED
    # two slots: the running job's slot frees after PER_JOB - ELAPSED, the other is free now; the two
    # jobs not started take one each (provisioning + PER_JOB)
    two = estimate.candidate_eta_s(row, jobs, None, None, 2, T0)
    assert two == (PER_JOB - ELAPSED) + estimate.PROVISIONING_S + PER_JOB
    # one slot: everything in a row
    one = estimate.candidate_eta_s(row, jobs, None, None, 1, T0)
    assert one == (PER_JOB - ELAPSED) + 2 * (estimate.PROVISIONING_S + PER_JOB)
    ended = dataclasses.replace(row, status="Completed")
    assert estimate.candidate_eta_s(ended, jobs, None, None, 2, T0) == 0.0


def test_the_study_waits_for_a_tuning_job_slot_before_a_queued_candidate_runs():
    snap = make_snapshot()
    parallel = {r.candidate: 2 for r in snap.tuning_jobs}
    wide = estimate.study_eta_s(snap, lambda c: parallel[c], max_parallel_tuning_jobs=8)
    narrow = estimate.study_eta_s(snap, lambda c: parallel[c], max_parallel_tuning_jobs=1)
    assert wide is not None and narrow is not None
    assert narrow > wide  # the two queued candidates run one after the other behind effv2-m
    no_figures = dataclasses.replace(snap, planned=(), training_jobs=tuple(
        t for t in snap.training_jobs if t.status != "Completed"))
    assert estimate.study_eta_s(no_figures, lambda c: 2, 8) is None


def test_the_eta_line_names_the_end_time_the_spend_and_the_current_candidate():
    session = FakeSession()
    snap = session.snapshot()
    text = eta_text(snap, session.study, "effv2-m").plain
    parallel = {c.name: c.tuning.max_parallel_jobs for c in session.study.candidates}
    eta = estimate.study_eta_s(snap, lambda c: parallel[c], session.study.max_parallel_tuning_jobs)
    assert eta is not None
    assert f"Study ends ~{snap.taken_at + timedelta(seconds=eta):%H:%M}" in text
    assert "~$24.10" in text  # the snapshot's projection
    # its running job has run 46 minutes; its completed one took 706 s: overdue, said so
    assert "effv2-m: past its expected end" in text
    fresh, cand = one_candidate(max_jobs=4)
    left = estimate.candidate_eta_s(fresh.tuning_jobs[0], fresh.training_jobs_of(fresh.tuning_jobs[0].tuning_job_name),
                                    None, None, 2, T0)
    assert f"{cand}: ends in ~{fmt.duration(left)}" in eta_text(fresh, session.study, cand).plain
    ended = dataclasses.replace(snap, tuning_jobs=tuple(dataclasses.replace(r, status="Completed")
                                                        for r in snap.tuning_jobs), planned=())
    assert eta_text(ended, session.study, None).plain.strip() == "Nothing running or queued"


async def test_the_study_screen_shows_the_eta_of_the_row_under_the_cursor():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        line = pilot.app.screen.query_one(EtaLine)
        assert "mobilenet-v2-100-224" not in str(line.render())  # Completed: no ETA of its own
        await pilot.press("j")
        line.show_eta()
        assert "effv2-m: past its expected end" in str(line.render())
