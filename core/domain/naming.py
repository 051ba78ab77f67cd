"""Tuning-job names (CreateHyperParameterTuningJob: at most 32 characters, pattern
`[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}`, botocore's sagemaker service model): derived from
the study, the candidate and a generation number only, so that a relaunch after a crash computes the
same name, meets `ResourceInUse` and adopts its own job instead of creating a duplicate."""

from __future__ import annotations

import hashlib
import re

MAX_LEN = 32
_NOT_ALLOWED = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """Lower-case [a-z0-9-] rendering of any text, runs of other characters collapsed to one '-'."""
    return _NOT_ALLOWED.sub("-", text.lower()).strip("-")


def name_prefix(study: str) -> str:
    """What every tuning job of the study starts with (the poller lists by it)."""
    return f"{slug(study)}-"


def tuning_job_name(study: str, candidate: str, generation: int) -> str:
    """`<study>-<candidate slug>-<hash>`; the hash covers all three inputs, so two candidates whose
    slugs collide (or are truncated alike) and two generations of one candidate never share a name."""
    if generation < 1:
        raise ValueError("generation starts at 1")
    digest = hashlib.sha256(f"{study}\0{candidate}\0{generation}".encode()).hexdigest()[:6]
    prefix = name_prefix(study)
    room = MAX_LEN - len(prefix) - len(digest) - 1
    middle = slug(candidate)[: max(room, 0)].strip("-")
    name = f"{prefix}{middle}-{digest}" if middle else f"{prefix}{digest}"
    return name[:MAX_LEN]
