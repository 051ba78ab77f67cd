"""Helpers shared by the sample-study tests: the shipped studies as plain TOML (the study loader is
tested elsewhere; these tests check the sample content itself)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from jstui.domain.algorithms import catalog_id_for
from jstui.sample_studies import ROOT

STUDY_FILES = sorted(ROOT.glob("*.toml"))
SNAPSHOT = ROOT / "jumpstart"


def load(path: Path) -> dict:
    with path.open("rb") as fh:
        return tomllib.load(fh)


def catalog_paths(study_path: Path) -> list[Path]:
    catalogs = load(study_path).get("emulator", {}).get("catalog", [])
    if isinstance(catalogs, str):
        catalogs = [catalogs]
    return [study_path.parent / c for c in catalogs]


def catalog_ids(study: dict) -> list[str]:
    """The id each candidate is known by in the emulator catalog (docs/emulator.md: built-ins by
    algorithm and selecting hyperparameters)."""
    out = []
    for m in study["models"]:
        out.append(m["id"] if "id" in m else catalog_id_for(m["algorithm"], m.get("hyperparameters", {})))
    return out


def jumpstart_models() -> list[tuple[str, str, str]]:
    """(study file name, model id, instance type) of every JumpStart candidate shipped."""
    out = []
    for path in STUDY_FILES:
        study = load(path)
        default_type = study.get("resources", {}).get("instance_type", "ml.p3.2xlarge")
        for m in study["models"]:
            if "id" in m:
                out.append((path.name, m["id"], m.get("resources", {}).get("instance_type", default_type)))
    return out
