"""Emulator catalogs (docs/emulator.md): CSV of published figures per model.

Columns: model_id, metric, value, condition, relative_to, source
- condition: `tuned` (best configuration) or `default` (default hyperparameters)
- relative_to: optional; the value is a ratio to that model's figure of the same metric/condition
- source: the seed and table a figure comes from, or `synthetic`
Used by the emulator (response surfaces) and by the plan (expected durations)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from jstui.domain.errors import UsageError

COLUMNS = ("model_id", "metric", "value", "condition", "relative_to", "source")
CONDITIONS = ("tuned", "default")


@dataclass(frozen=True)
class Figure:
    model_id: str
    metric: str
    value: float
    condition: str
    relative_to: str
    source: str


class Catalog:
    def __init__(self, figures: list[Figure] | None = None):
        self._figs: dict[tuple[str, str, str], Figure] = {}
        for f in figures or []:
            self._figs[(f.model_id, f.metric, f.condition)] = f

    @classmethod
    def load(cls, paths: list[Path] | tuple[Path, ...]) -> Catalog:
        figs: list[Figure] = []
        for path in paths:
            figs.extend(read_catalog_file(Path(path)))
        return cls(figs)

    def __len__(self) -> int:
        return len(self._figs)

    def model_ids(self) -> list[str]:
        return sorted({k[0] for k in self._figs})

    def metrics_of(self, model_id: str) -> list[str]:
        return sorted({k[1] for k in self._figs if k[0] == model_id})

    def has_model(self, model_id: str) -> bool:
        return any(k[0] == model_id for k in self._figs)

    def raw(self, model_id: str, metric: str, condition: str = "tuned") -> Figure | None:
        return self._figs.get((model_id, metric, condition))

    def value(self, model_id: str, metric: str, condition: str = "tuned", _depth: int = 0) -> float | None:
        """The absolute figure, ratios resolved through `relative_to` (cycles give None).
        A `default` figure falls back to `tuned` when only that is published, and vice versa."""
        if _depth > 8:
            return None
        f = self._figs.get((model_id, metric, condition))
        if f is None:
            other = "tuned" if condition == "default" else "default"
            f = self._figs.get((model_id, metric, other))
            if f is None:
                return None
        if not f.relative_to:
            return f.value
        base = self.value(f.relative_to, metric, f.condition, _depth + 1)
        return None if base is None else f.value * base

    def source(self, model_id: str, metric: str, condition: str = "tuned") -> str | None:
        f = self._figs.get((model_id, metric, condition))
        return f.source if f else None


def read_catalog_file(path: Path) -> list[Figure]:
    """Read one catalog CSV; a malformed file is a usage error naming file and line."""
    if not path.is_file():
        raise UsageError(f"{path}: catalog not found")
    try:
        return _read_catalog_rows(path)
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: catalog is not UTF-8 text (byte {exc.start}); is it a CSV file?") from None
    except csv.Error as exc:
        raise UsageError(f"{path}: catalog is not a readable CSV file ({exc})") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the catalog ({exc.strerror or exc})") from None


def _read_catalog_rows(path: Path) -> list[Figure]:
    out: list[Figure] = []
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(row for row in fh if not row.lstrip().startswith("#"))
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise UsageError(f"{path}: catalog lacks column(s) {', '.join(missing)}")
        for n, row in enumerate(reader, start=2):
            try:
                value = float(row["value"])
            except (TypeError, ValueError):
                raise UsageError(f"{path}:{n}: value {row['value']!r} is not a number") from None
            cond = (row["condition"] or "tuned").strip()
            if cond not in CONDITIONS:
                raise UsageError(f"{path}:{n}: condition {cond!r} is not one of {', '.join(CONDITIONS)}")
            if not (row["source"] or "").strip():
                raise UsageError(f"{path}:{n}: every figure needs a source (a seed's table, or 'synthetic')")
            out.append(
                Figure(
                    model_id=row["model_id"].strip(),
                    metric=row["metric"].strip(),
                    value=value,
                    condition=cond,
                    relative_to=(row["relative_to"] or "").strip(),
                    source=row["source"].strip(),
                )
            )
    return out
