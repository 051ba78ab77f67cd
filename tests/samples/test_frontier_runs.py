"""Issue 9 item 4: each sample study, run to the end on the embedded emulator with noise 0 through the
real CLI (`jstui launch --yes --wait`, then `jstui --export json --what frontier --offline`), ends
with the frontier a brute-force Pareto computation over its catalog's figures predicts.

The studies run as copies with a higher emulator speed and no budget, so the four take seconds."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from jstui.domain.catalog import Catalog
from jstui.sample_studies import ROOT

from tests.samples.studies import catalog_ids, catalog_paths, load

SPEED = 10000  # simulated seconds per wall second for the test copies


def fast_copy(name: str, tmp_path: Path) -> Path:
    """The shipped study with noise 0, a high speed, no budget, and absolute paths."""
    text = (ROOT / name).read_text(encoding="utf-8")
    text = re.sub(r"^speed = .*$", f"speed = {SPEED}", text, flags=re.M)
    text = re.sub(r"^noise = .*$", "noise = 0", text, flags=re.M)
    text = re.sub(r"^usd = .*$", "usd = 1000000", text, flags=re.M)
    for key in ("catalog", "jumpstart_metadata"):
        text = re.sub(rf'^{key} = "([^"]+)"', lambda m, key=key: f'{key} = "{(ROOT / m.group(1)).as_posix()}"', text,
                      flags=re.M)
    out = tmp_path / name
    out.write_text(text, encoding="utf-8")
    return out


def jstui(home: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = dict(os.environ, JSTUI_HOME=str(home))
    return subprocess.run([sys.executable, "-m", "jstui", *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


def run_to_frontier(study: Path, home: Path) -> list[dict]:
    launched = jstui(home, "launch", str(study), "--yes", "--wait")
    assert launched.returncode == 0, launched.stderr[-2000:]
    exported = jstui(home, "--export", "json", "--what", "frontier", "--offline", str(study))
    assert exported.returncode == 0, exported.stderr[-2000:]
    return json.loads(exported.stdout)


def brute_force_front(points: dict[str, tuple[float, float]], x_dir: str, y_dir: str) -> set[str]:
    """Names no other point strictly dominates (at least as good on both axes, better on one)."""
    sx, sy = (1 if x_dir == "max" else -1), (1 if y_dir == "max" else -1)

    def dominates(a, b):
        return sx * a[0] >= sx * b[0] and sy * a[1] >= sy * b[1] and (a[0] != b[0] or a[1] != b[1])

    return {n for n, p in points.items() if not any(dominates(q, p) for m, q in points.items() if m != n)}


def _names_and_ids(study: dict) -> list[tuple[str, str]]:
    return [(m.get("name") or m.get("id"), cid) for m, cid in zip(study["models"], catalog_ids(study))]


def test_caltech256_frontier_is_seed_000s_pareto_table(tmp_path):
    path = fast_copy("caltech256.toml", tmp_path)
    study, catalog = load(path), Catalog.load(catalog_paths(ROOT / "caltech256.toml"))
    figures = {name: (catalog.value(cid, "test_throughput"), catalog.value(cid, "test_accuracy"))
               for name, cid in _names_and_ids(study)}
    rows = run_to_frontier(path, tmp_path / "home")
    assert {r["candidate"] for r in rows} == brute_force_front(figures, "max", "max")
    for r in rows:  # noise 0: the published figures themselves
        assert (r["test_throughput"], r["test_accuracy"]) == pytest.approx(figures[r["candidate"]], abs=1e-4)


def test_plant_leaf_frontier_in_relative_mode(tmp_path):
    path = fast_copy("plant-leaf-15.toml", tmp_path)
    study, catalog = load(path), Catalog.load(catalog_paths(ROOT / "plant-leaf-15.toml"))
    figures = {name: (catalog.value(cid, "train_duration"), catalog.value(cid, "test_accuracy"))
               for name, cid in _names_and_ids(study)}
    rows = run_to_frontier(path, tmp_path / "home")
    assert {r["candidate"] for r in rows} == brute_force_front(figures, "min", "max")
    base = study["frontier"]["base"]
    for r in rows:
        rel_acc = catalog.value(r["model_id"], "test_accuracy") / catalog.value(base, "test_accuracy")
        assert r["relative_accuracy"] == pytest.approx(rel_acc, abs=1e-3)
        assert r["relative_training_time"] == pytest.approx(figures[r["candidate"]][0] / figures[base][0], abs=1e-3)


def test_builtin_image_classification_frontier(tmp_path):
    path = fast_copy("builtin-image-classification.toml", tmp_path)
    study, catalog = load(path), Catalog.load(catalog_paths(ROOT / "builtin-image-classification.toml"))
    epochs = study["tuning"]["static"]["epochs"]
    figures = {name: (epochs * catalog.value(cid, "train_epoch_duration"), catalog.value(cid, "validation:accuracy"))
               for name, cid in _names_and_ids(study)}
    rows = run_to_frontier(path, tmp_path / "home")
    assert {r["candidate"] for r in rows} == brute_force_front(figures, "min", "max")


def test_neu_det_reproduces_type_1s_map_gain_and_leaves_type_2_off_the_map_frontier(tmp_path):
    path = fast_copy("neu-det.toml", tmp_path)
    study, catalog = load(path), Catalog.load(catalog_paths(ROOT / "neu-det.toml"))
    type1 = "object-detection:base_network=resnet-50"
    price = study["prices"]["ml.p3.2xlarge"]
    figures = {}
    for name, cid in _names_and_ids(study):
        if catalog.value(cid, "validation:mAP") is None:
            continue  # Type 2: no validation:mAP, so not a point of this frontier
        cand = next(m for m in study["models"] if m["name"] == name)
        jobs = cand["tuning"]["max_jobs"]
        condition = "default" if jobs == 1 else "tuned"
        cost = jobs * catalog.value(cid, "train_duration") * price / 3600
        figures[name] = (cost, catalog.value(cid, "validation:mAP", condition))
    assert set(figures) == {"type1", "type1-hpo"}
    rows = run_to_frontier(path, tmp_path / "home")
    by_name = {r["candidate"]: r for r in rows}
    assert set(by_name) == brute_force_front(figures, "min", "max")
    assert by_name["type1"]["validation:mAP"] == pytest.approx(catalog.value(type1, "validation:mAP", "default"), abs=1e-4)
    # HPO's best job climbs from the default figure towards the published tuned one (never past it):
    # how close 20 Bayesian jobs get is the emulator's search, not the catalog (seed 002 reports 4x).
    default, tuned = catalog.value(type1, "validation:mAP", "default"), catalog.value(type1, "validation:mAP", "tuned")
    # seed 002: HPO took Type 1 from 0.067 to 0.226; the emulated tuner gets within 10% of that
    assert 0.9 * tuned <= by_name["type1-hpo"]["validation:mAP"] <= tuned + 1e-4
    assert by_name["type1-hpo"]["validation:mAP"] >= 3 * default
    assert not math.isclose(by_name["type1-hpo"]["cost_usd"], by_name["type1"]["cost_usd"])
