"""Checks against the offline JumpStart metadata snapshot: model ids the snapshot does not know,
and hyperparameters outside a model's spec (type, options, bounds; as the SageMaker SDK validates)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from jstui.domain.jumpstart_defaults import jumpstart_hyperparameters, spec_value_problem
from jstui.study.locate import Path as KeyPath
from jstui.study.problems import Problems, suggest

if TYPE_CHECKING:
    from jstui.study.validate import CandidateSite


def _manifest_docs(directory: Path | None) -> list[list] | None:
    """The offline snapshot's manifests (sagemaker-core's `models_manifest.json`: a list of
    {"model_id", "version", "spec_key", ...}); None without a folder."""
    if directory is None or not directory.is_dir():
        return None
    docs = []
    for path in sorted(directory.rglob("*manifest*.json"))[:8]:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(doc, list):
            docs.append(doc)
    return docs


def jumpstart_ids(directory: Path | None) -> set[str] | None:
    """Model ids of the offline snapshot's manifest(s); None when there is no readable manifest."""
    ids: set[str] = set()
    found = False
    for doc in _manifest_docs(directory) or ():
        if all(isinstance(x, dict) and "model_id" in x for x in doc):
            found = True
            ids.update(str(x["model_id"]) for x in doc)
    return ids if found else None


def jumpstart_versions(directory: Path | None) -> dict[str, list[str]]:
    """Each model id's versions in the offline snapshot's manifest(s), read once for a whole study
    (read once per candidate, a study of 1,000 walked the folder 1,000 times: 1.2 s of every start)."""
    out: dict[str, list[str]] = {}
    for doc in _manifest_docs(directory) or ():
        for x in doc:
            if isinstance(x, dict) and "model_id" in x:
                out.setdefault(str(x["model_id"]), []).append(str(x.get("version")))
    return out


def version_problem(version: str, available: list[str]) -> str | None:
    """Why a candidate's `version` selects nothing, matched as the SDK matches it (sagemaker-core's
    JumpStartModelsCache._select_version: "*" is the latest, else SpecifierSet("==" + version))."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    if version == "*":
        return None
    try:
        spec = SpecifierSet(f"=={version}")
    except InvalidSpecifier:
        return f"{version!r} is not a version (write e.g. \"2.0.14\", \"2.*\" or \"*\" for the latest)"
    if available and not list(spec.filter(available)):
        shown = ", ".join(sorted(available)[-5:])
        return f"no version of the model matches {version!r} in the offline JumpStart snapshot (it has {shown})"
    return None


def check_jumpstart_hyperparameters(sites: list[CandidateSite], problems: Problems, directory: Path | None) -> None:
    """Check JumpStart candidates' hyperparameters against their specs in the offline snapshot (as
    the SDK validates them). A study-level setting shared by many candidates is reported once."""
    found: dict[tuple[bool, KeyPath, str], list[str]] = {}  # (is_error, where, message) -> model ids

    def report(is_error: bool, at: KeyPath, msg: str, model: str) -> None:
        found.setdefault((is_error, at, msg), []).append(model)

    for site in sites:
        c = site.candidate
        if not c.model_id:
            continue
        specs = jumpstart_hyperparameters(directory, c.model_id, c.model_version)
        if specs is None:
            continue
        model = c.model_id
        written = {k: (v, site.origins["static"] + (k,)) for k, v in c.tuning.static.items()}
        written.update({k: (v, site.origins["hyperparameters"] + (k,)) for k, v in c.hyperparameters.items()})
        for k, (v, at) in written.items():
            if k not in specs:
                report(False, at, f"'{k}' is not a hyperparameter of the model in the offline JumpStart snapshot"
                                  f"{suggest(k, specs)}; the training script may ignore it", model)
            else:
                msg = spec_value_problem(specs[k], v)
                if msg:
                    report(True, at, msg, model)
        for r in c.tuning.ranges:
            at = site.origins["ranges"] + (r.name,)
            spec = specs.get(r.name)
            if spec is None:
                if r.relative_to_default:
                    report(True, at, f"relative_to_default needs the model's default {r.name}, which its JumpStart "
                                     f"spec does not have{suggest(r.name, specs)}", model)
                else:
                    report(False, at, f"'{r.name}' is not a hyperparameter of the model in the offline JumpStart "
                                      f"snapshot{suggest(r.name, specs)}; tuning it may change nothing", model)
                continue
            if r.relative_to_default:
                try:
                    default = float(spec.get("default"))  # type: ignore[arg-type]  # None raises TypeError, reported below
                except (TypeError, ValueError):
                    report(True, at + ("relative_to_default",), f"the model's default {r.name} is "
                                                                f"{spec.get('default')!r}, not a number to multiply",
                           model)
                    continue
                for factor in r.relative_to_default:
                    scaled = default * factor
                    text = str(int(scaled)) if spec.get("type") == "int" and scaled.is_integer() else repr(scaled)
                    msg = spec_value_problem(spec, text)
                    if msg:
                        report(True, at + ("relative_to_default",), f"{factor:g} x the default {default:g}: {msg}",
                               model)
            for value in r.values or ():
                msg = spec_value_problem(spec, value)
                if msg:
                    report(True, at + ("values",), msg, model)
            if r.type == "continuous" and spec.get("type") == "int":
                report(True, at + ("type",), f"{r.name} takes whole numbers: use type = \"integer\"", model)
            elif r.type != "categorical" and spec.get("type") not in ("int", "float"):
                report(True, at + ("type",), f"{r.name} is not numeric: use type = \"categorical\"", model)
            else:
                for bound, key in ((r.min, "min"), (r.max, "max")):
                    if bound is not None:
                        text = str(int(bound)) if spec.get("type") == "int" else repr(bound)
                        msg = spec_value_problem(spec, text)
                        if msg:
                            report(True, at + (key,), msg, model)
    for (is_error, at, msg), models in found.items():
        whose = models[0] + (f" and {len(models) - 1} more" if len(models) > 1 else "")
        line = f"{msg} ({whose}, per the JumpStart spec)"
        (problems.error if is_error else problems.warning)(at, line)
