"""Listing, paging and sorting as the service does them."""

from __future__ import annotations

import pytest

from tests.emulator.helpers import SWIN, run_until_done, tuning_request


def _all_pages(call, key, **kw):
    out, token, pages = [], None, 0
    while True:
        resp = call(**kw, **({"NextToken": token} if token else {}))
        out += resp[key]
        pages += 1
        token = resp.get("NextToken")
        if not token:
            return out, pages


def test_list_tuning_jobs_filters_sorts_and_pages(sm, clock):
    names = ["zeta-a", "alpha-b", "mid-c", "alpha-d", "omega-e"]
    for n in names:
        sm.create_hyper_parameter_tuning_job(**tuning_request(n, model_id=SWIN, max_jobs=1, parallel=1))
        clock.advance(10)
    got, pages = _all_pages(sm.list_hyper_parameter_tuning_jobs, "HyperParameterTuningJobSummaries", MaxResults=2)
    assert [s["HyperParameterTuningJobName"] for s in got] == sorted(names)  # default: Name, Ascending
    assert pages == 3
    by_time = sm.list_hyper_parameter_tuning_jobs(SortBy="CreationTime", SortOrder="Descending")
    assert [s["HyperParameterTuningJobName"] for s in by_time["HyperParameterTuningJobSummaries"]] == names[::-1]
    alpha = sm.list_hyper_parameter_tuning_jobs(NameContains="ALPHA")["HyperParameterTuningJobSummaries"]
    assert [s["HyperParameterTuningJobName"] for s in alpha] == ["alpha-b", "alpha-d"]
    s = alpha[0]
    assert s["Strategy"] == "Bayesian" and s["ResourceLimits"]["MaxParallelTrainingJobs"] == 1
    assert set(s["TrainingJobStatusCounters"]) >= {"Completed", "InProgress", "NonRetryableError", "Stopped"}
    sm.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName="mid-c")
    stopping = sm.list_hyper_parameter_tuning_jobs(StatusEquals="Stopping")["HyperParameterTuningJobSummaries"]
    assert [x["HyperParameterTuningJobName"] for x in stopping] == ["mid-c"]
    default_page = sm.list_hyper_parameter_tuning_jobs()["HyperParameterTuningJobSummaries"]
    assert len(default_page) == 5  # default MaxResults is 10


def test_list_training_jobs_every_sort_key(sm, clock):
    req = tuning_request("many", max_jobs=6, parallel=3)
    req["HyperParameterTuningJobConfig"]["ParameterRanges"] = {"ContinuousParameterRanges": [
        {"Name": "learning_rate", "MinValue": "0.00001", "MaxValue": "0.1", "ScalingType": "Logarithmic"}]}
    sm.create_hyper_parameter_tuning_job(**req)
    clock.advance(200)  # the first three are running, none finished
    running = sm.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName="many", SortBy="FinalObjectiveMetricValue")["TrainingJobSummaries"]
    assert running == []  # jobs without the objective are not listed under this sort
    run_until_done(sm, clock, "many")
    call = sm.list_training_jobs_for_hyper_parameter_tuning_job
    by_name, pages = _all_pages(call, "TrainingJobSummaries", HyperParameterTuningJobName="many", MaxResults=4)
    assert pages == 2 and len(by_name) == 6
    assert [s["TrainingJobName"] for s in by_name] == sorted(s["TrainingJobName"] for s in by_name)
    by_obj = call(HyperParameterTuningJobName="many", SortBy="FinalObjectiveMetricValue", SortOrder="Descending")
    values = [s["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] for s in by_obj["TrainingJobSummaries"]]
    assert values == sorted(values, reverse=True) and len(values) == 6
    by_time = call(HyperParameterTuningJobName="many", SortBy="CreationTime")["TrainingJobSummaries"]
    times = [s["CreationTime"] for s in by_time]
    assert times == sorted(times)
    by_status = call(HyperParameterTuningJobName="many", SortBy="Status", StatusEquals="Completed")
    assert len(by_status["TrainingJobSummaries"]) == 6


def test_paging_token_of_another_query_is_refused(sm, clock):
    for n in ("p-1", "p-2", "p-3"):
        sm.create_hyper_parameter_tuning_job(**tuning_request(n, max_jobs=1, parallel=1))
    token = sm.list_hyper_parameter_tuning_jobs(MaxResults=1)["NextToken"]
    with pytest.raises(sm.exceptions.ClientError) as e:
        sm.list_hyper_parameter_tuning_jobs(MaxResults=1, NextToken=token, SortBy="Status")
    assert e.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(sm.exceptions.ClientError):
        sm.list_hyper_parameter_tuning_jobs(NextToken="garbage!")


def test_tags(sm, clock):
    arn = sm.create_hyper_parameter_tuning_job(**tuning_request("tagged"))["HyperParameterTuningJobArn"]
    sm.add_tags(ResourceArn=arn, Tags=[{"Key": "owner", "Value": "me"}])
    tags = {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=arn)["Tags"]}
    assert tags == {"sagemaker-sdk:jumpstart-model-id": tuning_request("x")["Tags"][0]["Value"],
                    "jstui:study": "t", "owner": "me"}
    clock.advance(60)
    job = sm.list_training_jobs_for_hyper_parameter_tuning_job(HyperParameterTuningJobName="tagged")["TrainingJobSummaries"][0]
    inherited = {t["Key"] for t in sm.list_tags(ResourceArn=job["TrainingJobArn"])["Tags"]}
    assert "jstui:study" in inherited
    with pytest.raises(sm.exceptions.ClientError) as e:
        sm.list_tags(ResourceArn=arn.replace("tagged", "nope"))
    assert e.value.response["Error"]["Code"] == "ValidationException"


def test_list_training_jobs_across_tuning_jobs(sm, clock):
    sm.create_hyper_parameter_tuning_job(**tuning_request("lt-a", max_jobs=2, parallel=2))
    sm.create_hyper_parameter_tuning_job(**tuning_request("lt-b", max_jobs=1, parallel=1))
    clock.advance(60)
    jobs, pages = _all_pages(sm.list_training_jobs, "TrainingJobSummaries", MaxResults=2)
    assert pages == 2 and len(jobs) == 3
    assert all(j["TrainingJobStatus"] == "InProgress" and j["SecondaryStatus"] == "Starting" for j in jobs)
    only_a = sm.list_training_jobs(NameContains="lt-a", SortBy="Name", SortOrder="Descending")["TrainingJobSummaries"]
    assert [j["TrainingJobName"] for j in only_a] == sorted((j["TrainingJobName"] for j in jobs if "lt-a" in j["TrainingJobName"]), reverse=True)
    run_until_done(sm, clock, "lt-a")
    done = sm.list_training_jobs(StatusEquals="Completed")["TrainingJobSummaries"]
    assert len(done) == 3 and all("TrainingEndTime" in j for j in done)
