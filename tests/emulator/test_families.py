"""Algorithm families over boto3: built-in metrics the service supplies, `default` versus `tuned` catalog
figures reproduced (within the noise), JumpStart object detection's losses."""

from __future__ import annotations

import pytest

from jstui.emulator.embedded import start_embedded

from tests.emulator.helpers import OD_T2, ManualClock, builtin_request, client, run_until_done, tuning_request


def _metrics(sm, tuning: str) -> dict[str, dict[str, float]]:
    out = {}
    for s in sm.list_training_jobs_for_hyper_parameter_tuning_job(
            HyperParameterTuningJobName=tuning, MaxResults=100)["TrainingJobSummaries"]:
        d = sm.describe_training_job(TrainingJobName=s["TrainingJobName"])
        key = ",".join(f"{k}={v}" for k, v in sorted(s["TunedHyperParameters"].items()))
        out[key] = {m["MetricName"]: m["Value"] for m in d["FinalMetricDataList"]}
        out[key]["_definitions"] = [m["Name"] for m in d["AlgorithmSpecification"]["MetricDefinitions"]]
    return out


@pytest.fixture
def noisy(tmp_path, catalog):
    clock = ManualClock()
    with start_embedded(tmp_path / "noisy.sqlite", [catalog], speed=300, noise=0.01, seed=3, clock=clock) as e:
        yield client("sagemaker", e.url), clock


def test_builtin_object_detection_default_versus_tuned(noisy):
    sm, clock = noisy
    ranges = {"CategoricalParameterRanges": [{"Name": "learning_rate", "Values": ["0.001", "0.005"]}]}
    sm.create_hyper_parameter_tuning_job(**builtin_request(
        "od-t1", "object-detection", {"base_network": "resnet-50", "epochs": "10"}, ranges, "validation:mAP",
        max_jobs=2, parallel=2, strategy="Grid"))
    d = run_until_done(sm, clock, "od-t1")
    m = _metrics(sm, "od-t1")
    assert "validation:mAP" in m["learning_rate=0.001"]["_definitions"]  # the service supplied them
    assert m["learning_rate=0.001"]["validation:mAP"] == pytest.approx(0.067, rel=0.05)  # seed 002 default
    assert m["learning_rate=0.005"]["validation:mAP"] == pytest.approx(0.226, rel=0.05)  # seed 002 with HPO
    assert d["BestTrainingJob"]["TunedHyperParameters"] == {"learning_rate": "0.005"}
    assert "train:cross_entropy" in m["learning_rate=0.005"]


def test_builtin_image_classification_metrics_and_surface(sm, clock):
    ranges = {"CategoricalParameterRanges": [
        {"Name": "learning_rate", "Values": ["0.1", "0.02"]}, {"Name": "mini_batch_size", "Values": ["32", "64"]}]}
    sm.create_hyper_parameter_tuning_job(**builtin_request(
        "ic-50", "image-classification", {"num_layers": "50", "epochs": "4", "use_pretrained_model": "1"}, ranges,
        "validation:accuracy", max_jobs=4, parallel=4, strategy="Grid"))
    run_until_done(sm, clock, "ic-50")
    m = _metrics(sm, "ic-50")
    assert len(m) == 4  # Grid enumerates every combination
    default = m["learning_rate=0.1,mini_batch_size=32"]
    tuned = m["learning_rate=0.02,mini_batch_size=64"]
    assert default["validation:accuracy"] == pytest.approx(0.62)  # noise 0: the catalog's figures exactly
    assert tuned["validation:accuracy"] == pytest.approx(0.81)
    assert "train:accuracy" in tuned
    others = [v["validation:accuracy"] for k, v in m.items() if v not in (default, tuned)]
    assert all(0.62 < x < 0.81 for x in others)


def test_builtin_objective_must_be_a_builtin_metric(sm):
    with pytest.raises(sm.exceptions.ClientError) as e:
        sm.create_hyper_parameter_tuning_job(**builtin_request(
            "ic-bad", "image-classification", {"num_layers": "50"}, {}, "val_accuracy", strategy="Random"))
    assert "validation:accuracy" in str(e.value)


def test_jumpstart_object_detection_reports_losses(sm, clock):
    req = tuning_request("od-t2", model_id=OD_T2, max_jobs=2, parallel=2)
    cfg = req["HyperParameterTuningJobConfig"]
    cfg["Strategy"] = "Grid"
    cfg["HyperParameterTuningJobObjective"] = {"Type": "Minimize", "MetricName": "Val_CrossEntropy"}
    cfg["ParameterRanges"] = {"CategoricalParameterRanges": [{"Name": "learning_rate", "Values": ["0.001", "0.0005"]}]}
    req["TrainingJobDefinition"]["AlgorithmSpecification"]["MetricDefinitions"] = [
        {"Name": "Val_CrossEntropy", "Regex": "Val_CrossEntropy=([0-9\\.]+)"},
        {"Name": "Val_SmoothL1", "Regex": "Val_SmoothL1=([0-9\\.]+)"}]
    sm.create_hyper_parameter_tuning_job(**req)
    d = run_until_done(sm, clock, "od-t2")
    m = _metrics(sm, "od-t2")
    assert m["learning_rate=0.0005"]["Val_CrossEntropy"] < m["learning_rate=0.001"]["Val_CrossEntropy"]
    assert d["BestTrainingJob"]["TunedHyperParameters"] == {"learning_rate": "0.0005"}
    assert d["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"]["Type"] == "Minimize"


def test_builtin_recognised_by_image_and_selecting_hyperparameter(sm, clock):
    # num_layers=18 is not in the catalog: still trains, synthetic figures
    sm.create_hyper_parameter_tuning_job(**builtin_request(
        "ic-18", "image-classification", {"num_layers": "18", "epochs": "2"},
        {"CategoricalParameterRanges": [{"Name": "learning_rate", "Values": ["0.1"]}]}, "validation:accuracy",
        strategy="Grid"))
    run_until_done(sm, clock, "ic-18")
    m = _metrics(sm, "ic-18")["learning_rate=0.1"]
    assert 0 < m["validation:accuracy"] < 1 and m["validation:accuracy"] != pytest.approx(0.62)


def test_bayesian_tuning_genuinely_improves_type1_object_detection(sm, clock):
    """Seed 002: HPO over learning rate, momentum and weight decay lifts Type 1 from mAP 0.067 towards 0.226."""
    ranges = {"ContinuousParameterRanges": [
        {"Name": "learning_rate", "MinValue": "0.0001", "MaxValue": "0.01"},
        {"Name": "momentum", "MinValue": "0.8", "MaxValue": "0.99"},
        {"Name": "weight_decay", "MinValue": "0.0001", "MaxValue": "0.001"}]}
    later = {}
    for strategy in ("Bayesian", "Random"):
        name = f"t1-{strategy.lower()}"
        sm.create_hyper_parameter_tuning_job(**builtin_request(
            name, "object-detection", {"base_network": "resnet-50", "epochs": "10"}, ranges, "validation:mAP",
            max_jobs=20, parallel=10, strategy=strategy))
        d = run_until_done(sm, clock, name, step=1800)
        assert d["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] > 2 * 0.067
        jobs = sm.list_training_jobs_for_hyper_parameter_tuning_job(
            HyperParameterTuningJobName=name, MaxResults=100, SortBy="CreationTime")["TrainingJobSummaries"]
        values = [j["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] for j in jobs]
        later[strategy] = sum(values[10:]) / 10
    assert later["Bayesian"] > later["Random"]  # the second wave learns from the first
