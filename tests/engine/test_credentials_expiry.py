"""Credentials that expire mid-session (issue 15 item 7): one line saying how to renew them, the
session keeps its snapshot and shows an "expired" connection state, and polling resumes by itself
once working credentials can be resolved again (the client factory re-resolves the chain).

The service side is the embedded emulator over real HTTP; the expiry is a botocore `before-send`
hook that answers what SageMaker answers for a request signed with expired temporary credentials
(HTTP 400, `ExpiredTokenException`, "The security token included in the request is expired"), but
only for requests signed with the old key, so resumption depends on the credentials really being
re-read, not on a flag flipping."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import (
    ClientError,
    NoCredentialsError,
    SSOTokenLoadError,
    TokenRetrievalError,
    UnauthorizedSSOTokenError,
)

from jstui.aws.clients import CredentialsExpired, is_expired_credentials, renew_hint, translate
from jstui.domain.errors import ServiceUnreachable
from jstui.domain.exitcodes import ExitCode
from jstui.engine.session import EngineSession, load
from tests.engine.conftest import write_study

OLD, NEW = "AKIAOLDOLDOLDOLDOLD1", "AKIANEWNEWNEWNEWNEW1"
EXPIRED_BODY = {"__type": "ExpiredTokenException", "message": "The security token included in the request is expired"}


class _Raw:
    def __init__(self, body: bytes):
        self.body = body

    def stream(self, **_):
        yield self.body


def _expired_if_old_key(request, **_):
    auth = request.headers.get("Authorization", b"")
    auth = auth.decode() if isinstance(auth, bytes) else auth
    if f"Credential={OLD}/" in auth:
        body = json.dumps(EXPIRED_BODY).encode()
        return AWSResponse(request.url, 400, {"Content-Type": "application/x-amz-json-1.1"}, _Raw(body))
    return None


class _SessionWithExpiredOldKey(boto3.Session):
    """Every session jstui builds (the first and each renewal) answers old-key requests "expired"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.events.register("before-send.sagemaker", _expired_if_old_key)


def _write_credentials(path, key: str) -> None:
    path.write_text(f"[dev]\naws_access_key_id = {key}\naws_secret_access_key = secret\n", encoding="utf-8")


@pytest.fixture
def aws_files(tmp_path, monkeypatch):
    creds, config = tmp_path / "credentials", tmp_path / "config"
    config.write_text("[profile dev]\nregion = us-east-1\n", encoding="utf-8")
    _write_credentials(creds, NEW)
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(creds))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return creds, config


def test_expired_credentials_show_as_a_state_with_a_renewal_line_and_polling_resumes(
    tmp_path, emulator, aws_files, monkeypatch
):
    creds, _ = aws_files
    home = tmp_path / "home"
    # Launch two candidates on the emulator backend, then watch the same study as a SageMaker-backend
    # session (same name, same journal) through --endpoint-url: its clients use the credential chain.
    path = write_study(tmp_path, models=2)
    with EngineSession(load(path), home, endpoint_url=emulator.url) as session:
        session.launch()
        launched = session.refresh(strict=True)
    assert len(launched.tuning_jobs) == 2

    real = tmp_path / "real.toml"
    real.write_text(path.read_text(encoding="utf-8").replace('backend = "emulator"', 'backend = "sagemaker"', 1),
                    encoding="utf-8")
    monkeypatch.setattr(boto3, "Session", _SessionWithExpiredOldKey)  # clients.py imports boto3 when it makes clients
    _write_credentials(creds, OLD)  # the credentials jstui starts with, and that expire
    session = EngineSession(load(real), home, endpoint_url=emulator.url, profile="dev", readonly=True)
    try:
        first_clients = session.clients.sagemaker_poll
        snap = session.refresh()  # a TUI refresh: never raises
        assert snap.connection.state == "expired"
        assert snap.connection.message.startswith("AWS credentials expired: refresh your credentials")
        assert "profile dev" in snap.connection.message and "resumes by itself" in snap.connection.message
        assert "\n" not in snap.connection.message
        # The screen keeps what it showed: the tuning jobs are still in the snapshot.
        assert {r.tuning_job_name for r in snap.tuning_jobs} == {r.tuning_job_name for r in launched.tuning_jobs}
        assert session.clients.renewals == 0  # credentials are re-resolved right before the next attempt

        # Still expired: the next attempt (backoff skipped by making it due) re-resolves them, in vain.
        session.poller._retry_at = 0.0
        assert session.refresh().connection.state == "expired"
        assert session.clients.renewals == 1 and session.clients.sagemaker_poll is not first_clients

        # The user renews (here: a fresh key in the credentials file); the next due attempt works.
        _write_credentials(creds, NEW)
        session.poller._retry_at = 0.0
        snap = session.refresh()
        assert snap.connection.state == "ok" and snap.connection.message is None
        assert session.clients.session.get_credentials().access_key == NEW
        assert len(snap.tuning_jobs) == 2
    finally:
        session.close()


def test_one_shot_command_exits_3_with_the_renewal_line(tmp_path, emulator, aws_files, monkeypatch):
    creds, _ = aws_files
    path = write_study(tmp_path, models=1)
    home = tmp_path / "home"
    with EngineSession(load(path), home, endpoint_url=emulator.url) as session:
        session.launch()
        session.refresh(strict=True)
    real = tmp_path / "real.toml"
    real.write_text(path.read_text(encoding="utf-8").replace('backend = "emulator"', 'backend = "sagemaker"', 1),
                    encoding="utf-8")
    monkeypatch.setattr(boto3, "Session", _SessionWithExpiredOldKey)  # clients.py imports boto3 when it makes clients
    _write_credentials(creds, OLD)
    with EngineSession(load(real), home, endpoint_url=emulator.url, profile="dev", readonly=True) as session:
        with pytest.raises(CredentialsExpired) as info:
            session.refresh(strict=True)
    assert info.value.exit_code == ExitCode.UNREACHABLE
    assert str(info.value).startswith("AWS credentials expired: refresh your credentials")
    assert "resumes" not in str(info.value)  # a one-shot command does not retry


def test_sso_profiles_are_told_to_run_aws_sso_login(aws_files):
    _, config = aws_files
    config.write_text(
        "[profile work]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = ML\nregion = us-east-1\n\n"
        "[profile tuned]\nrole_arn = arn:aws:iam::111122223333:role/Tuner\nsource_profile = work\n\n"
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n",
        encoding="utf-8",
    )
    assert renew_hint("work", None, boto3.Session(profile_name="work")) == "run `aws sso login --profile work`"
    # A role assumed from an SSO profile: the SSO login renews its source.
    assert renew_hint("tuned", "assume-role", boto3.Session(profile_name="tuned")) == "run `aws sso login --profile tuned`"
    assert renew_hint(None, "sso") == "run `aws sso login`"
    assert "restart" in renew_hint(None, "env") or "start jstui again" in renew_hint(None, "env")


@pytest.mark.parametrize(
    "exc",
    [
        ClientError({"Error": {"Code": "ExpiredTokenException", "Message": "The security token included in the request is expired"}}, "ListHyperParameterTuningJobs"),
        ClientError({"Error": {"Code": "ExpiredToken", "Message": "The provided token has expired."}}, "ListObjectsV2"),
        ClientError({"Error": {"Code": "UnrecognizedClientException", "Message": "The security token included in the request is expired"}}, "DescribeLogStreams"),
        TokenRetrievalError(provider="sso", error_msg="Token has expired and refresh failed"),
        SSOTokenLoadError(error_msg="Token for corp does not exist"),
        UnauthorizedSSOTokenError(),
    ],
    ids=["ExpiredTokenException", "ExpiredToken", "UnrecognizedClient-expired", "TokenRetrievalError", "SSOTokenLoadError", "UnauthorizedSSOToken"],
)
def test_expired_token_errors_are_recognised_and_translated(exc):
    assert is_expired_credentials(exc)
    err = translate(exc, "polling", hint="run `aws sso login --profile work`")
    assert isinstance(err, CredentialsExpired) and err.exit_code == ExitCode.UNREACHABLE
    assert str(err) == "AWS credentials expired: run `aws sso login --profile work` (polling)"


def test_wrong_or_missing_credentials_are_not_called_expired():
    bad = ClientError({"Error": {"Code": "UnrecognizedClientException", "Message": "The security token included in the request is invalid."}}, "ListHyperParameterTuningJobs")
    assert not is_expired_credentials(bad)
    assert not isinstance(translate(bad), CredentialsExpired)
    # No credentials at start (no hint: not mid-session) stays "no usable AWS credentials".
    err = translate(NoCredentialsError())
    assert isinstance(err, ServiceUnreachable) and not isinstance(err, CredentialsExpired)
    assert "no usable AWS credentials" in str(err)


def test_the_tui_header_names_the_state_and_the_renewal_line():
    from jstui.domain.snapshot import ConnectionState
    from jstui.tui.widgets.study_header import connection_reason, connection_text
    from tests.tui.fake_session import make_snapshot

    line = "AWS credentials expired: run `aws sso login --profile work`; polling resumes by itself once they work"
    snap = make_snapshot(connection=ConnectionState("expired", retry_in_s=4.0, message=line))
    assert connection_text(snap, None).plain == "⚿ credentials expired"
    assert connection_reason(snap, None) == line
    assert len(snap.tuning_jobs) > 0  # the screen's rows stay: only the header changes
