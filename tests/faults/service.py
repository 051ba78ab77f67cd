"""What the fault tests share: a standalone `jstui emulator` process that can be killed with SIGKILL
and restarted on the same state and port, and the check that a study's snapshot agrees with the
service's own view (nothing lost, nothing duplicated)."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import boto3
from botocore.config import Config

from jstui.domain.naming import name_prefix, tuning_job_name
from jstui.domain.snapshot import StudySnapshot
from jstui.domain.model import Study
from jstui.sample_studies import ROOT

REPO = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "catalogs" / "caltech256.csv"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def jstui_cmd(*args: str) -> list[str]:
    """`jstui ARGS` as this interpreter runs it (the venv's console script runs the same main)."""
    return [sys.executable, "-m", "jstui", *args]


class EmulatorProcess:
    """`jstui emulator --state S --port P` in its own process: kill() is SIGKILL, as an OOM killer or
    a crashed host would do; start() again reopens the same state on the same port."""

    def __init__(self, directory: Path, speed: float, port: int | None = None):
        self.state = directory / "standalone.sqlite"
        self.home = directory / "emulator-home"
        self.stderr = directory / "emulator.stderr"
        self.speed = speed
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout_s: float = 20.0) -> EmulatorProcess:
        cmd = jstui_cmd("--home", str(self.home), "emulator", "--state", str(self.state), "--port", str(self.port),
                        "--speed", f"{self.speed:g}", "--noise", "0", "--catalog", str(CATALOG))
        with open(self.stderr, "a", encoding="utf-8") as err:
            self.proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=err)
        deadline = time.monotonic() + timeout_s
        while not self.answers():
            assert self.proc.poll() is None, f"the emulator exited {self.proc.returncode}: {self.stderr.read_text()}"
            assert time.monotonic() < deadline, f"the emulator did not answer on {self.url} in {timeout_s} s"
            time.sleep(0.05)
        return self

    def answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/_emulator/clock", timeout=1) as r:
                return r.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        assert not self.answers()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)  # Ctrl-C: its normal way out
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


def sagemaker(url: str):
    return boto3.client(
        "sagemaker", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x",
        config=Config(retries={"mode": "standard", "total_max_attempts": 10}),
    )


def stats(url: str) -> dict:
    with urllib.request.urlopen(url + "/_emulator/stats", timeout=10) as r:
        return json.load(r)


def service_view(url: str, study: Study) -> dict[str, dict]:
    """The service's truth about the study's tuning jobs: {name: {"status", "training": {name:
    (status, failure_reason)}}}, every page read; duplicate names fail here."""
    sm = sagemaker(url)
    names: list[str] = []
    for page in sm.get_paginator("list_hyper_parameter_tuning_jobs").paginate(NameContains=name_prefix(study.name)):
        names += [s["HyperParameterTuningJobName"] for s in page["HyperParameterTuningJobSummaries"]]
    assert max(Counter(names).values(), default=0) <= 1, f"tuning jobs listed twice: {names}"
    view = {}
    for name in names:
        d = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
        training = {}
        for page in sm.get_paginator("list_training_jobs_for_hyper_parameter_tuning_job").paginate(
            HyperParameterTuningJobName=name
        ):
            for s in page["TrainingJobSummaries"]:
                assert s["TrainingJobName"] not in training, f"{s['TrainingJobName']} listed twice"
                training[s["TrainingJobName"]] = (s["TrainingJobStatus"], s.get("FailureReason"))
        view[name] = {"status": d["HyperParameterTuningJobStatus"], "training": training}
    return view


def assert_nothing_lost(snap: StudySnapshot, url: str, study: Study) -> dict[str, dict]:
    """Exactly one tuning job per candidate on the service (generation 1: nothing relaunched), and the
    snapshot holds exactly the service's tuning and training jobs, once each, in the service's
    final statuses, with results for every completed training job. Returns the service's view."""
    view = service_view(url, study)
    expected = {tuning_job_name(study.name, c.name, 1): c.name for c in study.candidates}
    assert sorted(view) == sorted(expected), "the service holds other tuning jobs than one per candidate"
    rows = {r.candidate: r for r in snap.tuning_jobs}
    assert len(rows) == len(snap.tuning_jobs) == len(study.candidates), [r.candidate for r in snap.tuning_jobs]
    for name, cand in expected.items():
        row = rows[cand]
        assert row.tuning_job_name == name and row.status == view[name]["status"], (cand, row.status, view[name])
    in_snapshot = Counter(t.training_job_name for t in snap.training_jobs)
    assert max(in_snapshot.values(), default=0) == 1, f"training jobs shown twice: {in_snapshot.most_common(3)}"
    on_service = {t: (tuning, v) for tuning, job in view.items() for t, v in job["training"].items()}
    assert set(in_snapshot) == set(on_service), "the snapshot's training jobs differ from the service's"
    for t in snap.training_jobs:
        tuning, (status, reason) = on_service[t.training_job_name]
        assert (t.tuning_job_name, t.status, t.failure_reason) == (tuning, status, reason), t.training_job_name
        if status == "Completed":
            assert t.objective is not None and t.metrics and t.billable_seconds, t.training_job_name
    for name, job in view.items():
        row = rows[expected[name]]
        counted = row.jobs_completed + row.jobs_failed + row.jobs_stopped + row.jobs_in_progress
        assert counted == len(job["training"]), (name, counted, len(job["training"]))
    return view
