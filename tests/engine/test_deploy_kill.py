"""kill -9 at any point of a deploy, then deploy again: exactly one endpoint, model and endpoint config
(issue 16, finding 4). Each kill point is reached by a condition, not a timer: the emulator (in this
process) holds the deploy's request for one operation, before or after doing it, while the journal
shows the step the test expects; then the `jstui deploy` subprocess is killed. Deleting the endpoint
afterwards removes its model and config too; leftovers of jstui's own are listed and cleaned up."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading

import pytest

from jstui.cli.main import main
from jstui.emulator import service as emu_service
from jstui.emulator.embedded import start_embedded
from jstui.sample_studies import ROOT as SAMPLES

from tests.engine.conftest import FAST_SPEED, sagemaker_client, write_study

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """An emulator in this process and a one-candidate study run to the end on it."""
    root = tmp_path_factory.mktemp("deploy-kill")
    emu = start_embedded(root / "emulator.sqlite", [SAMPLES / "catalogs" / "caltech256.csv"], speed=FAST_SPEED, seed=7)
    study = write_study(root, name="dk", models=1, skip=15)
    home = root / "home"
    assert main(["--home", str(home), "--endpoint-url", emu.url, "launch", str(study), "--yes", "--wait"]) == 0
    yield emu, study, home
    emu.stop()


def _hosting(url):
    sm = sagemaker_client(url)
    return ({e["EndpointName"] for e in sm.list_endpoints(MaxResults=100)["Endpoints"]},
            {m["ModelName"] for m in sm.list_models(MaxResults=100)["Models"]},
            {c["EndpointConfigName"] for c in sm.list_endpoint_configs(MaxResults=100)["EndpointConfigs"]})


def _journal_states(home) -> list[str]:
    con = sqlite3.connect(f"file:{home / 'journal.sqlite'}?mode=ro", uri=True, timeout=10)
    try:
        return [r[0] for r in con.execute("SELECT state FROM endpoints ORDER BY created_at")]
    finally:
        con.close()


class Gate:
    """Holds the first call of `op` (before or after the emulator does it) until released."""

    def __init__(self, monkeypatch, op: str, when: str):
        self.reached, self.release = threading.Event(), threading.Event()
        real = emu_service.SAGEMAKER_OPS[op]

        def held(emu, params, region):
            if when == "before" and not self.reached.is_set():
                self.reached.set()
                self.release.wait(60)
            out = real(emu, params, region)
            if when == "after" and not self.reached.is_set():
                self.reached.set()
                self.release.wait(60)
            return out

        monkeypatch.setitem(emu_service.SAGEMAKER_OPS, op, held)


# (operation held, before/after the service did it, what the journal says at the kill, what exists after
# it: a request the emulator already received is carried out, as on the service)
POINTS = [
    ("ListEndpoints", "before", None, (0, 0, 0)),  # still planning: nothing journaled, nothing created
    ("CreateModel", "after", "planned", (0, 1, 0)),  # created, the answer never arrived
    ("CreateEndpointConfig", "after", "model", (0, 1, 1)),
    ("CreateEndpoint", "after", "config", (1, 1, 1)),
    ("DescribeEndpoint", "before", "endpoint", (1, 1, 1)),  # waiting for InService
]


@pytest.mark.parametrize("op,when,journaled,existing", POINTS, ids=[f"{p[0]}-{p[1]}" for p in POINTS])
def test_kill_9_during_a_deploy_then_deploy_again_leaves_one_endpoint(world, monkeypatch, op, when, journaled,
                                                                      existing):
    emu, study, home = world
    cmd = [sys.executable, "-m", "jstui", "--home", str(home), "--endpoint-url", emu.url, "deploy", str(study)]
    from jstui.engine.session import load

    cand = load(study).candidates[0].name
    gate = Gate(monkeypatch, op, when)
    proc = subprocess.Popen(cmd + [cand, "--yes"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert gate.reached.wait(120), proc.communicate(timeout=5)
        assert _journal_states(home) == ([journaled] if journaled else [])
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        gate.release.set()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    endpoints_, models, configs = _hosting(emu.url)
    assert (len(endpoints_), len(models), len(configs)) == existing
    monkeypatch.undo()  # the emulator answers normally again

    # deploying again (twice: the second finds it InService) resumes or takes it up: never a second one
    for _ in range(2):
        assert main(["--home", str(home), "--endpoint-url", emu.url, "deploy", str(study), cand, "--yes"]) == 0
        endpoints_, models, configs = _hosting(emu.url)
        assert len(endpoints_) == 1 and models == endpoints_ and configs == endpoints_
    [name] = endpoints_
    sm = sagemaker_client(emu.url)
    assert sm.describe_endpoint(EndpointName=name)["EndpointStatus"] == "InService"

    # deleting it removes its model and config too
    assert main(["--home", str(home), "--endpoint-url", emu.url, "endpoints", str(study), "--delete", name, "--yes"]) == 0
    emu.advance(600)  # an endpoint is Deleting for a while of simulated time: move the clock past it, don't race it
    assert _hosting(emu.url) == (set(), set(), set())
    assert _journal_states(home) == []


def test_leftovers_are_listed_and_deleted(world, capsys):
    """An endpoint deleted outside jstui leaves its model and config: `jstui endpoints` names them, and
    `--delete NAME --yes` removes them; someone else's model is never offered."""
    emu, study, home = world
    from jstui.engine.session import load

    cand = load(study).candidates[0].name
    g = ["--home", str(home), "--endpoint-url", emu.url]
    assert main(g + ["deploy", str(study), cand, "--yes", "--name", "outside"]) == 0
    sm = sagemaker_client(emu.url)
    sm.delete_endpoint(EndpointName="outside")  # by hand, not through jstui
    desc = sm.describe_model(ModelName="outside")
    sm.create_model(ModelName="not-ours", ExecutionRoleArn=desc["ExecutionRoleArn"],
                    PrimaryContainer={"Image": desc["PrimaryContainer"]["Image"]})
    capsys.readouterr()
    emu.advance(600)  # DeleteEndpoint takes a little simulated time: move the clock past it
    assert "outside" not in _hosting(emu.url)[0]
    assert main(g + ["endpoints", str(study)]) == 0
    err = capsys.readouterr().err
    assert "leftover: model and endpoint config outside" in err and "not-ours" not in err
    assert main(g + ["endpoints", str(study), "--delete", "not-ours", "--yes"]) == 2
    capsys.readouterr()
    assert main(g + ["endpoints", str(study), "--delete", "outside", "--yes"]) == 0
    assert "deleted the leftover model and endpoint config outside" in capsys.readouterr().err
    assert _hosting(emu.url) == (set(), {"not-ours"}, set())
    sm.delete_model(ModelName="not-ours")
