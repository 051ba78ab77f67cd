"""`launch --adopt bm-`: tuning jobs made by the seed notebook's way (plain boto3, `bm-<uid>-<model>`
names) are taken into the study, matched to their candidates by the model they train."""

from __future__ import annotations

from jstui.cli.main import main
from jstui.engine.session import EngineSession, load
from jstui.engine.journal import Journal
from jstui.domain.tuning_request import TAG_JS_MODEL, TAG_JS_VERSION
from tests.engine.conftest import sagemaker_client, tuning_job_names, write_study


def test_bm_jobs_are_adopted_and_matched(tmp_path, emulator, capsys):
    path = write_study(tmp_path, models=4)
    study = load(path)
    home = tmp_path / "home"
    c0, c1, c2, _ = study.candidates
    stranger = load(write_study(tmp_path, name="other", models=1, skip=10)).candidates[0]
    with EngineSession(study, tmp_path / "scratch", endpoint_url=emulator.url) as helper:
        sdk_way = helper.launcher.request_for(c0, "bm-1a2b3c-swin-l-384")
        sdk_way["Tags"] = [t for t in sdk_way["Tags"] if t["Key"] in (TAG_JS_MODEL, TAG_JS_VERSION)]
        by_uri = helper.launcher.request_for(c1, "bm-1a2b3c-swin-l-224")
        by_uri.pop("Tags")  # no tags at all: recognised by the model's S3 URI
        foreign = helper.launcher.request_for(stranger, "bm-1a2b3c-not-in-study")
        foreign.pop("Tags")
    sm = sagemaker_client(emulator.url)
    for request in (sdk_way, by_uri, foreign):
        sm.create_hyper_parameter_tuning_job(**request)
    assert main(["--home", str(home), "--endpoint-url", emulator.url, "launch", str(path), "--yes", "--adopt", "bm-"]) == 0
    err = capsys.readouterr().err
    assert f"adopted bm-1a2b3c-swin-l-384 as {c0.name}" in err
    assert f"adopted bm-1a2b3c-swin-l-224 as {c1.name}" in err
    assert "bm-1a2b3c-not-in-study matches no candidate" in err
    launches = Journal.open(home).current_launches(study.name)
    assert launches[c0.name].tuning_job_name == "bm-1a2b3c-swin-l-384" and launches[c0.name].adopted
    assert launches[c1.name].tuning_job_name == "bm-1a2b3c-swin-l-224"
    # the other two candidates were launched under jstui's names; nothing twice
    names = tuning_job_names(emulator.url)
    assert len(names) == 3 + 2 and len(set(names)) == len(names)
    assert {launches[c.name].tuning_job_name for c in (c2, study.candidates[3])} <= set(names)
    # the adopted jobs are polled like ours
    with EngineSession(study, home, endpoint_url=emulator.url) as session:
        snap = session.refresh(strict=True)
    by_cand = {t.candidate: t for t in snap.tuning_jobs}
    assert by_cand[c0.name].tuning_job_name == "bm-1a2b3c-swin-l-384"
    assert by_cand[c0.name].status in ("InProgress", "Completed")
