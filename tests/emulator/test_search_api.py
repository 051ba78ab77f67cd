"""SageMaker Search (core/emulator/api_search.py): the subset jstui uses, its lag behind Describe, the
ValidationException for anything else, AccessDenied when denied, and added latency / rate limits."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.emulator.helpers import SWIN, client, run_until_done, tuning_request


def _search_all(sm, **kw):
    out, token, pages = [], None, 0
    while True:
        resp = sm.search(**kw, **({"NextToken": token} if token else {}))
        out += resp["Results"]
        pages += 1
        token = resp.get("NextToken")
        if not token:
            return out, pages


def _by_name(prefix: str) -> dict:
    return {"Filters": [{"Name": "TrainingJobName", "Operator": "Contains", "Value": prefix}]}


def test_search_training_jobs_returns_full_records_paged(sm, clock):
    for n in ("st-a", "st-b", "other-c"):
        sm.create_hyper_parameter_tuning_job(**tuning_request(n, model_id=SWIN, max_jobs=3, parallel=3))
    run_until_done(sm, clock, "st-a")
    run_until_done(sm, clock, "st-b")
    got, pages = _search_all(sm, Resource="TrainingJob", SearchExpression=_by_name("st-"), SortBy="TrainingJobName",
                             SortOrder="Ascending", MaxResults=4)
    names = [r["TrainingJob"]["TrainingJobName"] for r in got]
    assert len(names) == 6 and pages == 2 and names == sorted(names)
    assert all(n.startswith("st-") for n in names)
    for r in got:  # the record is what DescribeTrainingJob answers, as far as the TrainingJob shape goes
        rec = r["TrainingJob"]
        described = sm.describe_training_job(TrainingJobName=rec["TrainingJobName"])
        for key in ("TrainingJobStatus", "FinalMetricDataList", "BillableTimeInSeconds", "ResourceConfig",
                    "TuningJobArn", "TrainingEndTime", "HyperParameters"):
            assert rec.get(key) == described.get(key), key
    arn = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="st-b")["HyperParameterTuningJobArn"]
    only_b, _ = _search_all(sm, Resource="TrainingJob",
                            SearchExpression={"Filters": [{"Name": "TuningJobArn", "Operator": "Equals", "Value": arn}]})
    assert {r["TrainingJob"]["TuningJobArn"] for r in only_b} == {arn} and len(only_b) == 3


def test_search_tuning_jobs_matches_describe(sm, clock):
    for n in ("hp-a", "hp-b"):
        sm.create_hyper_parameter_tuning_job(**tuning_request(n, model_id=SWIN, max_jobs=2, parallel=2))
    run_until_done(sm, clock, "hp-a")
    got, _ = _search_all(sm, Resource="HyperParameterTuningJob",
                         SearchExpression={"Filters": [{"Name": "HyperParameterTuningJobName", "Operator": "In",
                                                        "Value": "hp-a,hp-b"}]})
    assert sorted(r["HyperParameterTuningJob"]["HyperParameterTuningJobName"] for r in got) == ["hp-a", "hp-b"]
    for r in got:
        rec = r["HyperParameterTuningJob"]
        described = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=rec["HyperParameterTuningJobName"])
        for key in ("HyperParameterTuningJobStatus", "TrainingJobStatusCounters", "BestTrainingJob",
                    "HyperParameterTuningJobConfig", "TrainingJobDefinition"):
            assert rec.get(key) == described.get(key), key


def test_search_lags_describe(emu, sm, clock):
    sm.create_hyper_parameter_tuning_job(**tuning_request("lag-a", model_id=SWIN, max_jobs=1, parallel=1))
    described = run_until_done(sm, clock, "lag-a")
    assert described["HyperParameterTuningJobStatus"] == "Completed"
    emu.set_faults(search_lag_s=10 ** 7)  # the index has not seen the job yet
    got, _ = _search_all(sm, Resource="TrainingJob", SearchExpression=_by_name("lag-a"))
    assert got == []
    end = sm.describe_training_job(TrainingJobName=sm.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName="lag-a")["TrainingJobSummaries"][0]["TrainingJobName"])["TrainingEndTime"]
    emu.set_faults(search_lag_s=clock() - end.timestamp() + 1)  # the index is one second behind the job's end
    got, _ = _search_all(sm, Resource="TrainingJob", SearchExpression=_by_name("lag-a"))
    assert [r["TrainingJob"]["TrainingJobStatus"] for r in got] == ["InProgress"]


@pytest.mark.parametrize("kw", [
    {"Resource": "Endpoint"},
    {"Resource": "TrainingJob", "SearchExpression": {"Filters": [{"Name": "Metrics.accuracy", "Operator": "GreaterThan",
                                                                  "Value": "0.9"}]}},
    {"Resource": "TrainingJob", "SearchExpression": {"Filters": [{"Name": "TrainingJobName", "Operator": "GreaterThan",
                                                                  "Value": "a"}]}},
    {"Resource": "TrainingJob", "SearchExpression": {"Filters": [
        {"Name": "TrainingJobName", "Operator": "Contains", "Value": "a"},
        {"Name": "TrainingJobArn", "Operator": "Contains", "Value": "b"}]}},
    {"Resource": "TrainingJob", "SearchExpression": {"SubExpressions": [
        {"Filters": [{"Name": "TrainingJobName", "Value": "a"}]}]}},
    {"Resource": "TrainingJob", "SearchExpression": {}},
    {"Resource": "TrainingJob", "SortBy": "Metrics.accuracy"},
])
def test_search_beyond_the_subset_is_a_validation_error(sm, kw):
    with pytest.raises(ClientError) as e:
        sm.search(**kw)
    assert e.value.response["Error"]["Code"] == "ValidationException"


def test_denied_search_answers_access_denied(emu, sm):
    emu.set_faults(denied=frozenset({"Search"}))
    with pytest.raises(ClientError) as e:
        sm.search(Resource="TrainingJob")
    assert e.value.response["Error"]["Code"] == "AccessDeniedException"
    sm.list_hyper_parameter_tuning_jobs()  # other operations still answer


def test_rate_limit_per_operation_and_latency_setting(emu):
    emu.set_faults(rate_limits={"Search": 0.2})  # one call, then one every 5 s
    once = client("sagemaker", emu.url)
    once.search(Resource="TrainingJob")
    with pytest.raises(ClientError) as e:
        once.search(Resource="TrainingJob")
    assert e.value.response["Error"]["Code"] == "ThrottlingException"
    once.list_hyper_parameter_tuning_jobs()  # another operation has its own bucket
    emu.set_faults(latency_ms=150.0, jitter_ms=50.0)
    delays = [emu.emulator.faults.delay_s() for _ in range(200)]
    assert all(0.1 <= d <= 0.2 for d in delays) and len(set(delays)) > 100
