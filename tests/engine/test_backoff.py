"""Poll errors back off and surface as a connection state: ok / retrying in N s / offline."""

from __future__ import annotations

from botocore.exceptions import ClientError, EndpointConnectionError

from jstui.engine.poller import MAX_BACKOFF_S, OFFLINE_AFTER, Poller


def _poller() -> Poller:
    return Poller(clients=None, journal=None, study=None)  # backoff needs none of them


def test_connection_failures_back_off_then_go_offline_and_recover():
    p = _poller()
    delays, states = [], []
    for _ in range(8):
        p.record_failure(EndpointConnectionError(endpoint_url="http://127.0.0.1:1"))
        delays.append(p.connection.retry_in_s)
        states.append(p.connection.state)
        assert not p.due()
    assert delays == sorted(delays) and delays[0] < delays[3] and max(delays) <= MAX_BACKOFF_S
    assert states[: OFFLINE_AFTER - 1] == ["retrying"] * (OFFLINE_AFTER - 1)
    assert states[OFFLINE_AFTER - 1 :] == ["offline"] * (8 - OFFLINE_AFTER + 1)
    p.record_success()
    assert p.connection.state == "ok" and p.due() and p.backoff_s() == 0


def test_throttling_is_retrying_never_offline():
    p = _poller()
    err = ClientError({"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, "ListHyperParameterTuningJobs")
    for _ in range(5):
        p.record_failure(err)
    assert p.connection.state == "retrying" and "ThrottlingException: Rate exceeded" in p.connection.message
