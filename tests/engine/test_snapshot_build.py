"""Snapshot building from recorded API responses (no service): statuses, best job, metrics, spend."""

from __future__ import annotations

from datetime import datetime, UTC

from jstui.engine.journal import LAUNCHED, QUEUED, WAITING, Launch, TuningJobRecord
from jstui.domain.snapshot import ConnectionState
from jstui.engine.snapshot_build import BuildInputs, build_snapshot
from jstui.domain.model import Candidate, Resources, Study, Tuning

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _cand(name):
    return Candidate(name=name, model_id=f"js-{name}", algorithm=None, model_version="*", hyperparameters={},
                     resources=Resources("ml.p3.2xlarge"), tuning=Tuning("val_accuracy", "Maximize", "Bayesian", 2, 2),
                     metrics=(), metrics_preset=None)


def _study():
    return Study(name="s", path=None, backend="emulator", region="us-east-1", role_arn="r", output_s3="s3://b/",
                 data={}, max_parallel_tuning_jobs=1, candidates=(_cand("a"), _cand("b"), _cand("c")))


DESCRIBE = {
    "HyperParameterTuningJobName": "s-a-1", "HyperParameterTuningJobStatus": "InProgress",
    "CreationTime": "2026-03-01T11:00:00Z",
    "HyperParameterTuningJobConfig": {"HyperParameterTuningJobObjective": {"Type": "Maximize", "MetricName": "val_accuracy"},
                                      "ResourceLimits": {"MaxNumberOfTrainingJobs": 2}},
    "TrainingJobDefinition": {"ResourceConfig": {"InstanceType": "ml.p3.2xlarge", "InstanceCount": 1}},
    "TrainingJobStatusCounters": {"Completed": 1, "InProgress": 1, "RetryableError": 0, "NonRetryableError": 0, "Stopped": 0},
    "BestTrainingJob": {"TrainingJobName": "s-a-1-001", "TunedHyperParameters": {"learning_rate": "0.001"},
                        "FinalHyperParameterTuningJobObjectiveMetric": {"MetricName": "val_accuracy", "Value": 0.9}},
}
SUMMARIES = [
    {"TrainingJobName": "s-a-1-001", "TrainingJobStatus": "Completed", "CreationTime": "2026-03-01T11:00:00Z",
     "TunedHyperParameters": {"learning_rate": "0.001"},
     "FinalHyperParameterTuningJobObjectiveMetric": {"MetricName": "val_accuracy", "Value": 0.9}},
    # listed while still starting: no TrainingStartTime in the (stale) summary
    {"TrainingJobName": "s-a-1-002", "TrainingJobStatus": "InProgress", "CreationTime": "2026-03-01T11:30:00Z",
     "TunedHyperParameters": {"learning_rate": "0.0002"}},
]
TERMINAL = {"s-a-1-001": {
    "TrainingJobName": "s-a-1-001", "TrainingJobStatus": "Completed", "BillableTimeInSeconds": 1200,
    "TrainingTimeInSeconds": 1200, "CreationTime": "2026-03-01T11:00:00Z", "TrainingStartTime": "2026-03-01T11:02:00Z",
    "TrainingEndTime": "2026-03-01T11:22:00Z", "ResourceConfig": {"InstanceType": "ml.p3.2xlarge", "InstanceCount": 1},
    "FinalMetricDataList": [{"MetricName": "val_accuracy", "Value": 0.9}, {"MetricName": "test_accuracy", "Value": 0.88}],
}}


def test_build_from_recorded_responses():
    launches = {
        "a": Launch("s", "a", 1, LAUNCHED, "s-a-1", "js-a", None, False, None),
        "b": Launch("s", "b", 1, WAITING, "s-b-1", "js-b", "quota reached", False, None),
        "c": Launch("s", "c", 1, QUEUED, "s-c-1", "js-c", None, False, None),
    }
    record = TuningJobRecord("s-a-1", "s", "fp", None, DESCRIBE, "ck", SUMMARIES)
    snap = build_snapshot(BuildInputs(study=_study(), launches=launches, tuning={"s-a-1": record}, terminal=TERMINAL,
                                      now=T0, connection=ConnectionState("ok"), price_of={"ml.p3.2xlarge": 3.6}.get))
    a, b, c = snap.tuning_jobs
    assert (a.status, b.status, c.status) == ("InProgress", "WaitingForQuota", "Queued")
    assert b.waiting_reason == "quota reached" and b.tuning_job_name is None
    assert a.best_training_job_name == "s-a-1-001" and a.best_objective == 0.9
    assert a.best_metrics == {"val_accuracy": 0.9, "test_accuracy": 0.88}
    assert (a.jobs_completed, a.jobs_in_progress, a.max_jobs) == (1, 1, 2)
    done, running = snap.training_jobs
    assert done.is_best and not done.cost_is_estimate and done.cost_usd == 1200 * 3.6 / 3600
    # SageMaker bills from TrainingStartTime, after an unbilled provisioning: the running job, listed
    # without one, has billed nothing known (issue 16: it used to accrue from its creation, 11:30)
    assert running.cost_is_estimate and running.billable_seconds == 0 and running.metrics == {}
    assert abs(a.cost_usd - 1.2) < 1e-9 and a.cost_is_estimate
    assert snap.spend_is_estimate and abs(snap.spend_usd - 1.2) < 1e-9
    assert snap.metric_names == ("val_accuracy", "test_accuracy")
    assert a.max_parallel_jobs == 2 and c.max_parallel_jobs == 2  # the request's, else the candidate's (2)
    # once a list shows its start (11:40), it accrues from there to the backend's now (12:00)
    started = [dict(SUMMARIES[0]), {**SUMMARIES[1], "TrainingStartTime": "2026-03-01T11:40:00Z"}]
    record = TuningJobRecord("s-a-1", "s", "fp", None, DESCRIBE, "ck", started)
    snap = build_snapshot(BuildInputs(study=_study(), launches=launches, tuning={"s-a-1": record}, terminal=TERMINAL,
                                      now=T0, connection=ConnectionState("ok"), price_of={"ml.p3.2xlarge": 3.6}.get))
    assert snap.training_jobs[1].billable_seconds == 1200 and abs(snap.spend_usd - 2.4) < 1e-9


def _inputs(record, terminal, now, prices, rows):
    launches = {"a": Launch("s", "a", 1, LAUNCHED, "s-a-1", "js-a", None, False, None)}
    return BuildInputs(study=_study(), launches=launches, tuning={"s-a-1": record}, terminal=terminal, now=now,
                       connection=ConnectionState("ok"), price_of=prices.get, rows=rows)


def test_incremental_build_reuses_unchanged_rows_and_matches_a_full_build():
    from datetime import timedelta

    from jstui.engine.snapshot_build import RowCache

    cache = RowCache()
    started = [dict(SUMMARIES[0]), {**SUMMARIES[1], "TrainingStartTime": "2026-03-01T11:30:00Z"}]
    record = TuningJobRecord("s-a-1", "s", "fp", None, DESCRIBE, "ck", started)
    terminal = dict(TERMINAL)
    prices = {"ml.p3.2xlarge": 3.6}

    def both(now, rec=record):
        cached = build_snapshot(_inputs(rec, terminal, now, prices, cache))
        full = build_snapshot(_inputs(rec, terminal, now, prices, None))
        assert cached == full  # the incremental build never differs from a build from scratch
        return cached

    first = both(T0)
    # nothing changed: the very same row objects
    again = both(T0)
    assert all(x is y for x, y in zip(again.training_jobs, first.training_jobs))
    assert again.tuning_jobs[0] is first.tuning_jobs[0]
    # only the clock moved: the finished job's row is kept, the running one accrues ten more minutes
    later = both(T0 + timedelta(minutes=10))
    assert later.training_jobs[0] is first.training_jobs[0]
    assert later.training_jobs[1].billable_seconds == 1800 + 600 and first.training_jobs[1].billable_seconds == 1800
    assert abs(later.tuning_jobs[0].cost_usd - (1.2 + 2.4)) < 1e-9
    # the running job ended: its terminal document arrives, its row is rebuilt from it
    terminal["s-a-1-002"] = {**TERMINAL["s-a-1-001"], "TrainingJobName": "s-a-1-002", "BillableTimeInSeconds": 600,
                             "FinalMetricDataList": [{"MetricName": "val_accuracy", "Value": 0.5}]}
    ended = both(T0 + timedelta(minutes=20))
    assert ended.training_jobs[1].status == "Completed" and ended.training_jobs[1].metrics == {"val_accuracy": 0.5}
    # a new journal record (the service answered something new) rebuilds the tuning job's rows
    record2 = TuningJobRecord("s-a-1", "s", "fp", None, {**DESCRIBE, "HyperParameterTuningJobStatus": "Completed"}, "ck2", started)
    done = both(T0 + timedelta(minutes=20), record2)
    assert done.tuning_jobs[0].status == "Completed"
    # a price change (the price table was refreshed) reprices every row
    prices["ml.p3.2xlarge"] = 7.2
    repriced = both(T0 + timedelta(minutes=20), record2)
    assert abs(repriced.training_jobs[0].cost_usd - 2 * first.training_jobs[0].cost_usd) < 1e-9
