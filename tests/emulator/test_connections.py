"""The emulator as a network service (issue 16, finding 3): loopback unless told otherwise, a bounded number
of handler threads, idle connections timed out, a real listen backlog, Transfer-Encoding refused with 411
(never misparsed as the next request), deeply nested JSON answered 400 SerializationException.
Everything here talks to 127.0.0.1 only, in bounded loops."""

from __future__ import annotations

import json
import socket
import threading

import pytest

from jstui.domain.errors import UsageError
from jstui.emulator import server as server_mod
from jstui.emulator.server import EmulatorServer, is_loopback, serve
from jstui.emulator.service import Emulator

from tests.emulator.test_validation import _post


def _raw(url: str, data: bytes, read_until_close: bool = True, timeout: float = 10.0) -> bytes:
    host, port = url.rsplit("/", 1)[-1].split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as s:
        s.sendall(data)
        out = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return out
            out += chunk
            if not read_until_close:
                return out


def test_loopback_detection():
    assert is_loopback("127.0.0.1") and is_loopback("127.3.4.5") and is_loopback("::1")
    assert is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("::") and not is_loopback("10.1.2.3")


def test_non_loopback_host_is_refused_without_allow_remote(tmp_path, catalog):
    with pytest.raises(UsageError, match="--allow-remote"):
        serve("0.0.0.0", 0, tmp_path / "s.sqlite", [catalog])
    assert not (tmp_path / "s.sqlite").exists()  # refused before anything was opened


def test_allow_remote_warns_loudly(tmp_path, catalog, capsys):
    seen = []

    def ready(srv):  # stop at once: we only want the banner and the bound address
        seen.append(srv.httpd.server_address[0])
        raise KeyboardInterrupt

    assert serve("0.0.0.0", 0, tmp_path / "s.sqlite", [catalog], ready=ready, allow_remote=True) == 0
    err = capsys.readouterr().err
    assert "WITHOUT AUTHENTICATION" in err and seen == ["0.0.0.0"]


def test_chunked_body_is_refused_with_411_and_not_parsed_as_the_next_request(emu):
    body = b'{"HyperParameterTuningJobName": "x"}'
    smuggled = (b"POST /_emulator/stats/reset HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
    chunk = hex(len(body))[2:].encode() + b"\r\n" + body + b"\r\n0\r\n\r\n"
    req = (b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: SageMaker.DescribeHyperParameterTuningJob\r\n"
           b"Content-Type: application/x-amz-json-1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk + smuggled)
    answer = _raw(emu.url, req)
    assert answer.startswith(b"HTTP/1.1 411 ")
    assert answer.count(b"HTTP/1.1 ") == 1  # the connection was closed: nothing after it was read as a request
    head, _, payload = answer.partition(b"\r\n\r\n")
    assert b"Connection: close" in head
    assert json.loads(payload)["__type"] == "LengthRequiredException"


def test_deeply_nested_json_is_a_serialization_error_not_a_500(emu):
    for body in (b"[" * 200_000, b'{"a":' * 100_000 + b"1" + b"}" * 100_000):
        status, headers, answer = _post(emu.url, body, "SageMaker.ListHyperParameterTuningJobs")
        assert status == 400, (status, answer)
        assert answer["__type"] == "SerializationException"
    status, _, _ = _post(emu.url, b"{}", "SageMaker.ListHyperParameterTuningJobs")
    assert status == 200  # and it keeps serving


def test_listen_backlog_is_real(emu):
    assert server_mod.LISTEN_BACKLOG >= 1024
    assert emu._server.httpd.request_queue_size == server_mod.LISTEN_BACKLOG


@pytest.fixture
def small_server(tmp_path, catalog, clock, monkeypatch):
    """A server with 4 handler slots and 0.3 s timeouts, so the bounds are reached quickly."""
    monkeypatch.setattr(server_mod._BoundedServer, "max_connections", 4)
    monkeypatch.setattr(server_mod._Handler, "timeout", 0.3)
    monkeypatch.setattr(server_mod._Handler, "idle_timeout", 0.3)
    srv = EmulatorServer(Emulator(tmp_path / "state.sqlite", [catalog], speed=300, clock=clock)).start()
    yield srv
    srv.stop()


def test_a_silent_connection_is_closed_by_the_server(small_server):
    host, port = small_server.httpd.server_address[:2]
    with socket.create_connection((host, port), timeout=10) as s:
        assert s.recv(1024) == b""  # nothing sent at all: closed after the idle timeout
    with socket.create_connection((host, port), timeout=10) as s:
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")  # a request that never finishes
        assert s.recv(1024) == b""  # the server closes it (our own 10 s socket timeout would raise instead)


def test_idle_connections_hold_at_most_max_connections_threads(small_server):
    host, port = small_server.httpd.server_address[:2]
    before = threading.active_count()
    idle = [socket.create_connection((host, port), timeout=10) for _ in range(40)]
    peak = [0]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], threading.active_count())
            stop.wait(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        # one real call still gets through: the idle ones time out and free their slots
        status, _, answer = _post(small_server.url, b"{}", "SageMaker.ListHyperParameterTuningJobs")
        assert status == 200 and "HyperParameterTuningJobSummaries" in answer
    finally:
        stop.set()
        sampler.join()
        for s in idle:
            s.close()
    assert peak[0] - before - 1 <= 4  # the sampler itself is one thread


def test_cli_refuses_a_public_host_with_exit_2(tmp_path, capsys):
    from jstui.cli.main import main

    code = main(["--home", str(tmp_path / "home"), "emulator", "--host", "0.0.0.0", "--port", "0",
                 "--state", str(tmp_path / "s.sqlite")])
    err = capsys.readouterr().err
    assert code == 2 and "--allow-remote" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
