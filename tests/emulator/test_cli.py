"""`jstui emulator` as a process, driven by boto3 and by the AWS CLI; Ctrl-C exits 0."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from jstui.emulator.server import LISTENING_LINE

from tests.emulator.helpers import client, tuning_request

AWS = Path(sys.executable).with_name("aws")


def _start(tmp_path, *extra):
    env = {**os.environ, "JSTUI_HOME": str(tmp_path / "home")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "jstui", "emulator", "--port", "0", "--state", str(tmp_path / "st.sqlite"), *extra],
        stderr=subprocess.PIPE, text=True, env=env,
    )
    line = proc.stderr.readline().rstrip("\n")
    m = LISTENING_LINE.match(line)  # the documented first line: "jstui emulator: listening on URL"
    if not m:
        proc.kill()
        raise AssertionError(f"no URL line in {line!r} {proc.stderr.read()}")
    return proc, m.group("url")


def _aws(url: str, *args) -> dict:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_PAGER": ""}
    out = subprocess.run([str(AWS), "--endpoint-url", url, "--output", "json", *args],
                         capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.skipif(not AWS.exists(), reason="the AWS CLI is part of the test extra")
def test_standalone_emulator_with_boto3_and_aws_cli(tmp_path, catalog):
    proc, url = _start(tmp_path, "--speed", "20000", "--catalog", str(catalog), "--noise", "0")
    try:
        sm = client("sagemaker", url)
        sm.create_hyper_parameter_tuning_job(**tuning_request("cli-mnv2"))
        # drive the clock a day ahead (docs/emulator-control.md) instead of polling the wall clock
        req = urllib.request.Request(url + "/_emulator/clock", data=b'{"advance": 86400}', method="POST")
        urllib.request.urlopen(req, timeout=30).close()
        d = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="cli-mnv2")
        assert d["HyperParameterTuningJobStatus"] == "Completed", d["HyperParameterTuningJobStatus"]
        best = d["BestTrainingJob"]["TrainingJobName"]
        metrics = {m["MetricName"]: m["Value"] for m in sm.describe_training_job(TrainingJobName=best)["FinalMetricDataList"]}
        assert metrics["test_accuracy"] == pytest.approx(0.808) and metrics["test_throughput"] == pytest.approx(33.5)

        listed = _aws(url, "sagemaker", "list-hyper-parameter-tuning-jobs")
        assert [s["HyperParameterTuningJobName"] for s in listed["HyperParameterTuningJobSummaries"]] == ["cli-mnv2"]
        described = _aws(url, "sagemaker", "describe-training-job", "--training-job-name", best)
        assert described["TrainingJobStatus"] == "Completed"
        streams = _aws(url, "logs", "describe-log-streams", "--log-group-name", "/aws/sagemaker/TrainingJobs",
                       "--log-stream-name-prefix", best)["logStreams"]
        events = _aws(url, "logs", "get-log-events", "--log-group-name", "/aws/sagemaker/TrainingJobs",
                      "--log-stream-name", streams[0]["logStreamName"], "--start-from-head")["events"]
        assert any(e["message"].startswith("- Test accuracy: 0.8080") for e in events)
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
        rest = proc.stderr.read()
    assert "Traceback" not in rest


def test_other_speed_on_state_is_one_line_exit_2(tmp_path, catalog):
    proc, _ = _start(tmp_path, "--speed", "500", "--catalog", str(catalog))
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=10) == 0
    out = subprocess.run(
        [sys.executable, "-m", "jstui", "emulator", "--port", "0", "--state", str(tmp_path / "st.sqlite"),
         "--speed", "300", "--catalog", str(catalog)],
        capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 2
    lines = [ln for ln in out.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "speed 500" in lines[0] and "Traceback" not in out.stderr


def test_bad_flag_values_are_usage_errors(tmp_path):
    out = subprocess.run([sys.executable, "-m", "jstui", "emulator", "--fail-rate", "2"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "--fail-rate" in out.stderr and "Traceback" not in out.stderr
    out = subprocess.run([sys.executable, "-m", "jstui", "emulator", "--catalog", str(tmp_path / "none.csv"),
                          "--state", str(tmp_path / "s.sqlite")], capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "none.csv" in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_port_in_use_is_one_line_exit_2(tmp_path, catalog):
    proc, url = _start(tmp_path, "--catalog", str(catalog))
    try:
        port = url.rsplit(":", 1)[1]
        out = subprocess.run(
            [sys.executable, "-m", "jstui", "emulator", "--port", port, "--state", str(tmp_path / "other.sqlite"),
             "--catalog", str(catalog)], capture_output=True, text=True, timeout=60)
        assert out.returncode == 2
        assert len(out.stderr.strip().splitlines()) == 1 and port in out.stderr and "Traceback" not in out.stderr
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
