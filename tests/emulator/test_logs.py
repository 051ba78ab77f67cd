"""CloudWatch Logs for training jobs: streams appear as jobs run; paging tokens behave as the service's."""

from __future__ import annotations

import pytest

from tests.emulator.helpers import run_until_done, tuning_request

GROUP = "/aws/sagemaker/TrainingJobs"


def test_streams_events_and_tokens(sm, logs, clock):
    sm.create_hyper_parameter_tuning_job(**tuning_request("logged", max_jobs=1, parallel=1))
    clock.advance(60)
    job = sm.list_training_jobs_for_hyper_parameter_tuning_job(HyperParameterTuningJobName="logged")["TrainingJobSummaries"][0]
    name = job["TrainingJobName"]
    assert logs.describe_log_streams(logGroupName=GROUP, logStreamNamePrefix=name)["logStreams"] == []  # still Starting
    clock.advance(240)
    streams = logs.describe_log_streams(logGroupName=GROUP, logStreamNamePrefix=name)["logStreams"]
    assert len(streams) == 1 and streams[0]["logStreamName"].startswith(f"{name}/algo-1-")
    stream = streams[0]["logStreamName"]
    early = logs.get_log_events(logGroupName=GROUP, logStreamName=stream, startFromHead=True)["events"]
    run_until_done(sm, clock, "logged")
    full = logs.get_log_events(logGroupName=GROUP, logStreamName=stream, startFromHead=True)
    assert len(full["events"]) > len(early) > 0
    assert full["events"][: len(early)] == early
    assert any(e["message"].startswith("- Test accuracy: ") for e in full["events"])
    ts = [e["timestamp"] for e in full["events"]]
    assert ts == sorted(ts) and ts[0] > 1_000_000_000_000  # milliseconds
    again = logs.get_log_events(logGroupName=GROUP, logStreamName=stream, nextToken=full["nextForwardToken"])
    assert again["events"] == [] and again["nextForwardToken"] == full["nextForwardToken"]
    # paging forward in small steps yields the same events
    seen, token = [], None
    for _ in range(100):
        kw = {"nextToken": token} if token else {"startFromHead": True}
        page = logs.get_log_events(logGroupName=GROUP, logStreamName=stream, limit=3, **kw)
        if not page["events"]:
            break
        seen += page["events"]
        token = page["nextForwardToken"]
    assert seen == full["events"]
    tail = logs.get_log_events(logGroupName=GROUP, logStreamName=stream, limit=2)["events"]
    assert tail == full["events"][-2:]
    filtered = logs.filter_log_events(logGroupName=GROUP, logStreamNames=[stream], filterPattern='"Test accuracy"')
    assert [e["message"][:16] for e in filtered["events"]] == ["- Test accuracy:"]


def test_unknown_group_and_stream(logs):
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.describe_log_streams(logGroupName="/aws/lambda/x")
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.get_log_events(logGroupName=GROUP, logStreamName="nope-001-abcdef12/algo-1-1")


def test_job_stopped_while_starting_has_no_stream(sm, logs, clock):
    sm.create_hyper_parameter_tuning_job(**tuning_request("early-stop", max_jobs=1, parallel=1))
    clock.advance(30)
    sm.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName="early-stop")
    run_until_done(sm, clock, "early-stop")
    job = sm.list_training_jobs_for_hyper_parameter_tuning_job(HyperParameterTuningJobName="early-stop")["TrainingJobSummaries"][0]
    assert logs.describe_log_streams(logGroupName=GROUP, logStreamNamePrefix=job["TrainingJobName"])["logStreams"] == []
    d = sm.describe_training_job(TrainingJobName=job["TrainingJobName"])
    assert d["TrainingJobStatus"] == "Stopped" and "TrainingStartTime" not in d and d["BillableTimeInSeconds"] == 0
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.get_log_events(logGroupName=GROUP, logStreamName=f"{job['TrainingJobName']}/algo-1-1")
