"""Default hyperparameters of a JumpStart model read straight from an offline metadata snapshot
(sagemaker-core's layout: `models_manifest.json`, a list of {model_id, version, spec_key}, and the
spec files it points to). The plan needs only a model's default `epochs`; importing sagemaker-core
(~2 s) for that would slow every `jstui launch` plan, so this reads the two JSON files itself."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from jstui.domain.algorithms import BUILTIN_HYPERPARAMETERS


def _version_key(v: str) -> tuple:
    return tuple(int(p) if p.isdigit() else 0 for p in str(v).split("."))


@lru_cache(maxsize=8)
def _manifest(directory: Path) -> dict[str, list[dict]]:
    by_id: dict[str, list[dict]] = {}
    for path in sorted(directory.rglob("models_manifest.json"))[:4]:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(doc, list):
            for entry in doc:
                if isinstance(entry, dict) and "model_id" in entry and "spec_key" in entry:
                    by_id.setdefault(str(entry["model_id"]), []).append(entry)
    return by_id


def _spec_path(directory: Path, spec_key: str) -> Path | None:
    for candidate in (directory / spec_key, directory / "specs" / spec_key):
        if candidate.is_file():
            return candidate
    hits = sorted(directory.rglob(Path(spec_key).name))
    return hits[0] if hits else None


@lru_cache(maxsize=256)
def _spec_hyperparameters(directory: Path, model_id: str, version: str) -> tuple[dict, ...] | None:
    entries = _manifest(directory).get(model_id)
    if not entries:
        return None
    chosen = [e for e in entries if version in ("*", "") or str(e.get("version")) == version] or entries
    entry = max(chosen, key=lambda e: _version_key(str(e.get("version", "0"))))
    path = _spec_path(directory, str(entry["spec_key"]))
    if path is None:
        return None
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return tuple(hp for hp in spec.get("hyperparameters") or [] if isinstance(hp, dict) and "name" in hp)


def jumpstart_hyperparameters(directory: Path | None, model_id: str, version: str = "*") -> dict[str, dict] | None:
    """The model's hyperparameter specs by name ({"type", "default", "min", "max", "options"}), or
    None if the snapshot does not have the model."""
    if directory is None or not Path(directory).is_dir():
        return None
    specs = _spec_hyperparameters(Path(directory), model_id, version or "*")
    return None if specs is None else {str(hp["name"]): hp for hp in specs}


def jumpstart_defaults(directory: Path | None, model_id: str, version: str = "*") -> dict[str, str] | None:
    """The model's default hyperparameters (strings), or None if the snapshot does not have it."""
    specs = jumpstart_hyperparameters(directory, model_id, version)
    if specs is None:
        return None
    return {name: str(hp["default"]) for name, hp in specs.items() if "default" in hp}


def spec_value_problem(spec: dict, value: str) -> str | None:
    """Why `value` breaks the JumpStart spec's type, options or bounds (as the SDK validates them)."""
    kind = spec.get("type")
    options = spec.get("options")
    if options and value not in [str(o) for o in options]:
        return f"{value!r} is not one of {', '.join(str(o) for o in options)}"
    if kind in ("int", "float"):
        try:
            num = int(value) if kind == "int" else float(value)
        except ValueError:
            return f"{value!r} is not {'an integer' if kind == 'int' else 'a number'}"
        lo, hi = spec.get("min"), spec.get("max")
        if lo is not None and num < float(lo):
            return f"{value} is below the model's minimum {lo}"
        if hi is not None and num > float(hi):
            return f"{value} is above the model's maximum {hi}"
    return None


def builtin_defaults(algorithm: str) -> dict[str, str]:
    return {k: s.default for k, s in BUILTIN_HYPERPARAMETERS.get(algorithm, {}).items() if s.default is not None}
