"""Deploy on the embedded emulator, over real boto3 and HTTP: a finished study's model reaches
InService and answers the sample image; delete removes it from ListEndpoints; the headless
commands do the same with their exit codes; an interrupted deploy is resumed; a Failed one
exits 5 with its reason."""

from __future__ import annotations

import pytest
from jstui.aws import hosting
from jstui.cli.main import main
from jstui.domain import endpoints
from jstui.domain.exitcodes import ExitCode
from jstui.domain.frontier import frontier_table
from jstui.engine import deployments as deploy
from jstui.engine.session import EngineSession, load

from tests.frontier.emulated import FAST_MODELS


@pytest.fixture
def session(finished):
    study_path, home = finished
    s = EngineSession(load(study_path), home)
    s.refresh(strict=True)
    yield s
    s.close()


def names_listed(s) -> set[str]:
    return set(hosting.list_endpoint_summaries(s.clients.sagemaker))


def test_walk_to_the_front_deploy_invoke_delete(session):
    front = frontier_table(session.snapshot(), session.study.frontier)
    assert front.rows, "the finished study has a frontier"
    pick = front.rows[0].candidate
    defaults = session.deploy_defaults(pick)
    assert endpoints.endpoint_name_problem(defaults.endpoint_name) is None
    session.deploy(pick, defaults.endpoint_name, defaults.instance_type, 1)
    status = deploy.wait(session, defaults.endpoint_name, poll_s=0.1, timeout_s=60)
    assert status.status == "InService", status
    answer = session.smoke_invoke(defaults.endpoint_name)
    assert answer and "(" in answer  # a label and its confidence
    session.refresh(strict=True)
    [row] = [e for e in session.snapshot().endpoints if e.name == defaults.endpoint_name]
    assert row.status == "InService" and row.candidate == pick and row.usd_per_hour
    session.delete_endpoint(defaults.endpoint_name)
    assert defaults.endpoint_name not in names_listed(session)
    session.refresh(strict=True)
    assert all(e.name != defaults.endpoint_name for e in session.snapshot().endpoints)


def test_headless_deploy_endpoints_and_delete(finished, capsys):
    study_path, home = finished
    cand = FAST_MODELS[1][1]
    g = ["--home", str(home)]
    assert main(g + ["deploy", str(study_path), cand]) == 0  # plan only
    out = capsys.readouterr()
    assert "nothing created" in out.err and out.out == ""
    assert main(g + ["deploy", str(study_path), cand, "--yes", "--name", "cli-endpoint"]) == 0
    out = capsys.readouterr()
    assert out.out.strip() == "cli-endpoint" and "sample image" in out.err
    assert main(g + ["endpoints", str(study_path)]) == 0
    listing = capsys.readouterr().out
    assert "cli-endpoint" in listing and "InService" in listing
    # deploying it again takes up the endpoint that is there: never a second one for the candidate
    assert main(g + ["deploy", str(study_path), cand, "--yes", "--name", "cli-endpoint"]) == 0
    out = capsys.readouterr()
    assert "following endpoint cli-endpoint" in out.err and out.out.strip() == "cli-endpoint"
    # another candidate's endpoint name is refused
    assert main(g + ["deploy", str(study_path), FAST_MODELS[0][1], "--yes", "--name", "cli-endpoint"]) == ExitCode.USAGE
    assert "already exists" in capsys.readouterr().err
    assert main(g + ["--readonly", "endpoints", str(study_path), "--delete", "cli-endpoint", "--yes"]) == ExitCode.USAGE
    assert main(g + ["endpoints", str(study_path), "--delete", "cli-endpoint", "--yes"]) == 0
    capsys.readouterr()
    assert main(g + ["deploy", str(study_path), cand, "--yes", "--no-wait", "--name", "no-wait-endpoint"]) == 0
    out = capsys.readouterr()
    assert out.out.strip() == "no-wait-endpoint" and "sample image" not in out.err
    assert main(g + ["endpoints", str(study_path)]) == 0
    assert "no-wait-endpoint" in capsys.readouterr().out
    assert main(g + ["endpoints", str(study_path), "--delete", "no-wait-endpoint", "--yes"]) == 0
    with EngineSession(load(study_path), home, readonly=True) as s:
        assert "cli-endpoint" not in names_listed(s)


def test_interrupted_deploy_is_resumed_by_deploying_again(finished, capsys):
    study_path, home = finished
    cand = FAST_MODELS[0][1]
    with EngineSession(load(study_path), home) as s:
        s.refresh(strict=True)
        req = deploy.plan_deploy(s, cand, "resumed-endpoint")
        # What a kill -9 right after CreateModel leaves: the model exists, the journal says "model".
        s.journal.save_endpoint(req.endpoint_name, s.study.name, candidate=cand, training_job_name=req.training_job_name,
                                instance_type=req.instance_type, instance_count=1, state="planned", body=req.to_dict())
        s.clients.sagemaker.create_model(ModelName=req.model_name, ExecutionRoleArn=req.role_arn, Tags=req.tags(),
                                         PrimaryContainer={"Image": req.image_uri, "ModelDataUrl": req.model_data_url})
    assert main(["--home", str(home), "deploy", str(study_path), cand, "--yes"]) == 0
    out = capsys.readouterr()
    assert "resuming" in out.err and out.out.strip() == "resumed-endpoint"
    assert main(["--home", str(home), "endpoints", str(study_path), "--delete", "resumed-endpoint", "--yes"]) == 0


def test_an_endpoint_that_fails_exits_5_with_its_reason(finished, capsys, monkeypatch):
    study_path, home = finished
    real = hosting.describe_target

    def wrong_artifact(sm, candidate, job):
        target = real(sm, candidate, job)
        return hosting.DeployTarget(target.candidate, target.training_job_name,
                                    "s3://example-bucket/not-a-training-output/model.tar.gz", target.training_image)

    monkeypatch.setattr(hosting, "describe_target", wrong_artifact)
    code = main(["--home", str(home), "deploy", str(study_path), FAST_MODELS[0][1], "--yes", "--name", "doomed"])
    err = capsys.readouterr().err
    assert code == ExitCode.FAILED, err
    assert "doomed ended Failed" in err and "Traceback" not in err
    assert main(["--home", str(home), "endpoints", str(study_path), "--delete", "doomed", "--yes"]) == 0


def test_the_session_deploy_finishes_an_interrupted_deploy_of_that_name(session):
    cand = FAST_MODELS[1][1]
    req = deploy.plan_deploy(session, cand, "half-done")
    session.journal.save_endpoint(req.endpoint_name, session.study.name, candidate=cand,
                                  training_job_name=req.training_job_name, instance_type=req.instance_type,
                                  instance_count=1, state="planned", body=req.to_dict())
    session.refresh(strict=True)
    assert [e.status for e in session.snapshot().endpoints if e.name == "half-done"] == ["Interrupted"]
    session.deploy(cand, "half-done", req.instance_type, 1)
    assert deploy.wait(session, "half-done", poll_s=0.1, timeout_s=60).status == "InService"
    session.delete_endpoint("half-done")
    assert "half-done" not in names_listed(session)
