"""The sample study files themselves: contract keys, names, and an emulator speed that lets each run
to the end within the wall time the issues promise (estimated from the catalogs' durations)."""

from __future__ import annotations

import heapq
import math
import re

import pytest

from jstui.domain.catalog import Catalog
from jstui.aws.jumpstart import lookup

from tests.samples.studies import SNAPSHOT, STUDY_FILES, catalog_ids, catalog_paths, load

# The study-file contract's top-level tables (docs/study-file.md).
CONTRACT_TABLES = {"study", "data", "resources", "tuning", "metrics", "budget", "frontier", "prices", "emulator",
                   "models"}
WALL_SECONDS = 45  # a full run must fit in 60 s (issue 2) / 90 s (issue 9); leave room for overheads


@pytest.mark.parametrize("path", STUDY_FILES, ids=lambda p: p.name)
def test_study_file_shape(path):
    study = load(path)
    assert set(study) <= CONTRACT_TABLES
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]{0,19}", study["study"]["name"])
    assert study["study"]["backend"] == "emulator"
    names = [m.get("name") or m.get("id") for m in study["models"]]
    assert len(names) == len(set(names)), "candidate names must be unique"
    for m in study["models"]:
        assert ("id" in m) != ("algorithm" in m), m
    base = study.get("frontier", {}).get("base")
    if base:
        assert base in names
    emulator = study["emulator"]
    if any("id" in m for m in study["models"]):
        assert (path.parent / emulator["jumpstart_metadata"]).resolve() == SNAPSHOT.resolve()


def _candidate_settings(study: dict, cand: dict) -> tuple[dict, dict]:
    tuning = dict(study.get("tuning", {}))
    tuning.update(cand.get("tuning", {}))
    hps = dict(study.get("tuning", {}).get("static", {}))
    hps.update(cand.get("tuning", {}).get("static", {}))
    hps.update(cand.get("hyperparameters", {}))
    return tuning, hps


def _waves(tuning: dict) -> int:
    """Rounds of training jobs a tuning job runs (Grid: every combination of its categorical values)."""
    if tuning.get("strategy") == "Grid":
        jobs = math.prod(len(r.get("values") or r.get("relative_to_default")) for r in tuning["ranges"].values())
    else:
        jobs = tuning.get("max_jobs", 2)
    return math.ceil(jobs / tuning.get("max_parallel_jobs", 2))


def _critical_path(study_path) -> float:
    """Simulated seconds until the last tuning job ends: each candidate takes its waves x epochs x
    catalog epoch duration; candidates start in file order as study slots free."""
    study = load(study_path)
    catalog = Catalog.load(catalog_paths(study_path))
    region = study["study"].get("region", "us-east-1")
    durations = []
    for cand, cid in zip(study["models"], catalog_ids(study)):
        tuning, hps = _candidate_settings(study, cand)
        if "epochs" not in hps:  # the JumpStart default
            hps["epochs"] = lookup(cand["id"], region=region, offline_dir=SNAPSHOT,
                                   instance_type="ml.p3.2xlarge").default_hyperparameters["epochs"]
        epoch = catalog.value(cid, "train_epoch_duration", "tuned")
        assert epoch, f"{study_path.name}: {cid} has no train_epoch_duration"
        durations.append(_waves(tuning) * int(hps["epochs"]) * epoch)
    slots = [0.0] * study["tuning"].get("max_parallel_tuning_jobs", 8)
    heapq.heapify(slots)
    end = 0.0
    for d in durations:
        start = heapq.heappop(slots)
        heapq.heappush(slots, start + d)
        end = max(end, start + d)
    return end


@pytest.mark.parametrize("path", STUDY_FILES, ids=lambda p: p.name)
def test_emulator_speed_fits_a_full_run_in_the_promised_wall_time(path):
    speed = load(path)["emulator"]["speed"]
    critical = _critical_path(path)
    assert critical > 0
    assert critical / speed <= WALL_SECONDS, f"{path.name}: {critical:.0f} s simulated at speed {speed}"


def test_caltech_recipe_is_the_notebooks():
    study = load(STUDY_FILES[0].parent / "caltech256.toml")
    t = study["tuning"]
    assert (study["resources"]["instance_type"], t["max_jobs"], t["max_parallel_jobs"],
            t["max_parallel_tuning_jobs"]) == ("ml.p3.2xlarge", 2, 2, 8)
    assert (t["objective"], t["direction"]) == ("val_accuracy", "Maximize")
    assert t["ranges"]["learning_rate"] == {"type": "categorical", "relative_to_default": [1.0, 0.2]}
    assert t["static"] == {"epochs": 5, "early_stopping": "True", "early_stopping_patience": 3}
    assert study["metrics"]["preset"] == "jumpstart-ic"
    f = study["frontier"]
    assert (f["x"], f["y"], f["x_direction"], f["y_direction"]) == ("test_throughput", "test_accuracy", "max", "max")
    assert len(study["models"]) == 21
