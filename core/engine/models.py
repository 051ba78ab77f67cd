"""Model lookups the launcher and deploy need: JumpStart metadata (cached in the journal: the
sagemaker-core import and lookup are slow) and built-in algorithm images."""

from __future__ import annotations

from typing import Any

from jstui.domain.model import Candidate, Study
from jstui.engine.journal import Journal


class ModelResolver:
    def __init__(self, journal: Journal, study: Study, region: str):
        self._journal = journal
        self._study = study
        self._region = region

    def jumpstart(self, candidate: Candidate) -> Any:
        """JumpStart metadata of a candidate, from the journal's cache, else looked up and cached."""
        from jstui.aws.jumpstart import JumpStartModel, lookup

        version = candidate.model_version or "*"
        cached = self._journal.jumpstart(candidate.model_id or "", version, self._region)
        if cached is not None and cached.get("training_image"):
            return JumpStartModel.from_dict(cached)
        offline = self._study.emulator.jumpstart_metadata if self._study.backend == "emulator" else None
        model = lookup(
            candidate.model_id or "",
            version,
            region=self._region,
            offline_dir=offline,
            instance_type=candidate.resources.instance_type,
        )
        self._journal.save_jumpstart(candidate.model_id or "", version, self._region, model.to_dict())
        return model

    def builtin_image(self, algorithm: str) -> str:
        from jstui.aws.jumpstart import builtin_image

        return builtin_image(algorithm, self._region)
