"""The one place that says what a service error means.

botocore raises `ClientError` for every error the service answered (its code and message are in
`exc.response["Error"]`, the HTTP status in `exc.response["ResponseMetadata"]`) and other
`BotoCoreError`s for what never got an answer (connection, credentials, configuration). `classify`
turns either into an `ErrorKind`; `translate` turns it into jstui's error with its exit code. Every
other module asks these two instead of reading codes itself.

SageMaker does not always answer with the modelled error (botocore's service model lists
`ResourceNotFound` for the Describe/Stop operations, but the service also answers an unknown job or
endpoint with `ValidationException`, e.g. "Requested resource not found." or "Could not find endpoint
...", and a taken hosting name with `ValidationException` "Cannot create already existing ..."); see
docs/emulator.md, "Errors as the real service gives them". Both forms are classified alike here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from botocore.exceptions import (
    BotoCoreError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    SSOError,
    TokenRetrievalError,
)
from botocore.exceptions import (
    ConnectionError as BotoConnectionError,
)

from jstui.domain.errors import JstuiError, ServiceRefused, ServiceUnreachable, UsageError


class ErrorKind(StrEnum):
    NOT_FOUND = "not found"  # the named resource does not exist (either form)
    ALREADY_EXISTS = "already exists"  # a Create met a taken name (either form)
    QUOTA = "quota"  # ResourceLimitExceeded: an account limit
    INVALID = "invalid"  # the request was refused as invalid (ValidationException / ValidationError)
    DENIED = "denied"  # not allowed (AccessDenied*, UnauthorizedOperation, S3's 403)
    EXPIRED = "expired"  # temporary credentials expired, or can no longer be fetched (SSO, assumed role)
    AUTH = "auth"  # credentials the service rejected (unknown key, bad signature)
    THROTTLED = "throttled"  # rate limited
    SERVER = "server"  # HTTP 5xx
    REFUSED = "refused"  # any other error the service answered
    UNREACHABLE = "unreachable"  # no answer: connection refused, timed out, closed
    NO_CREDENTIALS = "no credentials"  # nothing to sign with
    CONFIG = "config"  # a local configuration problem: unknown profile, no region
    BOTOCORE = "botocore"  # another botocore failure before an answer
    NOT_A_SERVICE_ERROR = "not a service error"


# SageMaker, CloudWatch Logs, IAM (NoSuchEntity) and S3 (NoSuchKey, NoSuchBucket, a bare 404 for HEAD requests)
NOT_FOUND_CODES = frozenset({"ResourceNotFound", "ResourceNotFoundException", "NoSuchEntity", "NoSuchKey", "NoSuchBucket",
                             "NotFound", "404"})
VALIDATION_CODES = frozenset({"ValidationException", "ValidationError"})
ALREADY_EXISTS_CODES = frozenset({"ResourceInUse"})
QUOTA_CODES = frozenset({"ResourceLimitExceeded"})
DENIED_CODES = frozenset({"UnauthorizedOperation", "AuthorizationError", "403", "Forbidden"})
AUTH_CODES = frozenset({
    "UnrecognizedClientException", "InvalidSignatureException", "InvalidAccessKeyId", "SignatureDoesNotMatch",
    "InvalidClientTokenId",
})
# Codes SageMaker, CloudWatch Logs, STS and S3 answer when the request's temporary credentials have
# expired (AWS docs, "Common errors": ExpiredTokenException; STS/S3: ExpiredToken); some JSON services
# answer UnrecognizedClientException / InvalidClientTokenId "The security token included in the request is
# expired", so for those the message decides.
EXPIRED_CODES = frozenset({"ExpiredToken", "ExpiredTokenException"})
EXPIRED_IF_MESSAGE_SAYS = frozenset({"UnrecognizedClientException", "InvalidClientTokenId"})
THROTTLE_CODES = frozenset({"ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded"})
# How the service words "not found" / "already exists" when it answers with a validation error.
_NOT_FOUND_WORDS = ("not found", "could not find", "does not exist")
_EXISTS_WORDS = ("already exist",)


@dataclass(frozen=True)
class ServiceError:
    kind: ErrorKind
    code: str = ""
    message: str = ""
    http_status: int = 0

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" if self.code else self.message


def _answered(exc: BaseException) -> tuple[str, str, int] | None:
    """(code, message, HTTP status) of an error the service answered; None for anything else.
    Read from the response dict botocore's ClientError carries (and fakes of it in tests)."""
    resp = getattr(exc, "response", None)
    if not isinstance(resp, dict) or "Error" not in resp:
        return None
    err = resp.get("Error") or {}
    status = (resp.get("ResponseMetadata") or {}).get("HTTPStatusCode") or 0
    return str(err.get("Code", "")), str(err.get("Message", "")) or str(exc), int(status)


def classify(exc: BaseException) -> ServiceError:
    """What a boto3/botocore exception means."""
    answered = _answered(exc)
    if answered is not None:
        code, message, status = answered
        lower = message.lower()
        if code in NOT_FOUND_CODES or (code in VALIDATION_CODES and any(w in lower for w in _NOT_FOUND_WORDS)):
            kind = ErrorKind.NOT_FOUND
        elif code in ALREADY_EXISTS_CODES or (code in VALIDATION_CODES and any(w in lower for w in _EXISTS_WORDS)):
            kind = ErrorKind.ALREADY_EXISTS
        elif code in EXPIRED_CODES or (code in EXPIRED_IF_MESSAGE_SAYS and "expired" in lower):
            kind = ErrorKind.EXPIRED
        elif code in QUOTA_CODES:
            kind = ErrorKind.QUOTA
        elif code in VALIDATION_CODES:
            kind = ErrorKind.INVALID
        elif code.startswith("AccessDenied") or code in DENIED_CODES:
            kind = ErrorKind.DENIED
        elif code in AUTH_CODES:
            kind = ErrorKind.AUTH
        elif code in THROTTLE_CODES:
            kind = ErrorKind.THROTTLED
        elif status >= 500:
            kind = ErrorKind.SERVER
        else:
            kind = ErrorKind.REFUSED
        return ServiceError(kind, code, message, status)
    if isinstance(exc, (TokenRetrievalError, SSOError)):  # SSOTokenLoadError, UnauthorizedSSOTokenError
        return ServiceError(ErrorKind.EXPIRED, message=str(exc))
    if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
        return ServiceError(ErrorKind.NO_CREDENTIALS, message=str(exc))
    if isinstance(exc, (ProfileNotFound, NoRegionError)):
        return ServiceError(ErrorKind.CONFIG, message=str(exc))
    if isinstance(exc, (EndpointConnectionError, ConnectionClosedError, ReadTimeoutError, ConnectTimeoutError,
                        BotoConnectionError)):
        return ServiceError(ErrorKind.UNREACHABLE, message=str(exc))
    if isinstance(exc, BotoCoreError):
        return ServiceError(ErrorKind.BOTOCORE, message=str(exc))
    return ServiceError(ErrorKind.NOT_A_SERVICE_ERROR, message=str(exc))


def is_not_found(exc: BaseException) -> bool:
    return classify(exc).kind is ErrorKind.NOT_FOUND


def is_already_exists(exc: BaseException) -> bool:
    return classify(exc).kind is ErrorKind.ALREADY_EXISTS


def is_unreachable(exc: BaseException) -> bool:
    """No answer at all (or nothing to sign with): the poller shows "offline" after a few of these."""
    return classify(exc).kind in (ErrorKind.UNREACHABLE, ErrorKind.NO_CREDENTIALS)


class CredentialsExpired(ServiceUnreachable):
    """The credentials stopped working mid-session (SSO token or assumed role expired): exit 3, and
    a running TUI or `status --watch` shows it as a connection state and resumes once they work."""


GENERIC_RENEW_HINT = "refresh your credentials (`aws sso login --profile NAME` for an SSO profile)"


def expired_message(hint: str, *, resumes: bool = False) -> str:
    """One line; `resumes` for a running TUI / --watch, which retries on its own."""
    return f"AWS credentials expired: {hint}" + ("; polling resumes by itself once they work" if resumes else "")


def is_expired_credentials(exc: BaseException) -> bool:
    """Whether a botocore error means "your (temporary) credentials expired or can no longer be
    fetched", as opposed to "wrong credentials" or an outage. A session that had credentials and now
    finds none counts too (NoCredentialsError)."""
    if isinstance(exc, CredentialsExpired):
        return True
    return classify(exc).kind is ErrorKind.EXPIRED or isinstance(exc, NoCredentialsError)


def translate(exc: BaseException, doing: str = "", *, hint: str | None = None) -> JstuiError:
    """The jstui error a botocore exception means: exit 3 when the service is unreachable, keeps failing,
    cannot be signed for or the credentials expired (`hint`: how to renew them); exit 4 when it refused;
    exit 2 for a local configuration problem."""
    if isinstance(exc, JstuiError):
        return exc
    where = f" ({doing})" if doing else ""
    # A missing-credentials error is "expired" only mid-session (the caller knows and passes a hint);
    # at start it means "none configured", below.
    if is_expired_credentials(exc) and (hint is not None or not isinstance(exc, NoCredentialsError)):
        return CredentialsExpired(expired_message(hint or GENERIC_RENEW_HINT) + where)
    err = classify(exc)
    kind = err.kind
    if kind is ErrorKind.NO_CREDENTIALS:
        return ServiceUnreachable(f"no usable AWS credentials{where}: {err.message}")
    if kind is ErrorKind.CONFIG:
        if isinstance(exc, NoRegionError):
            return UsageError("no AWS region: set [study] region, --region or AWS_DEFAULT_REGION")
        return UsageError(err.message)
    if kind is ErrorKind.UNREACHABLE:
        return ServiceUnreachable(f"service unreachable{where}: {err.message}")
    if kind in (ErrorKind.THROTTLED, ErrorKind.SERVER):
        return ServiceUnreachable(f"the service keeps failing{where}: {err}")
    if kind is ErrorKind.BOTOCORE:
        return ServiceUnreachable(f"service error{where}: {err.message}")
    if kind is ErrorKind.NOT_A_SERVICE_ERROR:
        return JstuiError(f"{type(exc).__name__}: {exc}")
    return ServiceRefused(f"the service refused{where}: {err}")
