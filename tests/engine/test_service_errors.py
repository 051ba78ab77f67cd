"""One classifier for service errors (jstui.aws.errors): both forms SageMaker uses for "not found" and
"already exists" mean the same, and every kind maps to its documented exit code."""

from __future__ import annotations

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    ProfileNotFound,
    ReadTimeoutError,
)
from jstui.aws.errors import ErrorKind, classify, is_already_exists, is_not_found, is_unreachable, translate
from jstui.domain.errors import JstuiError, ServiceRefused, ServiceUnreachable, UsageError
from jstui.domain.exitcodes import ExitCode


def client_error(code: str, message: str = "", status: int = 400, op: str = "DescribeEndpoint") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message},
                        "ResponseMetadata": {"HTTPStatusCode": status}}, op)


# What the service answers (docs/emulator.md, "Errors as the real service gives them").
@pytest.mark.parametrize("exc", [
    client_error("ResourceNotFound", "Amazon SageMaker can't find a tuning job with name x"),
    client_error("ValidationException", "Requested resource not found."),
    client_error("ValidationException", "Could not find endpoint \"x\"."),
    client_error("ValidationException", "Could not find model \"x\"."),
    client_error("ValidationError", "Endpoint x of account 1 not found."),
    client_error("ValidationException", "Model x does not exist."),
])
def test_both_forms_of_not_found_are_not_found(exc):
    assert classify(exc).kind is ErrorKind.NOT_FOUND
    assert is_not_found(exc)
    assert not is_already_exists(exc)


@pytest.mark.parametrize("exc", [
    client_error("ResourceInUse", "Tuning job x already exists", op="CreateHyperParameterTuningJob"),
    client_error("ValidationException", "Cannot create already existing endpoint \"x\".", op="CreateEndpoint"),
])
def test_both_forms_of_a_taken_name_are_already_exists(exc):
    assert classify(exc).kind is ErrorKind.ALREADY_EXISTS
    assert not is_not_found(exc)


@pytest.mark.parametrize("exc, kind, error, code", [
    (client_error("ValidationException", "1 validation error detected: Value 'x' at 'name'"),
     ErrorKind.INVALID, ServiceRefused, ExitCode.REFUSED),
    (client_error("ResourceLimitExceeded", "The account-level service limit"), ErrorKind.QUOTA, ServiceRefused,
     ExitCode.REFUSED),
    (client_error("AccessDeniedException", "not authorized", 403), ErrorKind.DENIED, ServiceRefused, ExitCode.REFUSED),
    (client_error("UnrecognizedClientException", "The security token is invalid"), ErrorKind.AUTH, ServiceRefused,
     ExitCode.REFUSED),
    (client_error("ThrottlingException", "Rate exceeded"), ErrorKind.THROTTLED, ServiceUnreachable,
     ExitCode.UNREACHABLE),
    (client_error("InternalFailure", "", 500), ErrorKind.SERVER, ServiceUnreachable, ExitCode.UNREACHABLE),
    (client_error("SomethingNew", "no idea"), ErrorKind.REFUSED, ServiceRefused, ExitCode.REFUSED),
    (EndpointConnectionError(endpoint_url="http://127.0.0.1:1"), ErrorKind.UNREACHABLE, ServiceUnreachable,
     ExitCode.UNREACHABLE),
    (ReadTimeoutError(endpoint_url="http://x"), ErrorKind.UNREACHABLE, ServiceUnreachable, ExitCode.UNREACHABLE),
    (ConnectTimeoutError(endpoint_url="http://x"), ErrorKind.UNREACHABLE, ServiceUnreachable, ExitCode.UNREACHABLE),
    (NoCredentialsError(), ErrorKind.NO_CREDENTIALS, ServiceUnreachable, ExitCode.UNREACHABLE),
    (NoRegionError(), ErrorKind.CONFIG, UsageError, ExitCode.USAGE),
    (ProfileNotFound(profile="nope"), ErrorKind.CONFIG, UsageError, ExitCode.USAGE),
])
def test_each_kind_translates_to_its_exit_code(exc, kind, error, code):
    assert classify(exc).kind is kind
    translated = translate(exc, "doing something")
    assert type(translated) is error
    assert translated.exit_code == code
    assert "\n" not in str(translated)


def test_not_found_is_not_unreachable_and_a_dead_endpoint_is():
    assert not is_unreachable(client_error("ResourceNotFound", "x"))
    assert is_unreachable(EndpointConnectionError(endpoint_url="http://127.0.0.1:1"))
    assert is_unreachable(NoCredentialsError())


def test_a_jstui_error_passes_through_and_a_bug_stays_a_bug():
    err = UsageError("already ours")
    assert translate(err) is err
    bug = translate(KeyError("x"))
    assert type(bug) is JstuiError and classify(KeyError("x")).kind is ErrorKind.NOT_A_SERVICE_ERROR
