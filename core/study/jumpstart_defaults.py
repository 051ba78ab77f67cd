"""Default hyperparameters of a JumpStart model read straight from an offline metadata snapshot
(sagemaker-core's layout: `models_manifest.json`, a list of {model_id, version, spec_key}, and the
spec files it points to). The plan needs only a model's default `epochs`; importing sagemaker-core
(~2 s) for that would slow every `jstui launch` plan, so this reads the two JSON files itself."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from .algorithms import BUILTIN_HYPERPARAMETERS


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


def jumpstart_defaults(directory: Path | None, model_id: str, version: str = "*") -> dict[str, str] | None:
    """The model's default hyperparameters (strings), or None if the snapshot does not have it."""
    if directory is None or not Path(directory).is_dir():
        return None
    entries = _manifest(Path(directory)).get(model_id)
    if not entries:
        return None
    chosen = [e for e in entries if version in ("*", "", None) or str(e.get("version")) == version] or entries
    entry = max(chosen, key=lambda e: _version_key(str(e.get("version", "0"))))
    path = _spec_path(Path(directory), str(entry["spec_key"]))
    if path is None:
        return None
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    out: dict[str, str] = {}
    for hp in spec.get("hyperparameters") or []:
        if isinstance(hp, dict) and "name" in hp and "default" in hp:
            out[str(hp["name"])] = str(hp["default"])
    return out


def builtin_defaults(algorithm: str) -> dict[str, str]:
    return {k: s.default for k, s in BUILTIN_HYPERPARAMETERS.get(algorithm, {}).items() if s.default is not None}
