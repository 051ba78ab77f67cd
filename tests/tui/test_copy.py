"""Copy and open (issue 19 item 6): `y` lists the current job's name, ARN, S3 output and console URL;
a number copies one over OSC 52 and says what it copied (all values are shown, the fallback)."""

from __future__ import annotations

import pytest

from jstui.domain import console
from jstui.tui.screens.copy import CopyModal, copy_choices

from tests.tui.fake_session import FakeSession, tuning_job_name
from tests.tui.helpers import make_app, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
EFF = tuning_job_name("effv2-m")


def test_the_pieces_follow_sagemakers_forms():
    assert console.account_of("arn:aws:iam::111122223333:role/SageMakerExecution") == "111122223333"
    assert console.account_of("not an arn") is None
    assert console.arn("us-east-1", "111122223333", "training", "Job-A") == \
        "arn:aws:sagemaker:us-east-1:111122223333:training-job/job-a"
    assert console.model_artifact("s3://b/p/", "job") == "s3://b/p/job/output/model.tar.gz"
    assert console.console_url("eu-west-1", "endpoint", "ep") == \
        "https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/endpoints/ep"


def test_a_candidate_offers_its_best_job_and_its_tuning_job():
    s = FakeSession()
    choices = dict(copy_choices(s.snapshot(), s.study, "effv2-m"))
    best = f"{EFF}-001-a1b2c3d4"
    assert choices["training job name"] == best
    assert choices["tuning job name"] == EFF
    assert choices["S3 output (model)"] == f"s3://example-bucket/jstui/{best}/output/model.tar.gz"
    assert choices["tuning job ARN"].endswith(f":hyper-parameter-tuning-job/{EFF.lower()}")
    assert copy_choices(s.snapshot(), s.study, "bit-m-r50x1") == []  # queued: nothing yet


async def test_a_number_copies_over_osc52_and_says_what(monkeypatch):
    app = make_app()
    copied: list[str] = []
    monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("j", "enter")
        await settle(pilot)
        await pilot.press("j", "y")  # the running training job
        assert isinstance(pilot.app.screen, CopyModal)
        await pilot.press("1")
        await pilot.pause()
        assert copied == [f"{EFF}-002-e5f6a7b8"]
        assert not isinstance(pilot.app.screen, CopyModal)


@pytest.mark.parametrize("size", SIZES)
def test_copy_modal_snapshot(snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("j", "y")

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


# --- the endpoints screen (`e`): the selected endpoint's name, ARN and console URL ---------------
ENDPOINT = "caltech256-effv2-m-ep"


def endpoint_session():
    from jstui.domain.snapshot import EndpointRow
    from tests.tui.fake_session import T0, make_snapshot

    rows = (EndpointRow(name="caltech256-mobilenet-ep", status="InService", candidate="mobilenet-v2-100-224",
                        training_job_name=f"{tuning_job_name('mobilenet-v2-100-224')}-001-a1b2c3d4",
                        instance_type="ml.g4dn.xlarge", instance_count=1, usd_per_hour=0.7364, accrued_usd=0.37,
                        created_at=T0),
            EndpointRow(name=ENDPOINT, status="Creating", candidate="effv2-m", training_job_name=f"{EFF}-001-a1b2c3d4",
                        instance_type="ml.g4dn.xlarge", instance_count=1, usd_per_hour=0.7364, accrued_usd=0.0,
                        created_at=T0))
    return FakeSession(make_snapshot(endpoints=rows))


def test_an_endpoint_offers_its_name_arn_and_console_url():
    s = endpoint_session()
    choices = dict(copy_choices(s.snapshot(), s.study, None, endpoint=ENDPOINT))
    assert choices["endpoint name"] == ENDPOINT
    assert choices["endpoint ARN"] == f"arn:aws:sagemaker:us-east-1:111122223333:endpoint/{ENDPOINT}"
    url = next(v for k, v in choices.items() if k.startswith("console URL"))
    assert url.endswith(f"#/endpoints/{ENDPOINT}")


async def test_y_on_the_endpoints_screen_copies_the_selected_endpoint(monkeypatch):
    app = make_app(endpoint_session())
    copied: list[str] = []
    monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert pilot.app.screen.id == "endpoints"
        await pilot.press("down", "y")  # the second endpoint
        modal = pilot.app.screen
        assert isinstance(modal, CopyModal)
        assert [what for what, _ in modal.choices][:2] == ["endpoint name", "endpoint ARN"]
        await pilot.press("2")
        await pilot.pause()
        assert copied == [f"arn:aws:sagemaker:us-east-1:111122223333:endpoint/{ENDPOINT}"]
        assert pilot.app.screen.id == "endpoints"


async def test_y_on_an_empty_endpoints_screen_says_there_is_nothing():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("y")
        await pilot.pause()
        assert pilot.app.screen.id == "endpoints"
        assert any("no endpoint selected" in n.message for n in pilot.app._notifications)


@pytest.mark.parametrize("size", SIZES)
def test_endpoint_copy_snapshot(snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("down", "y")

    assert snap_compare(make_app(endpoint_session()), terminal_size=size, run_before=run_before)
