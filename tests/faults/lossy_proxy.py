"""An HTTP proxy in front of the emulator that loses answers: the emulator does the work, the client
gets HTTP 500. The emulator's own `error_rate` answers 500 *before* acting; the dangerous case for
duplicates is this one (a Create that happened although its caller saw a failure and retries)."""

from __future__ import annotations

import http.client
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

RELAYED_HEADERS = ("Content-Type", "Date", "x-amzn-RequestId", "x-amzn-ErrorType")


class LossyProxy:
    """Forwards `POST /` to `upstream`; the first successful answer to each `operation` call per
    distinct value of `key` (e.g. each tuning job name) is replaced by HTTP 500 InternalFailure."""

    def __init__(self, upstream: str, operation: str, key: str):
        self.upstream = urlsplit(upstream)
        self.target = f"SageMaker.{operation}"
        self.key = key
        self.lost: list[str] = []  # the keys whose answer was lost, in order
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                proxy._relay(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def _relay(self, h: BaseHTTPRequestHandler) -> None:
        body = h.rfile.read(int(h.headers.get("Content-Length", 0)))
        conn = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=30)
        try:
            conn.request("POST", h.path, body, {k: v for k, v in h.headers.items() if k.lower() != "host"})
            resp = conn.getresponse()
            status, headers, payload = resp.status, resp.headers, resp.read()
        finally:
            conn.close()
        if status == 200 and h.headers.get("X-Amz-Target") == self.target:
            value = json.loads(body).get(self.key)
            with self._lock:
                lose = value not in self.lost
                if lose:
                    self.lost.append(value)
            if lose:
                status, payload = 500, json.dumps({"__type": "InternalFailure", "message": "lost on the way"}).encode()
                headers = {"Content-Type": "application/x-amz-json-1.1", "Date": headers.get("Date", "")}
        # send_response_only: no Server/Date of our own (the poller reads the emulator's simulated Date)
        h.send_response_only(status)
        for name in RELAYED_HEADERS:
            if headers.get(name):
                h.send_header(name, headers.get(name))
        h.send_header("Content-Length", str(len(payload)))
        h.end_headers()
        h.wfile.write(payload)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
