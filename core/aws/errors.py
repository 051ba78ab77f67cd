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
    AUTH = "auth"  # credentials the service rejected (unknown key, bad signature, expired token)
    THROTTLED = "throttled"  # rate limited
    SERVER = "server"  # HTTP 5xx
    REFUSED = "refused"  # any other error the service answered
    UNREACHABLE = "unreachable"  # no answer: connection refused, timed out, closed
    NO_CREDENTIALS = "no credentials"  # nothing to sign with
    CONFIG = "config"  # a local configuration problem: unknown profile, no region
    BOTOCORE = "botocore"  # another botocore failure before an answer
    NOT_A_SERVICE_ERROR = "not a service error"


NOT_FOUND_CODES = frozenset({"ResourceNotFound", "ResourceNotFoundException", "NoSuchKey", "NotFound", "404"})
VALIDATION_CODES = frozenset({"ValidationException", "ValidationError"})
ALREADY_EXISTS_CODES = frozenset({"ResourceInUse"})
QUOTA_CODES = frozenset({"ResourceLimitExceeded"})
DENIED_CODES = frozenset({"UnauthorizedOperation", "403", "Forbidden"})
AUTH_CODES = frozenset({
    "UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException", "ExpiredToken",
    "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidClientTokenId",
})
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


def translate(exc: BaseException, doing: str = "") -> JstuiError:
    """The jstui error a botocore exception means: exit 3 when the service is unreachable, keeps failing
    or cannot be signed for; exit 4 when it refused; exit 2 for a local configuration problem."""
    if isinstance(exc, JstuiError):
        return exc
    where = f" ({doing})" if doing else ""
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
