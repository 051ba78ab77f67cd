"""The published figures the tests check against, as data inside the repository.

Each CSV in `tests/samples/published/` starts with `#` lines naming its source (the seed document's file
name, its title and which table or sentence), and every row repeats its source in a `source` column.
The cells are exactly as the documents print them ("195.6M", "96.4%"): the tests parse them here, so a
transcription slip shows up as a mismatch with the shipped catalogs, not as a silently adjusted number."""

from __future__ import annotations

import csv
from pathlib import Path

PUBLISHED = Path(__file__).resolve().parent / "published"


def rows(file_name: str) -> list[dict[str, str]]:
    path = PUBLISHED / file_name
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(line for line in fh if not line.startswith("#"))
        out = list(reader)
    for r in out:
        assert r.get("source", "").startswith("seed "), f"{path.name}: a row without its source: {r}"
    return out


def number(cell: str) -> float:
    """A printed cell as a number in the units the training script logs: 195.6M -> 195600000, 96.4% -> 0.964."""
    if cell.endswith("M"):
        return float(cell[:-1]) * 1e6
    if cell.endswith("%"):
        return float(cell[:-1]) / 100
    return float(cell)


def seed_000_pareto() -> list[dict[str, str]]:
    """Seed 000's table of 21 models (the Caltech-256 sample study's candidates), in the post's order."""
    return rows("seed000_caltech256_pareto.csv")


def seed_004_relative() -> list[dict[str, str]]:
    """Seed 004's two tables of figures relative to its base model (model_id, table, relative_accuracy, relative_time)."""
    return rows("seed004_plant_leaf_relative.csv")


def seed_002_map() -> dict[tuple[str, str], float]:
    """Seed 002's test mAP: (type1|type2, no|yes HPO) -> mAP."""
    return {(r["model_type"], r["hpo"]): float(r["test_map"]) for r in rows("seed002_neu_det_map.csv")}
