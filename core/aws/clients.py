"""One factory for the boto3 clients jstui uses (sagemaker, logs, sagemaker-runtime, pricing), for
both backends: the standard credential chain, --profile, --region, --endpoint-url, and an explicit
retry config (adaptive, 20 attempts: launch storms hit the API's rate limits, and botocore's default
mode differs by version). On the emulator backend without --endpoint-url, the study's embedded
emulator is started (state `<home>/emulator/<study>.sqlite`) with dummy credentials.

`service_errors()` maps botocore's exceptions to jstui's errors (and exit codes) through the one
classifier, `jstui.aws.errors`."""

from __future__ import annotations

import logging
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, UTC
from pathlib import Path
from typing import Any
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from botocore.config import Config
# boto3 and botocore's session are imported where a client is made, not here: importing them takes
# ~0.15 s, and a TUI reopening a study shows the saved snapshot first and makes its clients after
# (bench/tui.py, first paint)

# What a service error means is decided in jstui.aws.errors; these names stay importable from here.
from jstui.aws.errors import (  # noqa: F401
    GENERIC_RENEW_HINT,
    CredentialsExpired,
    expired_message,
    is_expired_credentials,
    is_unreachable,
    translate,
)
from jstui.domain.errors import JstuiError, ServiceUnreachable, UsageError
from jstui.domain.model import Study

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 20
# The poller runs again anyway (with its own backoff), so its client gives up sooner: an outage then
# shows as "retrying"/"offline" within seconds instead of after 20 backed-off attempts.
POLL_MAX_ATTEMPTS = 5
CONNECT_TIMEOUT_S = 5
READ_TIMEOUT_S = 60
DUMMY_KEY = "jstui-emulator"
# The Price List API lives in two regions only; us-east-1 answers for all.
PRICING_REGION = "us-east-1"

def retry_config(max_attempts: int = MAX_ATTEMPTS) -> Config:
    from botocore.config import Config

    return Config(
        retries={"mode": "adaptive", "max_attempts": max_attempts},
        connect_timeout=CONNECT_TIMEOUT_S,
        read_timeout=READ_TIMEOUT_S,
        user_agent_extra="jstui",
    )


def parse_timestamp_utc(value: Any) -> datetime:
    """botocore's default timestamp parser converts through dateutil's tzlocal (~60 us a value; a page of
    100 Search records holds ~2,000 timestamps): epoch numbers become UTC datetimes directly (the same
    instant), anything else goes to botocore's parser."""
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, UTC)
    from botocore.utils import parse_timestamp

    return parse_timestamp(value)


def utc_botocore_session() -> Any:
    import botocore.session

    session = botocore.session.get_session()
    session.get_component("response_parser_factory").set_parser_defaults(timestamp_parser=parse_timestamp_utc)
    return session


@dataclass
class Clients:
    """The clients of one study's backend. `emulator` is the embedded emulator jstui started (None
    when talking to SageMaker or to an emulator given by --endpoint-url)."""

    backend: str
    region: str
    endpoint_url: str | None
    session: Any  # boto3.Session
    sagemaker: Any
    logs: Any
    runtime: Any
    sagemaker_poll: Any = None  # same endpoint, fewer attempts (see POLL_MAX_ATTEMPTS)
    emulator: Any = None
    profile: str | None = None  # the shared-config profile whose credentials sign (None: the chain's default)
    credential_method: str | None = None  # botocore's name for where they came from ("sso", "env", ...)
    renewals: int = 0  # how many times renew_credentials() rebuilt the clients
    _pricing: Any = field(default=None, repr=False)
    _others: dict[str, Any] = field(default_factory=dict, repr=False)  # sts, iam, s3, service-quotas (doctor)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # Builds (session, clients by attribute) afresh; None on the emulator backend (dummy keys never expire).
    _rebuild: Callable[[], tuple[Any, dict[str, Any]]] | None = field(default=None, repr=False)

    @property
    def pricing(self) -> Any:
        with self._lock:
            if self._pricing is None:
                kwargs: dict[str, Any] = {"region_name": PRICING_REGION, "config": retry_config()}
                if self.endpoint_url:
                    kwargs["endpoint_url"] = self.endpoint_url
                self._pricing = self.session.client("pricing", **kwargs)
            return self._pricing

    def other(self, service: str) -> Any:
        """A client of a service the study itself never calls (STS, IAM, S3, Service Quotas: the
        preflight's), same session and retry config. Never on --endpoint-url: that endpoint is
        SageMaker's (or the emulator's, which speaks none of these)."""
        with self._lock:
            if service not in self._others:
                self._others[service] = self.session.client(service, region_name=self.region, config=retry_config(5))
            return self._others[service]

    def renew_credentials(self) -> bool:
        """After a call failed for expired credentials: a fresh botocore session, so the credential
        chain is resolved again (a new SSO token after `aws sso login`, a rewritten credentials file,
        a credential_process), and fresh clients signing with it. Cheap: no call is made. The clients
        are swapped in place, so the poller and launcher, which read them from this object at each
        call, use them from their next attempt on. Returns False when there is nothing to renew."""
        if self._rebuild is None:
            return False
        with self._lock:
            session, clients = self._rebuild()
            self.session = session
            for name, client in clients.items():
                setattr(self, name, client)
            self._pricing = None
            self._others = {}
            self.renewals += 1
        log.info("credentials renewed (a fresh session, renewal %d)", self.renewals)
        return True

    def renew_hint(self) -> str:
        return renew_hint(self.profile, self.credential_method, self.session)

    def close(self) -> None:
        for c in (self.sagemaker, self.sagemaker_poll, self.logs, self.runtime, self._pricing, *self._others.values()):
            if c is not None:
                try:
                    c.close()
                except Exception:  # closing is best effort
                    pass
        if self.emulator is not None:
            self.emulator.stop()
            self.emulator = None


def emulator_state_path(home: Path, study_name: str) -> Path:
    return Path(home) / "emulator" / f"{study_name}.sqlite"


def start_study_emulator(study: Study, home: Path, **faults: Any) -> Any:
    """Start the embedded emulator of a study (its own state, speed, seed, noise, catalogs)."""
    from jstui.emulator.embedded import start_embedded  # local: only the emulator backend needs it

    state = emulator_state_path(home, study.name)
    state.parent.mkdir(parents=True, exist_ok=True)
    return start_embedded(
        state,
        list(study.emulator.catalogs),
        speed=study.emulator.speed,
        seed=study.emulator.seed,
        noise=study.emulator.noise,
        **faults,
    )


def make_clients(
    study: Study,
    home: Path,
    *,
    endpoint_url: str | None = None,
    region: str | None = None,
    profile: str | None = None,
    max_attempts: int = MAX_ATTEMPTS,
) -> Clients:
    import boto3

    region = region or study.region
    emulator = None
    with service_errors():
        if study.backend == "emulator":
            # Dummy credentials: the emulator checks none, and a user's real keys must never be
            # sent to it (nor a missing ~/.aws make it fail).
            session = boto3.Session(
                aws_access_key_id=DUMMY_KEY, aws_secret_access_key=DUMMY_KEY, region_name=region,
                botocore_session=utc_botocore_session(),
            )
            if endpoint_url is None:
                emulator = start_study_emulator(study, home)
                endpoint_url = emulator.url
            else:
                probe(endpoint_url)
        else:
            session = boto3.Session(profile_name=profile, region_name=region, botocore_session=utc_botocore_session())
            if session.get_credentials() is None:
                raise ServiceUnreachable(
                    "no AWS credentials found (set AWS_PROFILE or use --profile, or run `aws configure`)"
                )
            if endpoint_url:
                probe(endpoint_url)
        config = retry_config(max_attempts)
        kwargs: dict[str, Any] = {"region_name": region, "config": config}
        if endpoint_url:
            kwargs["endpoint_url"] = endpoint_url
        poll_kwargs = {**kwargs, "config": retry_config(min(max_attempts, POLL_MAX_ATTEMPTS))}

        def clients_of(s: Any) -> dict[str, Any]:
            return {
                "sagemaker": s.client("sagemaker", **kwargs),
                "sagemaker_poll": s.client("sagemaker", **poll_kwargs),
                "logs": s.client("logs", **kwargs),
                "runtime": s.client("sagemaker-runtime", **kwargs),
            }

        def rebuild() -> tuple[Any, dict[str, Any]]:
            fresh = boto3.Session(profile_name=profile, region_name=region)
            return fresh, clients_of(fresh)

        try:
            creds = session.get_credentials() if study.backend != "emulator" else None
            return Clients(
                backend=study.backend,
                region=region,
                endpoint_url=endpoint_url,
                session=session,
                emulator=emulator,
                profile=profile or (session.profile_name if study.backend != "emulator" else None),
                credential_method=getattr(creds, "method", None),
                _rebuild=rebuild if study.backend != "emulator" else None,
                **clients_of(session),
            )
        except BaseException:
            if emulator is not None:
                emulator.stop()
            raise


def probe(endpoint_url: str, timeout_s: float = 3.0) -> None:
    """Fail fast (exit 3) when an --endpoint-url has nobody listening, instead of after botocore's
    twenty backed-off attempts."""
    parts = urlsplit(endpoint_url)
    if not parts.hostname:
        raise UsageError(f"--endpoint-url {endpoint_url}: not a URL")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        socket.create_connection((parts.hostname, port), timeout=timeout_s).close()
    except OSError as exc:
        raise ServiceUnreachable(f"service unreachable at {endpoint_url} ({exc.strerror or exc})") from None


def error_code(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""


def error_message(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Message", "")) or str(exc)
    return str(exc)


def _profile_config(session: Any, profile: str | None) -> dict[str, Any]:
    try:
        return dict((session._session.full_config.get("profiles") or {}).get(profile or "default") or {})
    except Exception:  # an unreadable config: no hint from it
        return {}


def _is_sso_profile(session: Any, profile: str | None, depth: int = 0) -> bool:
    conf = _profile_config(session, profile)
    if conf.get("sso_session") or conf.get("sso_start_url"):
        return True
    source = conf.get("source_profile")  # an assumed role whose source is an SSO profile
    return bool(source and depth < 5 and source != profile and _is_sso_profile(session, source, depth + 1))


def renew_hint(profile: str | None, method: str | None, session: Any = None) -> str:
    """One line: how to renew the credentials of this profile (botocore's credential `method`)."""
    name = profile or "default"
    flag = f" --profile {name}" if profile and profile != "default" else ""
    if method in ("sso",) or (session is not None and _is_sso_profile(session, profile)):
        return f"run `aws sso login{flag}`"
    if method == "env":
        return ("refresh your credentials (the AWS_* variables jstui started with expired; a running process "
                "cannot see new ones: quit, export fresh ones, start jstui again)")
    if method in ("shared-credentials-file", "config-file"):
        return f"refresh your credentials (write fresh keys for profile {name} in your AWS credentials file)"
    if method == "custom-process":
        return f"refresh your credentials (the credential_process of profile {name} failed)"
    if method == "assume-role":
        return f"refresh your credentials (the source credentials of profile {name}'s role expired)"
    return f"refresh your credentials (profile {name})"


@contextmanager
def service_errors(doing: str = "") -> Iterator[None]:
    """Run botocore calls; their exceptions leave as jstui errors (one line, a documented code)."""
    try:
        yield
    except JstuiError:
        raise
    except (BotoCoreError, ClientError) as exc:
        log.debug("service error %s", doing, exc_info=True)
        raise translate(exc, doing) from None
