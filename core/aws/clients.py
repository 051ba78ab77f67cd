"""One factory for the boto3 clients jstui uses (sagemaker, logs, sagemaker-runtime, pricing), for
both backends: the standard credential chain, --profile, --region, --endpoint-url, and an explicit
retry config (adaptive, 20 attempts: launch storms hit the API's rate limits, and botocore's default
mode differs by version). On the emulator backend without --endpoint-url, the study's embedded
emulator is started (state `<home>/emulator/<study>.sqlite`) with dummy credentials.

`service_errors()` maps botocore's exceptions to jstui's errors (and exit codes)."""

from __future__ import annotations

import logging
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import boto3
import botocore.session
from botocore.config import Config
from botocore.utils import parse_timestamp
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
)

from jstui.domain.errors import JstuiError, ServiceRefused, ServiceUnreachable, UsageError
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

REFUSAL_CODES = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "ExpiredTokenException",
    "ValidationException",
    "ValidationError",
    "ResourceLimitExceeded",
    "ResourceInUse",
    "ResourceNotFound",
}
THROTTLE_CODES = {"ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded"}


def retry_config(max_attempts: int = MAX_ATTEMPTS) -> Config:
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
        return datetime.fromtimestamp(value, timezone.utc)
    return parse_timestamp(value)


def utc_botocore_session() -> Any:
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
    _pricing: Any = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def pricing(self) -> Any:
        with self._lock:
            if self._pricing is None:
                kwargs: dict[str, Any] = {"region_name": PRICING_REGION, "config": retry_config()}
                if self.endpoint_url:
                    kwargs["endpoint_url"] = self.endpoint_url
                self._pricing = self.session.client("pricing", **kwargs)
            return self._pricing

    def close(self) -> None:
        for c in (self.sagemaker, self.sagemaker_poll, self.logs, self.runtime, self._pricing):
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
        try:
            return Clients(
                backend=study.backend,
                region=region,
                endpoint_url=endpoint_url,
                session=session,
                sagemaker=session.client("sagemaker", **kwargs),
                sagemaker_poll=session.client("sagemaker", **poll_kwargs),
                logs=session.client("logs", **kwargs),
                runtime=session.client("sagemaker-runtime", **kwargs),
                emulator=emulator,
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


def is_unreachable(exc: BaseException) -> bool:
    return isinstance(
        exc, (EndpointConnectionError, ConnectionClosedError, ReadTimeoutError, NoCredentialsError, PartialCredentialsError)
    )


def translate(exc: BaseException, doing: str = "") -> JstuiError:
    """The jstui error a botocore exception means (exit 3 unreachable, 4 refused, else 1)."""
    where = f" ({doing})" if doing else ""
    if isinstance(exc, JstuiError):
        return exc
    if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
        return ServiceUnreachable(f"no usable AWS credentials{where}: {exc}")
    if isinstance(exc, ProfileNotFound):
        return UsageError(f"{exc}")
    if isinstance(exc, NoRegionError):
        return UsageError("no AWS region: set [study] region, --region or AWS_DEFAULT_REGION")
    if isinstance(exc, (EndpointConnectionError, ConnectionClosedError, ReadTimeoutError)):
        return ServiceUnreachable(f"service unreachable{where}: {exc}")
    if isinstance(exc, ClientError):
        code = error_code(exc)
        message = error_message(exc)
        if code in REFUSAL_CODES or code.startswith("AccessDenied"):
            return ServiceRefused(f"the service refused{where}: {code}: {message}")
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if code in THROTTLE_CODES or status >= 500:
            return ServiceUnreachable(f"the service keeps failing{where}: {code}: {message}")
        return ServiceRefused(f"the service refused{where}: {code}: {message}")
    if isinstance(exc, BotoCoreError):
        return ServiceUnreachable(f"service error{where}: {exc}")
    return JstuiError(f"{type(exc).__name__}: {exc}")


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
