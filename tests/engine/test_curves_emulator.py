"""Learning curves against the emulator over real HTTP (boto3): the definitions are the ones the
training job ran with (its DescribeTrainingJob), and reading its log the way SageMaker does gives,
as the last point of each metric, what the service recorded in FinalMetricDataList."""

from __future__ import annotations

from jstui.domain.curves import CurveReader
from jstui.engine.session import EngineSession, load
from tests.engine.conftest import sagemaker_client, write_study
from tests.engine.test_run_emulator import run_to_end


def test_curve_last_points_are_what_the_service_recorded(tmp_path, emulator):
    study = load(write_study(tmp_path, models=1))
    with EngineSession(study, tmp_path / "home", endpoint_url=emulator.url) as session:
        snap = run_to_end(session)
        job = next(t for t in snap.training_jobs if t.status == "Completed")
        described = sagemaker_client(emulator.url).describe_training_job(TrainingJobName=job.training_job_name)
        definitions = session.metric_definitions(job.training_job_name)
        ran_with = described["AlgorithmSpecification"]["MetricDefinitions"]
        assert [(d.name, d.regex) for d in definitions] == [(m["Name"], m["Regex"]) for m in ran_with]

        reader, token = CurveReader(definitions), None
        for _ in range(50):
            chunk = session.logs(job.training_job_name, token)
            assert len(chunk.timestamps) == len(chunk.lines)
            reader.feed(chunk.lines, chunk.timestamps)
            token = chunk.next_token
            if chunk.complete or not chunk.lines:
                break
        assert reader.timed and reader.lines_read > 0
        recorded = {m["MetricName"]: m["Value"] for m in described.get("FinalMetricDataList", [])}
        assert recorded, "the emulator recorded no metrics"
        for name, value in recorded.items():
            assert reader.series[name], name
            assert reader.series[name][-1][1] == value, name
        xs = [x for x, _ in next(iter(reader.series.values()))]
        assert xs == sorted(xs) and xs[-1] > 0  # over log time
