"""What the bench scripts share: generated studies, the emulator's call statistics, the jstui
command, process memory, and the JSON line every script ends with.

The scripts are run as `python bench/<name>.py`; each puts the repository root first on sys.path
(instead of bench/, where `tui.py` would shadow the `tui` package) before importing this."""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import sys
import urllib.request
from datetime import datetime, UTC
from pathlib import Path

import boto3

from jstui.sample_studies import DEFAULT_STUDY, ROOT as SAMPLES

REPO = Path(__file__).resolve().parents[1]


# --- studies --------------------------------------------------------------------------------
def sample_model_ids() -> list[str]:
    """The JumpStart ids of the shipped Caltech-256 study (21 real models with catalog figures)."""
    return re.findall(r'(?m)^id = "([^"]+)"', DEFAULT_STUDY.read_text(encoding="utf-8"))


def write_study(
    directory: Path,
    *,
    name: str,
    candidates: int,
    speed: float = 600,
    max_parallel_tuning_jobs: int | None = None,
    max_jobs: int = 2,
    model_ids: list[str] | None = None,
) -> Path:
    """The shipped Caltech-256 study with `candidates` candidates (`c0000`, `c0001`, ... cycling
    through the sample's models), another name and speed, absolute catalog/metadata paths and no
    [budget] (a bench measures polling and launching; the guard would stop a big study early)."""
    text = DEFAULT_STUDY.read_text(encoding="utf-8")
    head = text.split("[[models]]", 1)[0]
    head = head.replace('name = "caltech256"', f'name = "{name}"', 1)
    head = re.sub(r"(?m)^speed = .*$", f"speed = {speed}", head)
    head = re.sub(r"(?m)^max_jobs = \d+", f"max_jobs = {max_jobs}", head)
    head = re.sub(r"(?m)^max_parallel_jobs = \d+", f"max_parallel_jobs = {max_jobs}", head)
    head = head.replace('"catalogs/caltech256.csv"', json.dumps(str(SAMPLES / "catalogs" / "caltech256.csv")))
    head = head.replace('jumpstart_metadata = "jumpstart"', f"jumpstart_metadata = {json.dumps(str(SAMPLES / 'jumpstart'))}")
    head = re.sub(r"(?ms)^\[budget\].*?(?=^\[)", "", head)
    if max_parallel_tuning_jobs is not None:
        head = re.sub(r"(?m)^max_parallel_tuning_jobs = \d+", f"max_parallel_tuning_jobs = {max_parallel_tuning_jobs}", head)
    ids = model_ids or sample_model_ids()
    blocks = [f'[[models]]\nid = "{ids[i % len(ids)]}"\nname = "c{i:04d}"\n' for i in range(candidates)]
    path = Path(directory) / f"{name}.toml"
    path.write_text(head + "\n".join(blocks), encoding="utf-8")
    return path


# --- the emulator -----------------------------------------------------------------------------
def emulator_stats(url: str) -> dict:
    with urllib.request.urlopen(url + "/_emulator/stats", timeout=30) as r:
        return json.load(r)


def reset_stats(url: str) -> None:
    req = urllib.request.Request(url + "/_emulator/stats/reset", data=b"{}", method="POST")
    urllib.request.urlopen(req, timeout=30).close()


def calls_since_reset(url: str) -> tuple[int, dict[str, int]]:
    calls = emulator_stats(url)["calls"]
    return sum(calls.values()), calls


def sagemaker_client(url: str, *, max_attempts: int = 20):
    from botocore.config import Config

    return boto3.client(
        "sagemaker",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
        config=Config(retries={"mode": "standard", "max_attempts": max_attempts}),
    )


def list_tuning_jobs(sm, contains: str = "") -> list[dict]:
    out, token = [], None
    while True:
        kwargs: dict = {"MaxResults": 100}
        if contains:
            kwargs["NameContains"] = contains
        if token:
            kwargs["NextToken"] = token
        page = sm.list_hyper_parameter_tuning_jobs(**kwargs)
        out += page["HyperParameterTuningJobSummaries"]
        token = page.get("NextToken")
        if not token:
            return out


# --- processes --------------------------------------------------------------------------------
def jstui_command() -> list[str]:
    """`jstui` as the project venv installs it, else the same entry point through this Python."""
    script = Path(sys.executable).with_name("jstui")
    if script.exists():
        return [str(script)]
    found = shutil.which("jstui")
    if found:
        return [found]
    return [sys.executable, "-c", "import sys; from jstui.cli.main import main; sys.exit(main())"]


def clean_env(home: Path) -> dict[str, str]:
    """The environment a bench subprocess runs in: its own JSTUI_HOME, no AWS settings of the user."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["JSTUI_HOME"] = str(home)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def rss_mb(pid: int) -> float | None:
    """Resident memory of a live process (Linux /proc), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


# --- reporting --------------------------------------------------------------------------------
def machine() -> dict:
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "loadavg_1min": round(os.getloadavg()[0], 2),  # other work on the machine skews the figures
    }


def verdict(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


def emit(result: dict) -> None:
    """The last line of every bench script: its figures as one JSON object."""
    print(json.dumps(result, sort_keys=True, default=str), flush=True)
