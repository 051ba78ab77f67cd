"""Model lookups the launcher and deploy need: JumpStart metadata and built-in algorithm images.

JumpStart lookups run in a child process (jstui.engine.jumpstart_worker), all the missing ones of a
launch in one, and their results are cached in the journal: sagemaker-core's import (~150 MB resident,
seconds of CPU) never stays in the session's process, and each model is looked up once per home."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any, Iterable

from jstui.domain import errors
from jstui.domain.model import Candidate, Study
from jstui.engine.journal import Journal


class ModelResolver:
    def __init__(self, journal: Journal, study: Study, region: str):
        self._journal = journal
        self._study = study
        self._region = region

    def _key(self, candidate: Candidate) -> tuple[str, str, str]:
        return candidate.model_id or "", candidate.model_version or "*", self._region

    def _cached(self, candidate: Candidate) -> dict | None:
        cached = self._journal.jumpstart(*self._key(candidate))
        return cached if cached is not None and cached.get("training_image") else None

    def prefetch(self, candidates: Iterable[Candidate]) -> dict[str, Exception]:
        """Look up every JumpStart candidate not cached yet, in one child process; the errors by model id."""
        missing: dict[tuple, Candidate] = {}
        for c in candidates:
            if c.model_id and self._cached(c) is None:
                missing.setdefault(self._key(c), c)
        if not missing:
            return {}
        offline = self._study.emulator.jumpstart_metadata if self._study.backend == "emulator" else None
        items = [{"model_id": k[0], "version": k[1], "region": k[2], "offline_dir": str(offline) if offline else None,
                  "instance_type": c.resources.instance_type} for k, c in missing.items()]  # fmt: skip
        results = self._run_worker(items)
        failed: dict[str, Exception] = {}
        for (model_id, version, region), result in zip(missing, results):
            if "model" in result:
                self._journal.save_jumpstart(model_id, version, region, result["model"])
            else:
                kind = getattr(errors, result.get("kind", ""), errors.JstuiError)
                failed[model_id] = kind(result.get("error", "JumpStart lookup failed"))
        return failed

    def _run_worker(self, items: list[dict]) -> list[dict]:
        proc = subprocess.run([sys.executable, "-m", "jstui.engine.jumpstart_worker"], input=json.dumps(items),
                              capture_output=True, text=True)  # fmt: skip
        if proc.returncode != 0:
            tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            raise errors.JstuiError(f"JumpStart lookup failed in its worker process: {tail}")
        return json.loads(proc.stdout)

    def jumpstart(self, candidate: Candidate) -> Any:
        """JumpStart metadata of a candidate, from the journal's cache, else looked up (and cached)."""
        from jstui.aws.jumpstart import JumpStartModel  # a dataclass module: sagemaker-core is imported lazily

        cached = self._cached(candidate)
        if cached is None:
            failed = self.prefetch([candidate])
            if candidate.model_id in failed:
                raise failed[candidate.model_id]
            cached = self._cached(candidate)
        if cached is None:
            raise errors.JstuiError(f"{candidate.model_id}: the JumpStart lookup returned nothing")
        return JumpStartModel.from_dict(cached)

    def builtin_image(self, algorithm: str) -> str:
        from jstui.aws.jumpstart import builtin_image

        return builtin_image(algorithm, self._region)
