"""Catch-up by Search (jstui.engine.poller): the same snapshot as describing one by one, for far fewer
calls; a Search index that trails the service makes the poller describe what just ended instead of
missing it; a refused Search falls back to describing; a catch-up shows rows as they arrive while the
budget guard acts only on the complete cycle. Calls are counted by the emulator; its clock is the test's."""

from __future__ import annotations

import json
import urllib.request

import pytest

from jstui.emulator.embedded import start_embedded
from jstui.engine import session as session_module
from jstui.engine.journal import LAUNCHED
from jstui.engine.session import EngineSession, load
from jstui.sample_studies import ROOT
from tests.engine.conftest import write_study

N = 24  # tuning jobs, 2 training jobs each
T0 = 1_800_000_000.0


def _stats(url: str) -> dict:
    with urllib.request.urlopen(url + "/_emulator/stats", timeout=10) as r:
        return json.load(r)["calls"]


def _reset(url: str) -> None:
    urllib.request.urlopen(urllib.request.Request(url + "/_emulator/stats/reset", data=b"{}", method="POST"), timeout=10).close()


@pytest.fixture
def world(tmp_path):
    """N finished tuning jobs of one study on an emulator whose clock the test holds."""
    clock = [T0]
    emu = start_embedded(tmp_path / "emu.sqlite", [ROOT / "catalogs" / "caltech256.csv"], speed=1, clock=lambda: clock[0],
                         max_tuning_jobs=500)
    study = load(write_study(tmp_path, models=1))
    names = []
    with EngineSession(study, tmp_path / "creator", endpoint_url=emu.url) as s:
        cand = study.candidates[0]
        template = s.launcher.request_for(cand, "x")
        for i in range(N):
            name = f"{study.name}-job-{i:03d}"
            s.clients.sagemaker.create_hyper_parameter_tuning_job(**{**template, "HyperParameterTuningJobName": name})
            names.append(name)
            clock[0] += 600  # staggered: they end at different times
    clock[0] += 30 * 24 * 3600  # every job has ended
    yield emu, study, names, clock, tmp_path
    emu.stop()


def s_list(url: str) -> list[dict]:
    from tests.engine.conftest import sagemaker_client

    return sagemaker_client(url).list_hyper_parameter_tuning_jobs(MaxResults=100)["HyperParameterTuningJobSummaries"]


def _watch(study, names, home, url) -> EngineSession:
    s = EngineSession(study, home, endpoint_url=url)
    for i, name in enumerate(names):
        s.journal.queue(study.name, f"c{i:03d}", 1, name, study.candidates[0].model_id, state=LAUNCHED)
    return s


def _rows(snap) -> list[tuple]:
    return sorted((t.training_job_name, t.status, tuple(sorted(t.metrics.items())), t.objective, t.cost_usd,
                   tuple(sorted(t.hyperparameters.items())), t.ended_at) for t in snap.training_jobs)


def test_search_catch_up_equals_describing_and_a_refused_search_falls_back(world):
    emu, study, names, clock, tmp = world
    with _watch(study, names, tmp / "by-search", emu.url) as s:
        _reset(emu.url)
        by_search = s.refresh(strict=True)
        searched = _stats(emu.url)
    emu.set_faults(denied=frozenset({"Search"}))
    with _watch(study, names, tmp / "by-describe", emu.url) as s:
        _reset(emu.url)
        by_describe = s.refresh(strict=True)
        described = _stats(emu.url)
    assert len(by_search.training_jobs) == 2 * N and by_search.counts_by_status() == {"Completed": N}
    assert _rows(by_search) == _rows(by_describe)
    assert "DescribeTrainingJob" not in searched and "DescribeHyperParameterTuningJob" not in searched
    assert described["Search"] == 1  # refused once, then not asked again this session
    assert described["DescribeHyperParameterTuningJob"] == N and described["DescribeTrainingJob"] == 2 * N
    assert sum(searched.values()) * 10 < sum(described.values())


def test_a_lagging_index_is_described_not_missed(world):
    emu, study, names, clock, tmp = world
    with _watch(study, names, tmp / "truth", emu.url) as s:
        truth = s.refresh(strict=True)
    tuning_changes = sorted(x["LastModifiedTime"].timestamp() for x in s_list(emu.url))
    training_ends = sorted(t.ended_at.timestamp() for t in truth.training_jobs)
    seen = {}
    for what, times in (("tuning", tuning_changes), ("training", training_ends)):
        # The index has seen about half of them: the other half must be described, not missed.
        emu.set_faults(search_lag_s=clock[0] - times[len(times) // 2])
        with _watch(study, names, tmp / f"lagging-{what}", emu.url) as s:
            _reset(emu.url)
            lagged = s.refresh(strict=True)
            seen[what] = _stats(emu.url)
        assert _rows(lagged) == _rows(truth), what
    assert 0 < seen["tuning"]["DescribeHyperParameterTuningJob"] < N
    assert 0 < seen["training"]["DescribeTrainingJob"] < 2 * N
    assert 0 < seen["training"]["ListTrainingJobsForHyperParameterTuningJob"] < N


def test_catch_up_shows_rows_as_they_arrive_and_the_guard_waits_for_the_whole_cycle(world, monkeypatch):
    emu, study, names, clock, tmp = world
    monkeypatch.setattr(session_module, "PARTIAL_EVERY_S", 0.0)
    monkeypatch.setattr(session_module, "PARTIAL_CPU_SHARE", float("inf"))  # a partial snapshot after every batch
    with _watch(study, names, tmp / "partial", emu.url) as s:
        shown = []
        real_show = s.store.show
        monkeypatch.setattr(s.store, "show", lambda snap: (shown.append(snap), real_show(snap)))
        checks_before = len(s.journal.events(study.name, kind="budget-check", limit=10_000))
        final = s.refresh(strict=True)
        checks = len(s.journal.events(study.name, kind="budget-check", limit=10_000)) - checks_before
    assert len(shown) >= 2  # the tuning jobs, then each batch of training jobs
    assert all(p.projected_usd is None and "catching up" in (p.connection.message or "") for p in shown)
    assert [len(p.training_jobs) for p in shown] == sorted(len(p.training_jobs) for p in shown)
    assert len(shown[0].training_jobs) < len(final.training_jobs)
    assert checks == 1 and final.projected_usd is not None  # one guard check, on the complete snapshot


def test_arn_groups_fit_the_filter_value_and_fill_whole_pages():
    from jstui.engine.poller import FILTER_VALUE_MAX, PAGE, arn_groups

    arns = [f"arn:aws:sagemaker:us-east-1:123456789012:hyper-parameter-tuning-job/study-c{i:04d}" for i in range(1000)]
    for totals in ([20] * 1000, [7] * 1000, [(i * 37) % 101 for i in range(1000)], None):
        groups = arn_groups(arns, totals=totals)
        assert [a for g in groups for a in g] == arns  # every ARN once, in order
        assert all(len(",".join(g)) <= FILTER_VALUE_MAX for g in groups)
    plain = arn_groups(arns)
    packed = arn_groups(arns, totals=[20] * 1000)

    def pages(groups):
        return sum(-(-20 * len(g) // PAGE) for g in groups)

    assert pages(packed) == 1000 * 20 // PAGE < pages(plain)  # no part-filled page: 200 calls, not 273


def test_search_refused_during_the_concurrent_training_sweep_falls_back_to_describing(world, monkeypatch):
    from botocore.exceptions import ClientError

    from jstui.engine import poller as poller_module

    emu, study, names, clock, tmp = world
    with _watch(study, names, tmp / "truth", emu.url) as s:
        truth = s.refresh(strict=True)
    real_groups = poller_module.arn_groups
    monkeypatch.setattr(poller_module, "arn_groups", lambda arns, totals=None: real_groups(arns, 400, totals))
    with _watch(study, names, tmp / "refused", emu.url) as s:
        sm = s.clients.sagemaker_poll or s.clients.sagemaker
        real_search, seen = sm.search, []

        def search(**kwargs):
            if kwargs["Resource"] == "TrainingJob":
                seen.append(kwargs)
                if len(seen) > 1:  # the first group is answered, the others are refused
                    raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "not allowed"}}, "Search")
            return real_search(**kwargs)

        monkeypatch.setattr(sm, "search", search)
        _reset(emu.url)
        refused = s.refresh(strict=True)
        calls = _stats(emu.url)
        assert not s.poller.search_usable
    assert len(seen) >= 2  # several groups
    assert _rows(refused) == _rows(truth)
    assert 0 < calls["ListTrainingJobsForHyperParameterTuningJob"] < N  # the answered group was not listed again
