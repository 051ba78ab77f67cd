"""The emulator over HTTP on 127.0.0.1: SageMaker and CloudWatch Logs as JSON 1.1 (`POST /`,
`X-Amz-Target`), sagemaker-runtime InvokeEndpoint (`POST /endpoints/{name}/invocations`), and the
control API of docs/emulator-control.md: `GET|POST /_emulator/clock` (read, pause, resume, advance the
simulated clock), `GET /_emulator/stats`, `POST /_emulator/stats/reset`.

`serve` prints, as its first line on stderr, `jstui emulator: listening on http://HOST:PORT` (the port
it bound, also when asked for port 0): scripts read that line instead of probing for a free port.

A stdlib ThreadingHTTPServer is enough: requests are small and the work is SQLite reads. It is hardened
for a port anyone on the machine can reach (it has no authentication): loopback by default (`check_host`),
at most MAX_CONNECTIONS connections served at once (more wait in a LISTEN_BACKLOG-deep accept queue, so a
burst is delayed, not refused), a connection that sends no request line for IDLE_TIMEOUT_S is closed
and a request under way times out after CONNECTION_TIMEOUT_S per socket operation (a half-open or idle
connection gives its thread back), `Transfer-Encoding` bodies are refused with 411 and
the connection closed (botocore always sends Content-Length), and JSON nested too deeply to parse is a
400 SerializationException like any malformed body."""

from __future__ import annotations

import ipaddress
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
LISTENING = "jstui emulator: listening on "  # + URL: the first line `serve` prints (docs/emulator-control.md)
LISTENING_LINE = re.compile(r"^jstui emulator: listening on (?P<url>http://\S+)$")


DRAIN_LIMIT = 64 * 1024 * 1024
# Connection handling (measured by bench/soak.py, docs/reliability.md).
MAX_CONNECTIONS = 512  # handler threads at most; further connections wait in the accept queue
LISTEN_BACKLOG = 1024  # listen(2) backlog; Linux caps it at net.core.somaxconn (4096 since 5.4)
IDLE_TIMEOUT_S = 2.0  # waiting for a request's first line (a new or kept-alive connection)
CONNECTION_TIMEOUT_S = 10.0  # per socket operation once a request has begun


def is_loopback(host: str) -> bool:
    """True when every address `host` names is a loopback address (127.0.0.0/8, ::1)."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(str(i[4][0]).split("%", 1)[0]).is_loopback for i in infos)


def _drain(stream, n: int) -> None:
    while n > 0:
        chunk = stream.read(min(n, 1 << 20))
        if not chunk:
            return
        n -= len(chunk)


def _no_constant(token: str):
    """`NaN`, `Infinity` and `-Infinity` are not JSON (RFC 8259, section 6: "Numeric values that cannot
    be represented in the grammar below (such as Infinity and NaN) are not permitted"); Python's json
    reads them, the service's parser does not: a malformed body, 400 SerializationException."""
    raise json.JSONDecodeError(f"{token} is not a JSON value", token, 0)


def _clock_request(body: bytes) -> dict:
    """`{"paused": true|false, "advance": seconds}` (both optional) of POST /_emulator/clock."""
    try:
        req = json.loads(body.decode("utf-8")) if body.strip() else {}
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ServiceError("SerializationException", f"Request body is not valid JSON: {exc}") from None
    if not isinstance(req, dict):
        raise ServiceError("SerializationException", "Request body must be a JSON object")
    unknown = sorted(set(req) - {"paused", "advance"})
    if unknown:
        raise ServiceError("ValidationException", f"unknown clock control field(s) {unknown}; use paused, advance")
    out: dict = {}
    if "paused" in req:
        if not isinstance(req["paused"], bool):
            raise ServiceError("ValidationException", "paused must be true or false")
        out["paused"] = req["paused"]
    if "advance" in req:
        adv = req["advance"]
        if isinstance(adv, bool) or not isinstance(adv, (int, float)):
            raise ServiceError("ValidationException", "advance must be a number of simulated seconds")
        out["advance"] = float(adv)
    return out


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "jstui-emulator"
    timeout = CONNECTION_TIMEOUT_S  # StreamRequestHandler.setup() puts it on the socket
    idle_timeout = IDLE_TIMEOUT_S

    def handle_one_request(self):
        # a connection that sends nothing gives its slot back quickly; a request under way gets longer
        self.connection.settimeout(self.idle_timeout)
        super().handle_one_request()

    def parse_request(self):  # called once the request line is in
        self.connection.settimeout(self.timeout)
        return super().parse_request()
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

    def _send_error(self, exc: ServiceError, content_type: str = JSON_11, headers: dict | None = None) -> None:
        body = json.dumps({"__type": exc.code, "message": exc.message}).encode()
        self._send(exc.status, body, content_type, {"x-amzn-ErrorType": exc.code, **(headers or {})})

    def _read_body(self) -> bytes | None:
        if self.headers.get("Transfer-Encoding"):
            # A chunked body we do not read would be parsed as the next request; refuse it and close.
            # botocore sends Content-Length for every SageMaker/Logs/runtime call, so no client needs it.
            self.close_connection = True
            self._send_error(ServiceError(
                "LengthRequiredException", "Transfer-Encoding bodies are not accepted; send Content-Length", 411),
                headers={"Connection": "close"})
            return None
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:  # not a number, or negative: nothing to drain, the stream cannot be trusted
            self.close_connection = True
            self._send_error(ServiceError("SerializationException", "Content-Length is not a non-negative integer", 400))
            return None
        if length > MAX_BODY:
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
            self.emulator.sync_clock()
            self._send_json(200, self.emulator.clock_view())
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
            if path == "/_emulator/clock":
                self._send_json(200, self.emulator.control_clock(**_clock_request(body)))
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
            params = json.loads(body.decode("utf-8") or "{}", parse_constant=_no_constant) if body.strip() else {}
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ServiceError("SerializationException", f"Request body is not valid JSON: {exc}") from None
        except RecursionError:
            # A malformed body is a 400 SerializationException in AWS's JSON protocols (Smithy's protocol
            # tests, smithy-aws-protocol-tests "MalformedRequestBody": "When the request body is not valid
            # JSON, the response should be a 400 SerializationException").
            raise ServiceError("SerializationException", "Request body is nested too deeply to parse") from None
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


class _BoundedServer(ThreadingHTTPServer):
    """ThreadingHTTPServer with a real listen backlog and at most MAX_CONNECTIONS handler threads: the
    accept loop waits for a free slot, so further connections queue in the kernel instead of each
    taking a thread (2,000 idle connections no longer hold 2,000 threads)."""

    request_queue_size = LISTEN_BACKLOG
    daemon_threads = True
    max_connections = MAX_CONNECTIONS

    def __init__(self, *args, **kwargs):
        self._slots = threading.BoundedSemaphore(self.max_connections)
        self._closing = False
        super().__init__(*args, **kwargs)

    def process_request(self, request, client_address):
        while not self._slots.acquire(timeout=0.2):
            if self._closing:
                self.shutdown_request(request)
                return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def server_close(self):
        self._closing = True
        super().server_close()

    def handle_error(self, request, client_address):
        """A client that went away (reset, timed out) is routine here: log it, print no traceback."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            log.debug("connection from %s ended: %s", client_address, exc)
            return
        log.exception("emulator connection error from %s", client_address)


class EmulatorServer:
    """An Emulator behind an HTTP server on its own thread."""

    def __init__(self, emulator: Emulator, host: str = "127.0.0.1", port: int = 0):
        self.emulator = emulator
        handler = type("BoundHandler", (_Handler,), {"emulator": emulator})
        self.httpd = _BoundedServer((host, port), handler)
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
    allow_remote: bool = False,
) -> int:
    """Run the emulator in the foreground until Ctrl-C (exit 0). Its first line on stderr is
    `jstui emulator: listening on URL` (LISTENING), the port it bound; then one line of settings.

    A non-loopback `host` (e.g. 0.0.0.0) is refused unless `allow_remote`: the emulator has no
    authentication, so anyone who can reach the port could create, stop and delete in its state."""
    if not is_loopback(host) and not allow_remote:
        raise UsageError(
            f"emulator: --host {host} is not a loopback address; the emulator has no authentication, so "
            "anyone who can reach it could use it. Add --allow-remote to listen there anyway")
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
        print(f"{LISTENING}{server.url}", file=sys.stderr, flush=True)
        if not is_loopback(host):  # after the URL line, which stays the first (docs/emulator-control.md)
            print(f"WARNING: jstui emulator listening on {host}, reachable beyond this machine and WITHOUT "
                  "AUTHENTICATION: anyone who can reach the port can create, stop and delete in its state",
                  file=sys.stderr, flush=True)
        print(
            f"jstui emulator: speed {emulator.speed:g}, state {state}, "
            f"{len(emulator.catalog.model_ids())} catalog models; Ctrl-C stops it",
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
