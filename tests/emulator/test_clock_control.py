"""The emulator's clock driven from outside its process (docs/emulator-control.md): a standalone
`jstui emulator --port 0` names the port it bound on its first stderr line; `POST /_emulator/clock`
pauses, advances and resumes simulated time; the clock survives a restart on the same state.
At speed 1 nothing here would finish by itself: every change of state is the test's own doing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from jstui.emulator.server import LISTENING_LINE

from tests.emulator.helpers import client, tuning_request


def _start(tmp_path, catalog, port: str = "0"):
    env = {**os.environ, "JSTUI_HOME": str(tmp_path / "home")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "jstui", "emulator", "--port", port, "--state", str(tmp_path / "st.sqlite"),
         "--speed", "1", "--noise", "0", "--catalog", str(catalog)],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env,
    )
    first = proc.stderr.readline().rstrip("\n")
    m = LISTENING_LINE.match(first)
    if not m:
        proc.kill()
        raise AssertionError(f"first line is not the documented URL line: {first!r} {proc.stderr.read()}")
    return proc, m.group("url")


def _stop(proc) -> None:
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) == 0
    assert "Traceback" not in proc.stderr.read()


def _clock(url: str, body: dict | None = None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url + "/_emulator/clock", data=data, method="GET" if body is None else "POST")
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)


def _status(sm, name: str) -> str:
    return sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)["HyperParameterTuningJobStatus"]


def test_pause_advance_resume_from_outside_and_across_a_restart(tmp_path, catalog):
    proc, url = _start(tmp_path, catalog)
    try:
        assert url.startswith("http://127.0.0.1:") and not url.endswith(":0")
        paused = _clock(url, {"paused": True})
        assert paused["paused"] is True and paused["speed"] == 1
        assert _clock(url)["now"] == paused["now"]  # time stands still
        sm = client("sagemaker", url)
        sm.create_hyper_parameter_tuning_job(**tuning_request("ctl-mnv2"))
        assert _status(sm, "ctl-mnv2") == "InProgress"
        moved = _clock(url, {"advance": 30 * 24 * 3600})  # a month: far past both training jobs
        assert moved["now"] == paused["now"] + 30 * 24 * 3600 and moved["paused"] is True
        assert _status(sm, "ctl-mnv2") == "Completed"
    finally:
        _stop(proc)
    port = url.rsplit(":", 1)[1]
    proc, url2 = _start(tmp_path, catalog, port)  # the same state: the clock is where it was left
    try:
        assert url2 == url
        again = _clock(url2)
        assert again == moved
        assert _status(client("sagemaker", url2), "ctl-mnv2") == "Completed"
        running = _clock(url2, {"paused": False})
        assert running["paused"] is False and running["now"] >= moved["now"]
    finally:
        _stop(proc)


@pytest.mark.parametrize("body, code", [
    ({"advance": -1}, "ValidationException"),
    ({"advance": "10"}, "ValidationException"),
    ({"paused": "yes"}, "ValidationException"),
    ({"rewind": 5}, "ValidationException"),
    ([1, 2], "SerializationException"),
])
def test_bad_clock_requests_are_refused(paused_emulator, body, code):
    url, stands_at = paused_emulator
    with pytest.raises(urllib.error.HTTPError) as err:
        _clock(url, body)
    assert err.value.code == 400
    assert json.load(err.value)["__type"] == code
    assert _clock(url)["now"] == stands_at  # a refused request never moves time


@pytest.fixture
def paused_emulator(tmp_path, catalog):
    from jstui.emulator.embedded import start_embedded

    with start_embedded(tmp_path / "s.sqlite", [catalog], speed=1, noise=0.0) as e:
        yield e.url, e.pause()["now"]


def test_an_injected_clock_is_not_driven_over_http(emu):
    with pytest.raises(urllib.error.HTTPError) as err:
        _clock(emu.url, {"advance": 1})
    assert err.value.code == 409
