"""The hard budget (issue 16, "Money" 5, done-when 2 and 3): caps sized from the budget's room, the
launches it admits, the guard counting billable time only, and the service stopping spend by itself."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from jstui.domain import budget, estimate
from jstui.domain.snapshot import ConnectionState, PlannedCandidate, StudySnapshot, TrainingJobRow, TuningJobRow
from jstui.domain.tuning_request import MIN_TUNING_RUNTIME_S, STOP_GRACE_S, budget_runtime_s
from jstui.engine.budget_guard import BudgetGuard
from jstui.engine.journal import Journal
from jstui.engine.session import load
from tests.engine.conftest import write_study
from tests.engine.fixtures import t

PRICE = 3.825  # ml.p3.2xlarge, $/h
RATE = PRICE / 3600.0  # one instance, $/s
price_of = {"ml.p3.2xlarge": PRICE}.get


def _tuning(cand, name, status="InProgress", *, cap=None, cost=0.0, counts=(0, 2, 0, 0), parallel=2, max_jobs=2,
            created=None):
    return TuningJobRow(
        study="s", candidate=cand, model_id="m", tuning_job_name=name, generation=1, status=status, waiting_reason=None,
        failure_reason=None, objective_name="val_accuracy", direction="Maximize", jobs_completed=counts[0],
        jobs_in_progress=counts[1], jobs_failed=counts[2], jobs_stopped=counts[3], max_jobs=max_jobs,
        best_training_job_name=None, best_objective=None, best_metrics={}, best_hyperparameters={},
        instance_type="ml.p3.2xlarge", instance_count=1, billable_seconds=0.0, cost_usd=cost,
        cost_is_estimate=bool(cost), created_at=created if created is not None else (t(10, 0) if name else None),
        ended_at=None, runtime_cap_s=cap, max_parallel_jobs=parallel,
    )


def _training(name, tuning, cand, *, created, started=None, status="InProgress", billable=None, cost=None):
    return TrainingJobRow(
        study="s", candidate=cand, model_id="m", tuning_job_name=tuning, training_job_name=name, status=status,
        secondary_status=None, failure_reason=None, is_best=False, objective=None, hyperparameters={}, metrics={},
        instance_type="ml.p3.2xlarge", instance_count=1, billable_seconds=billable, training_seconds=billable,
        cost_usd=cost, cost_is_estimate=status == "InProgress", created_at=created, started_at=started, ended_at=None,
    )


def _planned(cand, per_job=160.0):
    return PlannedCandidate(candidate=cand, model_id="m", training_jobs=2, instance_type="ml.p3.2xlarge",
                            instance_count=1, usd_per_hour=PRICE, expected_seconds_per_job=per_job,
                            expected_usd=2 * per_job * RATE, max_usd=None)


def _snap(tuning_rows, training_rows=(), *, now=None, spend=0.0, planned=()):
    return StudySnapshot(study="s", backend="emulator", region="us-east-1", taken_at=now or t(10, 0),
                         connection=ConnectionState("ok"), tuning_jobs=tuple(tuning_rows),
                         training_jobs=tuple(training_rows), spend_usd=spend, planned=tuple(planned))


# --- the cap arithmetic -------------------------------------------------------------------------
def test_a_cap_never_bounds_more_than_its_allotment(tmp_path):
    study = load(write_study(tmp_path, models=1))
    cand = study.candidates[0]
    burn = budget.burn_usd_per_s(PRICE, cand.resources.instance_count,
                                 budget.parallel_of(cand.tuning.max_parallel_jobs, cand.tuning.max_jobs))
    for allotted in (0.6, 1.0, 7.5, 150.0):
        cap = budget_runtime_s(study, cand, allotted, PRICE)
        assert cap is not None and cap >= MIN_TUNING_RUNTIME_S
        # every parallel job billing from creation to the cap, plus the stop grace, stays within it
        assert budget.cap_usd(cap, burn) <= allotted + 1e-9
        assert budget.cap_usd(cap + 1, burn) > allotted  # and it is the longest such cap
    assert budget_runtime_s(study, cand, None, PRICE) is None and budget_runtime_s(study, cand, 1.0, None) is None


def test_reserve_is_the_caps_bound_less_what_was_billed():
    burn = 2 * RATE
    capped = _tuning("a", "s-a", cap=600, cost=0.25)
    assert budget.reserve_usd(capped, t(10, 5), PRICE) == pytest.approx(burn * (600 + STOP_GRACE_S) - 0.25)
    assert budget.reserve_usd(replace(capped, status="Completed"), t(10, 5), PRICE) == 0.0
    assert budget.reserve_usd(replace(capped, runtime_cap_s=None), t(10, 5), PRICE) is None  # no hard bound
    stopping = replace(capped, status="Stopping", runtime_cap_s=None, jobs_in_progress=1)
    assert budget.reserve_usd(stopping, t(10, 5), PRICE) == pytest.approx(RATE * STOP_GRACE_S)


def test_room_is_budget_less_spend_endpoints_and_reserves():
    running = _tuning("a", "s-a", cap=600, cost=0.25)
    queued = _tuning("b", None, "Queued", counts=(0, 0, 0, 0))
    snap = replace(_snap([running, queued], spend=0.75, planned=[_planned("a"), _planned("b")]), endpoint_spend_usd=0.1)
    room = budget.room(snap, price_of, 5.0, "stop")
    assert room.running == 1
    assert room.left_usd == pytest.approx(5.0 - 0.75 - 0.1 - (2 * RATE * (600 + STOP_GRACE_S) - 0.25))
    assert room.needs["b"] == pytest.approx(budget.NEED_MARGIN * (estimate.PROVISIONING_S + 160.0))
    # policy warn: nothing reserved, nothing waits
    assert budget.room(snap, price_of, 5.0, "warn").left_usd == pytest.approx(5.0 - 0.85)


def test_admission_sizes_caps_to_needs_and_waits_for_room():
    burn = 2 * RATE
    need = 300.0
    need_usd = budget.cap_usd(need, burn)  # $0.89: two fit in $2
    room = budget.Room(2.0, 2.0, running=0, needs={"a": need, "b": need, "c": need, "d": None})
    assert room.allot("a", burn) == pytest.approx(need_usd)  # its expected run's cap, not the whole budget
    assert room.allot("b", burn) == pytest.approx(need_usd)
    assert room.left_usd == pytest.approx(2.0 - 2 * need_usd)
    assert room.allot("c", burn) is None  # does not fit while a and b run: waits for them to end
    assert "waits for running tuning jobs" in room.why_waiting("c", burn)
    # nothing running: the next candidate whose minimum fits takes what is left (cut at its cap)
    # (as a last resort: the launcher first tries every queued candidate's need)
    last = budget.Room(2.0, 0.6, running=0, needs={"c": need})
    assert last.allot("c", burn) is None
    assert last.allot("c", burn, last_resort=True) == pytest.approx(0.6) and last.left_usd == pytest.approx(0.0)
    spent = budget.Room(2.0, budget.min_cap_usd(burn) - 0.01, running=0, needs={"c": need})
    assert spent.allot("c", burn, last_resort=True) is None and "the budget is spent" in spent.why_waiting("c", burn)
    busy = budget.Room(2.0, 0.6, running=1, needs={"c": need})
    assert busy.allot("c", burn, last_resort=True) is None  # a running job will free room: wait for it
    # no figures: an equal share of the room among the launches of this cycle, if it fits the minimum
    unknown = budget.Room(2.0, 2.0, running=0, needs={"d": None})
    assert unknown.allot("d", burn, share_n=2) == pytest.approx(1.0)
    # policy warn never waits: the whole room, at least the minimum
    warn = budget.Room(2.0, 0.1, running=3, hard=False)
    assert warn.allot("x", burn) == pytest.approx(budget.min_cap_usd(burn))


def test_the_guard_does_not_act_when_the_caps_already_bound_spend():
    # spend plus the look-ahead crosses the budget, but the caps stop everything within it
    assert not budget.decide(4.0, 0.01, 600, 5.0, "stop", lookahead_usd=2.0, bound_usd=4.9).act
    assert budget.decide(4.0, 0.01, 600, 5.0, "stop", lookahead_usd=2.0, bound_usd=None).act
    assert budget.decide(4.0, 0.01, 600, 5.0, "stop", lookahead_usd=2.0, bound_usd=5.5).act


# --- billable time only (done-when 2) -----------------------------------------------------------
def test_accrual_counts_only_billable_time():
    now = t(10, 0)
    starting = _training("s-a-001", "s-a", "a", created=now - timedelta(seconds=30))  # provisioning
    billing = _training("s-a-002", "s-a", "a", created=now - timedelta(seconds=200), started=now - timedelta(seconds=80))
    unseen = _training("s-b-001", "s-b", "b", created=now - timedelta(seconds=200))  # start not in the last list
    snap = _snap([_tuning("a", "s-a"), _tuning("b", "s-b", counts=(0, 1, 0, 0))], [starting, billing, unseen],
                 now=now, planned=[_planned("a"), _planned("b")])
    h = 60.0
    past, ahead, unknown = estimate.accrual_usd(snap, h, price_of)
    # provisioning until 90 s from now: nothing within 60 s; billing: 60 s of its 80 s left;
    # unseen: expected to have started 80 s ago (billing 60 s more of its 160 s)
    assert past == pytest.approx(80 * RATE)
    assert ahead == pytest.approx((60 + 0 + 60) * RATE)
    assert unknown == ("s-b",)
    # listed just now without a start: it has billed nothing yet, and may start any moment
    past, ahead, _ = estimate.accrual_usd(snap, h, price_of, fresh=frozenset({"s-b-001"}))
    assert past == 0.0 and ahead == pytest.approx((60 + 0 + 60) * RATE)
    # a long look-ahead counts each job's expected billed seconds at most
    _, ahead, _ = estimate.accrual_usd(snap, 10_000, price_of, fresh=frozenset({"s-b-001"}))
    assert ahead == pytest.approx((80 + 160 + 160) * RATE)


def test_jobs_still_provisioning_do_not_stop_a_study(tmp_path):
    """Issue 16: caltech256 with --budget 5 ended with all 21 candidates Stopped and $0.00 billed: the
    guard accrued every running job from its creation and looked one poll of simulated time ahead.
    Sixteen training jobs just created, none started, the next check 1,200 simulated s away (speed 600)
    and no caps: nothing has been billed, and what they will bill by then is far below $5."""
    now = t(10, 0)
    rows, jobs = [], []
    for i in range(8):
        name = f"s-c{i}"
        rows.append(_tuning(f"c{i}", name, cap=None, created=now - timedelta(seconds=10)))
        jobs += [_training(f"{name}-00{k}", name, f"c{i}", created=now - timedelta(seconds=2)) for k in (1, 2)]
    snap = _snap(rows, jobs, now=now, planned=[_planned(f"c{i}") for i in range(8)])
    journal = Journal.open(tmp_path / "home")
    guard = BudgetGuard(journal, "s", 5.0, "stop", readonly=False, price_of=price_of)
    stopped: list[str] = []
    out = guard.check(snap, 1200.0, stop_tuning_job=lambda name, _c: stopped.append(name), rebuild=lambda: snap)
    assert not stopped and out.budget_state == "ok"
    check = journal.events("s", kind="budget-check", limit=1)[-1]["body"]
    assert check["spend_usd"] == 0.0
    # what it expects: each job's 160 s once provisioned, not 1,200 s from creation
    assert check["expected_usd"] == pytest.approx(16 * 160 * RATE)


def test_the_guard_lists_unseen_starts_before_acting(tmp_path):
    """A stop resting on a guess (starts the last list did not show) waits for one fresh list of those
    tuning jobs; jobs that list shows still provisioning have billed nothing."""
    now = t(10, 0)
    rows = [_tuning("a", "s-a", cap=None, created=now - timedelta(seconds=1000))]
    jobs = [_training(f"s-a-00{k}", "s-a", "a", created=now - timedelta(seconds=900)) for k in (1, 2)]
    snap = _snap(rows, jobs, now=now, spend=0.2, planned=[_planned("a", per_job=900.0)])
    journal = Journal.open(tmp_path / "home")
    guard = BudgetGuard(journal, "s", 1.0, "stop", readonly=False, price_of=price_of)
    asked: list[tuple[str, ...]] = []
    stopped: list[str] = []
    out = guard.check(snap, 60.0, stop_tuning_job=lambda name, _c: stopped.append(name), rebuild=lambda: snap,
                      learn_starts=asked.append)
    assert asked == [("s-a",)]  # one list of the one tuning job whose starts were guessed
    assert not stopped and out.budget_state == "ok"  # the list showed them provisioning still
    # the same guess confirmed (the list shows they started 780 s ago): the guard stops the study
    started = _snap(rows, [replace(j, started_at=now - timedelta(seconds=780), cost_usd=780 * RATE) for j in jobs],
                    now=now, spend=0.2 + 2 * 780 * RATE, planned=[_planned("a", per_job=900.0)])
    guard2 = BudgetGuard(Journal.open(tmp_path / "home2"), "s", 1.0, "stop", readonly=False, price_of=price_of)
    guard2.check(snap, 60.0, stop_tuning_job=lambda name, _c: stopped.append(name), rebuild=lambda: started,
                 learn_starts=lambda names: None)
    assert stopped == ["s-a"]


# --- the service stops spend by itself (done-when 3) ---------------------------------------------
def _billed_usd(url: str) -> tuple[float, int]:
    """What the service billed: BillableTimeInSeconds x instances x price over every training job."""
    from tests.engine.conftest import sagemaker_client, tuning_job_names

    sm = sagemaker_client(url)
    total, n = 0.0, 0
    for name in tuning_job_names(url):
        page = sm.list_training_jobs_for_hyper_parameter_tuning_job(HyperParameterTuningJobName=name, MaxResults=100)
        for s in page["TrainingJobSummaries"]:
            d = sm.describe_training_job(TrainingJobName=s["TrainingJobName"])
            total += d.get("BillableTimeInSeconds", 0) * d["ResourceConfig"]["InstanceCount"] * RATE
            n += 1
    return total, n


def test_killed_after_launch_the_caps_alone_keep_spend_within_the_budget(tmp_path):
    """`launch --yes` exits right after its launches (as if killed); the service then runs everything
    to its end with nobody watching: what it bills stays within the budget."""
    from jstui.cli.main import main
    from jstui.emulator.embedded import start_embedded
    from jstui.sample_studies import ROOT
    from tests.engine.conftest import sagemaker_client, tuning_job_names

    clock = [1_800_000_000.0]
    path = write_study(tmp_path, name="kill", models=8, skip=13, budget='[budget]\nusd = 2\npolicy = "stop"')
    with start_embedded(tmp_path / "emu.sqlite", [ROOT / "catalogs" / "caltech256.csv"], speed=1,
                        clock=lambda: clock[0], seed=7) as emu:
        code = main(["--home", str(tmp_path / "home"), "--endpoint-url", emu.url, "launch", str(path), "--yes"])
        assert code == 0
        names = tuning_job_names(emu.url)
        assert 0 < len(names) < 8  # $2 cannot cap all eight at once: the rest wait queued
        sm = sagemaker_client(emu.url)
        for n in names:
            limits = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=n)[
                "HyperParameterTuningJobConfig"]["ResourceLimits"]
            assert limits["MaxRuntimeInSeconds"] >= MIN_TUNING_RUNTIME_S
        clock[0] += 86_400  # a day later, nobody having watched
        billed, jobs = _billed_usd(emu.url)
        assert jobs > 0 and all(
            sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=n)["HyperParameterTuningJobStatus"]
            in ("Completed", "Stopped") for n in names)
    assert 0 < billed <= 2.0


def test_attached_the_budget_is_used_and_never_crossed(tmp_path):
    """`launch --yes --wait` at emulator speed 2,000: candidates launch as room frees, the study ends
    (exit 6) when the budget cannot cap another one, with most of it used and none of it crossed."""
    from jstui.cli.main import main
    from jstui.domain.exitcodes import ExitCode
    from jstui.emulator.embedded import start_embedded
    from jstui.engine.snapshot_codec import snapshot_from_json
    from jstui.sample_studies import ROOT

    path = write_study(tmp_path, name="att", models=8, skip=13, speed=2000,
                       budget='[budget]\nusd = 2\npolicy = "stop"')
    with start_embedded(tmp_path / "emu.sqlite", [ROOT / "catalogs" / "caltech256.csv"], speed=2000, seed=7) as emu:
        code = main(["--home", str(tmp_path / "home"), "--endpoint-url", emu.url, "launch", str(path), "--yes", "--wait"])
        billed, _ = _billed_usd(emu.url)
    final = snapshot_from_json(Journal.open(tmp_path / "home").snapshot_body("att"))
    left = [r for r in final.tuning_jobs if r.tuning_job_name is None]
    assert code == ExitCode.BUDGET and left  # $2 does not cover the eight (~$2.75 expected)
    assert 1.0 <= billed <= 2.0
    assert final.counts_by_status().get("Completed", 0) >= 3
    stop = Journal.open(tmp_path / "home").events("att", kind="budget-stop", limit=1)[-1]["message"]
    assert "cannot cap even the minimum run of any of the" in stop


def test_endpoints_count_against_the_budget(tmp_path):
    """A running endpoint's accrued spend and its billing until the next check count: capped tuning
    jobs that fit the budget alone are stopped when an endpoint takes the rest."""
    from jstui.domain.snapshot import EndpointRow

    now = t(10, 0)
    rows = [_tuning("a", "s-a", cap=600, cost=0.1, created=now - timedelta(seconds=300))]
    jobs = [_training(f"s-a-00{k}", "s-a", "a", created=now - timedelta(seconds=290),
                      started=now - timedelta(seconds=170), cost=170 * RATE) for k in (1, 2)]
    base = _snap(rows, jobs, now=now, spend=0.1, planned=[_planned("a", per_job=400.0)])
    assert budget.hard_bound_usd(base, price_of) <= 2.0  # the cap alone keeps it within $2
    endpoint = EndpointRow(name="e", status="InService", candidate="a", training_job_name="s-a-001",
                           instance_type="ml.g4dn.xlarge", instance_count=1, usd_per_hour=36.0, accrued_usd=1.5,
                           created_at=now - timedelta(hours=1))
    with_endpoint = replace(base, endpoints=(endpoint,), endpoint_spend_usd=1.5)
    assert budget.room(with_endpoint, price_of, 2.0, "stop").left_usd < budget.room(base, price_of, 2.0, "stop").left_usd - 1.49
    stopped: list[str] = []
    for snap, expect in ((base, []), (with_endpoint, ["s-a"])):
        guard = BudgetGuard(Journal.open(tmp_path / f"h{len(expect)}"), "s", 2.0, "stop", readonly=False,
                            price_of=price_of)
        stopped.clear()
        guard.check(snap, 60.0, stop_tuning_job=lambda name, _c: stopped.append(name), rebuild=lambda s=snap: s)
        assert stopped == expect
