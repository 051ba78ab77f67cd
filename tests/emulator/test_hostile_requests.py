"""Re-check of issue 16's hostile requests (done-when 7): requests a raw client can send that the first
fix still answered wrongly. A string where the model has a timestamp answered 500 InternalFailure (the
list filters compared it with a number); a negative or non-numeric Content-Length was told it "exceeds
the limit". Both are now 400s, and the emulator keeps serving."""

from __future__ import annotations

import json

import pytest

from tests.emulator.test_connections import _raw
from tests.emulator.test_validation import _post


@pytest.mark.parametrize("target", ["SageMaker.ListTrainingJobs", "SageMaker.ListHyperParameterTuningJobs",
                                    "SageMaker.ListEndpoints", "SageMaker.ListModels"])
@pytest.mark.parametrize("value", ["x", "2026-01-01T00:00:00Z", True, [1]])
def test_a_timestamp_that_is_not_a_number_is_a_validation_error(emu, target, value):
    body = json.dumps({"CreationTimeAfter": value}).encode()
    status, _, answer = _post(emu.url, body, target)
    assert status == 400, (status, answer)
    assert answer["__type"] == "ValidationException"
    assert "at 'creationTimeAfter' failed to satisfy constraint: Member must be a timestamp" in answer["message"]
    status, _, answer = _post(emu.url, json.dumps({"CreationTimeAfter": 0}).encode(), target)
    assert status == 200  # epoch seconds, as botocore sends them, still filter


@pytest.mark.parametrize("length", [b"-5", b"abc"])
def test_a_content_length_that_is_not_a_size_is_refused_and_the_connection_closed(emu, length):
    req = (b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: SageMaker.ListEndpoints\r\n"
           b"Content-Type: application/x-amz-json-1.1\r\nContent-Length: " + length + b"\r\n\r\n{}")
    answer = _raw(emu.url, req)
    assert answer.startswith(b"HTTP/1.1 400 ") and answer.count(b"HTTP/1.1 ") == 1
    payload = json.loads(answer.partition(b"\r\n\r\n")[2])
    assert payload["__type"] == "SerializationException" and "Content-Length" in payload["message"]
    status, _, _ = _post(emu.url, b"{}", "SageMaker.ListEndpoints")
    assert status == 200


@pytest.mark.parametrize("token", [b"NaN", b"Infinity", b"-Infinity"])
def test_nan_and_infinity_are_not_json(emu, token):
    # RFC 8259 leaves them out of JSON; Python's json reads them, the service's parser does not
    body = b'{"MaxResults": ' + token + b"}"
    status, _, answer = _post(emu.url, body, "SageMaker.ListEndpoints")
    assert status == 400, (status, answer)
    assert answer["__type"] == "SerializationException"
