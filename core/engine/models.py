"""Model lookups the launcher and deploy need: JumpStart metadata and built-in algorithm images.

Both run in a child process (jstui.engine.jumpstart_worker), all the missing ones of a launch in one,
and their results are cached in the journal: sagemaker-core's import (~150 MB resident, seconds of CPU)
never happens in the session's process, and each model or image is looked up once per home (an image
is cached under the model id "builtin:<algorithm>", keyed like a JumpStart answer by the sagemaker-core
release whose tables it came from)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any
from collections.abc import Iterable

from jstui.domain import errors
from jstui.domain.model import Candidate, Study
from jstui.engine.journal import Journal

BUILTIN_PREFIX = "builtin:"  # the cache key of a built-in algorithm's image: "builtin:<algorithm>"


class ModelResolver:
    def __init__(self, journal: Journal, study: Study, region: str):
        self._journal = journal
        self._study = study
        self._region = region
        self._source: str | None = None  # fingerprint of the JumpStart metadata in use (once a session)

    def _offline(self):
        return self._study.emulator.jumpstart_metadata if self._study.backend == "emulator" else None

    def _key(self, candidate: Candidate) -> tuple[str, str, str, str, str]:
        from jstui.aws.jumpstart import metadata_fingerprint  # no sagemaker-core import: package metadata only

        if self._source is None:
            self._source = metadata_fingerprint(self._offline())
        return (candidate.model_id or "", candidate.model_version or "*", self._region,
                candidate.resources.instance_type, self._source)  # fmt: skip

    def _cached(self, candidate: Candidate) -> dict | None:
        from jstui.aws.jumpstart import LIVE_CACHE_MAX_AGE_S

        max_age = None if self._offline() is not None else LIVE_CACHE_MAX_AGE_S
        cached = self._journal.jumpstart(*self._key(candidate), max_age_s=max_age)
        # a cache written before the spec's isolation/environment fields were read is looked up again
        fresh = cached is not None and cached.get("training_image") and "training_encrypt_inter_container_traffic" in cached
        return cached if fresh else None

    def _image_key(self, algorithm: str) -> tuple[str, str, str, str, str]:
        from jstui.aws.jumpstart import metadata_fingerprint  # no sagemaker-core import: package metadata only

        return (f"{BUILTIN_PREFIX}{algorithm}", "*", self._region, "", metadata_fingerprint(None))

    def _cached_image(self, algorithm: str) -> str | None:
        cached = self._journal.jumpstart(*self._image_key(algorithm))
        return cached.get("image") if cached else None

    def prefetch(self, candidates: Iterable[Candidate]) -> dict[str, Exception]:
        """Look up every JumpStart model and built-in algorithm image not cached yet, in one child
        process; the errors by model id (by "builtin:<algorithm>" for an image)."""
        missing: dict[tuple[str, str, str, str, str], dict] = {}
        offline = self._offline()
        for c in candidates:
            if c.model_id and self._cached(c) is None:
                k = self._key(c)
                missing.setdefault(k, {"model_id": k[0], "version": k[1], "region": k[2],
                                       "offline_dir": str(offline) if offline else None, "instance_type": k[3]})  # fmt: skip
            elif not c.model_id and c.algorithm and self._cached_image(c.algorithm) is None:
                missing.setdefault(self._image_key(c.algorithm), {"builtin": c.algorithm, "region": self._region})
        return self._fetch(missing)

    def _fetch(self, missing: dict[tuple[str, str, str, str, str], dict]) -> dict[str, Exception]:
        """Run the worker on the lookups (by cache key), cache the answers; the errors by key's id."""
        if not missing:
            return {}
        results = self._run_worker(list(missing.values()))
        failed: dict[str, Exception] = {}
        for key, result in zip(missing, results):
            if "model" in result:
                self._journal.save_jumpstart(*key, result["model"])
            elif "image" in result:
                self._journal.save_jumpstart(*key, {"image": result["image"]})
            else:
                kind = getattr(errors, result.get("kind", ""), errors.JstuiError)
                failed[key[0]] = kind(result.get("error", "JumpStart lookup failed"))
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
        """A built-in algorithm's training image, from the journal's cache, else looked up in the worker."""
        image = self._cached_image(algorithm)
        if image is None:
            key = self._image_key(algorithm)
            failed = self._fetch({key: {"builtin": algorithm, "region": self._region}})
            if key[0] in failed:
                raise failed[key[0]]
            image = self._cached_image(algorithm)
        if image is None:
            raise errors.JstuiError(f"{algorithm}: the built-in algorithm image lookup returned nothing")
        return image


