"""Integration fixtures: small copies of the shipped Caltech-256 study (real JumpStart ids, the
shipped catalog and offline metadata) and an embedded emulator the test controls."""

from __future__ import annotations

import re
from pathlib import Path

import boto3
import pytest

from jstui.sample_studies import DEFAULT_STUDY, ROOT

FAST_SPEED = 4000.0  # simulated seconds per wall second: the slowest shipped model ends in ~3 s


def write_study(
    directory: Path,
    *,
    name: str = "t1",
    models: int = 4,
    speed: float = FAST_SPEED,
    parallel_tuning_jobs: int | None = None,
    budget: str | None = None,
    skip: int = 0,
) -> Path:
    """A copy of the shipped study with `models` candidates (from the `skip`-th), another name and
    speed, and absolute paths to the shipped catalog and JumpStart snapshot."""
    text = DEFAULT_STUDY.read_text(encoding="utf-8")
    head, *blocks = text.split("[[models]]")
    head = head.replace('name = "caltech256"', f'name = "{name}"', 1)
    head = re.sub(r"(?m)^speed = .*$", f"speed = {speed}", head)
    head = head.replace('"catalogs/caltech256.csv"', f'"{ROOT / "catalogs" / "caltech256.csv"}"')
    head = head.replace('jumpstart_metadata = "jumpstart"', f'jumpstart_metadata = "{ROOT / "jumpstart"}"')
    if parallel_tuning_jobs is not None:
        head = re.sub(r"(?m)^max_parallel_tuning_jobs = .*$", f"max_parallel_tuning_jobs = {parallel_tuning_jobs}", head)
    if budget is not None:
        head = re.sub(r"(?ms)^\[budget\].*?(?=^\[)", budget + "\n\n", head)
    path = directory / f"{name}.toml"
    path.write_text(head + "".join("[[models]]" + b for b in blocks[skip : skip + models]), encoding="utf-8")
    return path


@pytest.fixture
def emulator(tmp_path):
    from jstui.emulator.embedded import start_embedded

    emu = start_embedded(tmp_path / "emulator.sqlite", [ROOT / "catalogs" / "caltech256.csv"], speed=FAST_SPEED, seed=7)
    yield emu
    emu.stop()


def sagemaker_client(url: str):
    return boto3.client(
        "sagemaker", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )


def tuning_job_names(url: str, contains: str = "") -> list[str]:
    sm = sagemaker_client(url)
    names, token = [], None
    while True:
        kw = {"MaxResults": 100, **({"NameContains": contains} if contains else {}), **({"NextToken": token} if token else {})}
        page = sm.list_hyper_parameter_tuning_jobs(**kw)
        names += [s["HyperParameterTuningJobName"] for s in page["HyperParameterTuningJobSummaries"]]
        token = page.get("NextToken")
        if not token:
            return names
