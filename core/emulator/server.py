"""The emulator over HTTP on 127.0.0.1: SageMaker and CloudWatch Logs as JSON 1.1 (`POST /`,
`X-Amz-Target`), sagemaker-runtime InvokeEndpoint (`POST /endpoints/{name}/invocations`), and
`/_emulator/clock`, `/_emulator/stats`, `POST /_emulator/stats/reset`.

A stdlib ThreadingHTTPServer is enough: requests are small and the work is SQLite reads."""

from __future__ import annotations

import json
import logging
import re
import socket
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

from jstui.domain.errors import UsageError
from jstui.emulator.api_runtime import invoke_endpoint
from jstui.emulator.errors import ServiceError
from jstui.emulator.faults import FaultSettings
from jstui.emulator.service import Emulator

log = logging.getLogger("jstui.emulator")

JSON_11 = "application/x-amz-json-1.1"
MAX_BODY = 6 * 1024 * 1024  # InvokeEndpoint's payload limit; far above any control-plane request
_INVOKE = re.compile(r"^/endpoints/(?P<name>[^/]+)/invocations/?$")
_REGION = re.compile(r"Credential=[^/]+/\d{8}/(?P<region>[a-z0-9-]+)/")


DRAIN_LIMIT = 64 * 1024 * 1024


def _drain(stream, n: int) -> None:
    while n > 0:
        chunk = stream.read(min(n, 1 << 20))
        if not chunk:
            return
        n -= len(chunk)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "jstui-emulator"
    emulator: Emulator  # set on the subclass made per server

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def date_time_string(self, timestamp=None):  # the Date header carries simulated time
        return self.emulator.clock.http_date()

    def log_message(self, fmt, *args):  # route access logs to logging, not stderr
        log.debug("%s " + fmt, self.address_string(), *args)

    # --- plumbing ---
    def _send(self, status: int, body: bytes, content_type: str = JSON_11, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        # headers and body in one write: two small writes meet delayed ACKs (~40 ms a call)
        self._headers_buffer.append(b"\r\n" + body)  # type: ignore[attr-defined]  # http.server's own buffer, absent from typeshed
        self.flush_headers()

    def _send_json(self, status: int, obj: dict) -> None:
        self._send(status, json.dumps(obj).encode())

    def _send_error(self, exc: ServiceError, content_type: str = JSON_11) -> None:
        body = json.dumps({"__type": exc.code, "message": exc.message}).encode()
        self._send(exc.status, body, content_type, {"x-amzn-ErrorType": exc.code})

    def _read_body(self) -> bytes | None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            _drain(self.rfile, min(max(length, 0), DRAIN_LIMIT))  # so the client reads our answer
            self._send_error(ServiceError(
                "ValidationException", f"Request body of {length} bytes exceeds the limit of {MAX_BODY} bytes", 413))
            return None
        return self.rfile.read(length) if length else b""

    def _region(self) -> str:
        m = _REGION.search(self.headers.get("Authorization") or "")
        return m.group("region") if m else "us-east-1"

    # --- verbs ---
    def do_GET(self):  # noqa: N802
        path = self.path.split("?", 1)[0]
        if path == "/_emulator/clock":
            self._send_json(200, {"now": self.emulator.now(), "speed": self.emulator.speed})
        elif path == "/_emulator/stats":
            self._send_json(200, self.emulator.stats.as_dict())
        else:
            self._send_error(ServiceError("UnknownOperationException", f"GET {path} is not supported", 404))

    def do_POST(self):  # noqa: N802
        body = self._read_body()
        if body is None:
            return
        path = self.path.split("?", 1)[0]
        try:
            if path == "/_emulator/stats/reset":
                self.emulator.stats.reset()
                self._send_json(200, self.emulator.stats.as_dict())
                return
            m = _INVOKE.match(path)
            if m:
                self._invoke(unquote(m.group("name")), body)
                return
            self._json_call(body)
        except ServiceError as exc:
            self._send_error(exc)
        except Exception as exc:  # a bug in the emulator: answer 500, keep serving
            log.exception("emulator internal error")
            self._send_error(ServiceError("InternalFailure", f"emulator internal error: {type(exc).__name__}: {exc}", 500))

    def _json_call(self, body: bytes) -> None:
        target = self.headers.get("X-Amz-Target")
        if not target:
            raise ServiceError("UnknownOperationException", "Missing X-Amz-Target header")
        try:
            params = json.loads(body.decode("utf-8") or "{}") if body.strip() else {}
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ServiceError("SerializationException", f"Request body is not valid JSON: {exc}") from None
        if not isinstance(params, dict):
            raise ServiceError("SerializationException", "Request body must be a JSON object")
        self._send_json(200, self.emulator.call(target, params, self._region()))

    def _invoke(self, endpoint: str, body: bytes) -> None:
        params = {
            "EndpointName": endpoint,
            "Body": body,
            "ContentType": self.headers.get("Content-Type"),
            "Accept": self.headers.get("Accept"),
        }
        try:
            content_type, payload, variant = invoke_endpoint(self.emulator, params, self._region())
        except ServiceError as exc:
            self._send_error(exc, "application/json")
            return
        self._send(200, payload, content_type, {"x-Amzn-Invoked-Production-Variant": variant})


class EmulatorServer:
    """An Emulator behind an HTTP server on its own thread."""

    def __init__(self, emulator: Emulator, host: str = "127.0.0.1", port: int = 0):
        self.emulator = emulator
        handler = type("BoundHandler", (_Handler,), {"emulator": emulator})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> EmulatorServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="jstui-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)
        self.emulator.close()


def serve(
    host: str = "127.0.0.1",
    port: int = 8181,
    state: Path | None = None,
    catalogs: list[Path] | None = None,
    speed: float | None = None,
    seed: int = 7,
    noise: float = 0.01,
    faults: FaultSettings | None = None,
    ready=None,
) -> int:
    """Run the emulator in the foreground until Ctrl-C (exit 0). Prints its URL on stderr."""
    if catalogs is None:
        from jstui.sample_studies import CATALOGS

        catalogs = sorted(Path(CATALOGS).glob("*.csv"))
    if state is None:
        raise UsageError("emulator: no --state file given")
    emulator = Emulator(state, catalogs, speed=speed, seed=seed, noise=noise, faults=faults)
    try:
        server = EmulatorServer(emulator, host, port)
    except OSError as exc:
        emulator.close()
        raise UsageError(f"emulator: cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    try:  # from here on Ctrl-C is the normal way out, even before serving starts
        print(
            f"jstui emulator on {server.url} (speed {emulator.speed:g}, state {state}, "
            f"{len(emulator.catalog.model_ids())} catalog models); Ctrl-C stops it",
            file=sys.stderr,
            flush=True,
        )
        if ready is not None:
            ready(server)
        server.httpd.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()
        emulator.close()
    return 0
