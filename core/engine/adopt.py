"""`launch --adopt PREFIX`: tuning jobs made by other tools (the seed notebook's `bm-<uid>-<model>`)
become launches of the candidates that train the same model."""

from __future__ import annotations

from typing import Any

from jstui.engine.journal import DROPPED, LAUNCHED, QUEUED, REFUSED, WAITING
from jstui.engine.launcher import Launcher
from jstui.domain.tuning_request import TAG_CANDIDATE, TAG_JS_MODEL, TAG_MODEL, model_key


def _tags_of(sm: Any, arn: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=arn).get("Tags", [])}


def identify_model(describe: dict, tags: dict[str, str], known_ids: list[str]) -> str | None:
    """Which model a tuning job trains, the way the emulator recognises it: the JumpStart tag (or
    ours); else a built-in's image plus its selecting hyperparameters; else the longest known model
    id inside an input channel's or hyperparameter's S3 URI."""
    from jstui.domain.algorithms import SELECTING_HYPERPARAMETERS, catalog_id_for

    for key in (TAG_JS_MODEL, TAG_MODEL):
        if tags.get(key):
            return tags[key]
    definition = describe.get("TrainingJobDefinition") or {}
    static = definition.get("StaticHyperParameters") or {}
    image = (definition.get("AlgorithmSpecification") or {}).get("TrainingImage") or ""
    repo = image.rsplit("/", 1)[-1].split(":", 1)[0]
    if repo in SELECTING_HYPERPARAMETERS:
        return catalog_id_for(repo, static)
    uris = [str(v) for v in static.values()]
    for ch in definition.get("InputDataConfig") or []:
        uris.append(str(((ch.get("DataSource") or {}).get("S3DataSource") or {}).get("S3Uri", "")))
    hits = [m for m in known_ids if any(m in u for u in uris)]
    return max(hits, key=len) if hits else None


def adopt(launcher: Launcher, prefix: str) -> tuple[dict[str, str], list[str]]:
    """Existing tuning jobs named PREFIX... become launches of the candidates training the same
    model (newest job first; a candidate already launched is left alone).
    Returns ({tuning job name: candidate}, [names matched to no candidate])."""
    study, journal, sm = launcher.study, launcher.journal, launcher.clients.sagemaker
    jobs: list[dict] = []
    token = None
    while True:
        kwargs: dict[str, Any] = {"NameContains": prefix, "MaxResults": 100}
        if token:
            kwargs["NextToken"] = token
        page = sm.list_hyper_parameter_tuning_jobs(**kwargs)
        jobs += [j for j in page.get("HyperParameterTuningJobSummaries", []) if j["HyperParameterTuningJobName"].startswith(prefix)]
        token = page.get("NextToken")
        if not token:
            break
    jobs.sort(key=lambda j: str(j.get("CreationTime", "")), reverse=True)
    current = journal.current_launches(study.name)
    known_names = {l.tuning_job_name for l in journal.launches(study.name)}
    by_model: dict[str, list[str]] = {}
    for c in study.candidates:
        by_model.setdefault(model_key(c), []).append(c.name)
    matched: dict[str, str] = {}
    unmatched: list[str] = []
    for job in jobs:
        name = job["HyperParameterTuningJobName"]
        if name in known_names:
            continue
        describe = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
        tags = _tags_of(sm, describe["HyperParameterTuningJobArn"])
        model = identify_model(describe, tags, list(by_model))
        free = [
            c
            for c in by_model.get(model or "", [])
            if (c not in current or current[c].state in (QUEUED, WAITING, REFUSED, DROPPED)) and c not in matched.values()
        ]
        if tags.get(TAG_CANDIDATE) in free:
            free = [tags[TAG_CANDIDATE]]
        if not free:
            unmatched.append(name)
            continue
        cand = free[0]
        generation = current[cand].generation + 1 if cand in current else 1
        journal.queue(study.name, cand, generation, name, model or "", state=LAUNCHED, adopted=True)
        journal.add_event(study.name, "adopted", f"{cand}: adopted {name}")
        matched[name] = cand
    journal.add_adopt_prefix(study.name, prefix)
    if unmatched:
        journal.add_event(study.name, "adopt-unmatched", f"{len(unmatched)} job(s) named {prefix}* match no candidate")
    return matched, unmatched
