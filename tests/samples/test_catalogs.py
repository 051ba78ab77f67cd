"""The sample studies' emulator catalogs: loadable, every figure sourced, every candidate covered,
and the published figures exactly as the seeds print them (parsed from the seed files here)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jstui.domain.catalog import Catalog, read_catalog_file
from jstui.sample_studies import CATALOGS, DEFAULT_STUDY

from tests.samples.studies import STUDY_FILES, catalog_ids, catalog_paths, load

# The seeds live beside the repository (`../shared/seeds/`), not inside it.
SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
SEED_SOURCE = re.compile(r"^seed \d{3} \(.+\)$")


def seed_text(number: str) -> str:
    files = sorted(SEEDS.glob(f"{number}_*"))
    if not files:
        pytest.fail(f"seed {number} not found under {SEEDS}")
    return files[0].read_text(encoding="utf-8")


def test_default_study_is_shipped():
    assert DEFAULT_STUDY.is_file()


@pytest.mark.parametrize("csv_path", sorted(CATALOGS.glob("*.csv")), ids=lambda p: p.name)
def test_catalog_loads_and_every_figure_has_a_source(csv_path):
    figures = read_catalog_file(csv_path)
    assert figures
    for f in figures:
        assert f.source == "synthetic" or SEED_SOURCE.match(f.source), f
    catalog = Catalog.load([csv_path])
    for f in figures:  # ratios must resolve to a number through their base
        if f.relative_to:
            assert catalog.has_model(f.relative_to), f
            assert catalog.value(f.model_id, f.metric, f.condition) is not None, f


@pytest.mark.parametrize("study_path", STUDY_FILES, ids=lambda p: p.name)
def test_every_candidate_of_a_study_has_catalog_figures(study_path):
    study = load(study_path)
    paths = catalog_paths(study_path)
    assert paths, f"{study_path.name} names no catalog"
    catalog = Catalog.load(paths)
    missing = [cid for cid in catalog_ids(study) if not catalog.has_model(cid)]
    assert not missing, f"{study_path.name}: no catalog figures for {missing}"


def _seed_000_table() -> list[tuple[str, float, float, float, float, float]]:
    rows = []
    for line in seed_text("000").splitlines():
        cells = [c.strip() for c in line.split("|") if c.strip()]
        if len(cells) == 6 and cells[1].endswith("M") and cells[2].endswith("%"):
            name, params, acc, top5, thr, epoch = cells
            rows.append((name, float(params[:-1]) * 1e6, float(acc[:-1]) / 100, float(top5[:-1]) / 100,
                         float(thr), float(epoch)))
    return rows


def test_seed_000_table_is_in_the_caltech_catalog():
    table = _seed_000_table()
    assert len(table) == 21
    study = load(CATALOGS.parent / "caltech256.toml")
    catalog = Catalog.load(catalog_paths(CATALOGS.parent / "caltech256.toml"))
    by_name = {m["name"]: m["id"] for m in study["models"]}
    assert sorted(by_name) == sorted(r[0] for r in table), "candidates are the post's 21 models"
    for name, params, acc, top5, thr, epoch in table:
        model_id = by_name[name]
        assert name in model_id  # the post's short name inside the real id
        expected = {"num_params": params, "test_accuracy": acc, "test_top_5_accuracy": top5,
                    "test_throughput": thr, "train_epoch_duration": epoch}
        for metric, value in expected.items():
            assert catalog.value(model_id, metric, "tuned") == pytest.approx(value, rel=1e-9), (name, metric)
            assert catalog.source(model_id, metric, "tuned").startswith("seed 000")


@pytest.mark.parametrize("csv_path", sorted(CATALOGS.glob("*.csv")), ids=lambda p: p.name)
def test_catalog_rows_have_exactly_the_six_columns(csv_path):
    import csv

    with csv_path.open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.reader(line for line in fh if not line.lstrip().startswith("#"))]
    assert rows[0] == ["model_id", "metric", "value", "condition", "relative_to", "source"]
    bad = [r for r in rows[1:] if len(r) != 6]
    assert not bad, f"rows with a stray comma: {bad}"


def test_seed_004_relative_figures_are_ratios_to_the_base():
    study_path = CATALOGS.parent / "plant-leaf-15.toml"
    study = load(study_path)
    base = study["frontier"]["base"]
    assert base == "tensorflow-ic-imagenet-inception-v3-classification-4"
    catalog = Catalog.load(catalog_paths(study_path))
    # The post's two tables: "<model>-FT <relative accuracy> <relative time>".
    published: dict[str, dict[str, float]] = {}
    table = None
    for line in seed_text("004").splitlines():
        if line.startswith("Model Name Relative Accuracy Relative"):
            table = "train" if "Training" in line else "inference"
            continue
        m = re.match(r"^(\S+)-FT ([\d.]+) ([\d.]+)$", line.strip())
        if table and m:
            published.setdefault(m.group(1), {})["accuracy"] = float(m.group(2))
            published[m.group(1)][table] = float(m.group(3))
    assert len(published) == 3 and all(len(v) == 3 for v in published.values())
    metric_of = {"accuracy": "test_accuracy", "train": "train_duration", "inference": "test_latency_per_sample"}
    for model_id, figures in published.items():
        for what, value in figures.items():
            f = catalog.raw(model_id, metric_of[what], "tuned")
            assert f is not None and f.relative_to == base and f.value == value, (model_id, what)
            assert f.source.startswith("seed 004")
        assert catalog.raw(model_id, "train_epoch_duration", "tuned").value == figures["train"]
    # every other figure in that catalog is synthetic, the base's absolute ones included
    for f in read_catalog_file(catalog_paths(study_path)[0]):
        if f.model_id not in published:
            assert f.source == "synthetic", f
    assert all(not catalog.raw(base, m).relative_to for m in catalog.metrics_of(base))


def test_seed_002_type1_map_and_no_map_for_type2():
    study_path = CATALOGS.parent / "neu-det.toml"
    catalog = Catalog.load(catalog_paths(study_path))
    text = seed_text("002")
    m = re.search(r"from ([\d.]+) to ([\d.]+) .{0,60}? and ([\d.]+) to ([\d.]+) with", text)
    assert m, "seed 002's mAP sentence not found"
    type1_default, type1_tuned = float(m.group(1)), float(m.group(3))
    assert (type1_default, type1_tuned) == (0.067, 0.226)
    type1 = "object-detection:base_network=resnet-50"
    assert catalog.raw(type1, "validation:mAP", "default").value == type1_default
    assert catalog.raw(type1, "validation:mAP", "tuned").value == type1_tuned
    type2 = "mxnet-od-ssd-512-vgg16-atrous-voc"
    # Type 2 logs no mAP: its endpoint-measured figure may shape the emulator's losses (test_mAP),
    # but nothing a training log prints, and never the frontier's validation:mAP.
    assert "validation:mAP" not in catalog.metrics_of(type2)
    assert catalog.value(type2, "test_mAP", "default") == float(m.group(2))
    assert catalog.value(type2, "test_mAP", "tuned") == float(m.group(4))
    study = load(study_path)
    assert study["prices"]["ml.p3.2xlarge"] == 3.06
    assert {c["name"] for c in study["models"]} == {"type1", "type1-hpo", "type2", "type2-hpo"}
