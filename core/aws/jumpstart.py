"""JumpStart lookups: what a candidate's training job and endpoint need (images, S3 URIs,
default hyperparameters, metric definitions), through sagemaker-core's own retrieve functions.

Live metadata comes from the JumpStart S3 buckets; with `offline_dir` it comes from a snapshot in
the SDK's format (manifest/ + specs/, see sample_studies/jumpstart/NOTICE.md), which is how the
emulator backend and the tests run the same code path without network.

sagemaker.core is imported inside the functions: the import takes ~2 s and ~1,300 modules, and
must never happen on the TUI's thread or at jstui's start-up."""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
import logging
import os
import re
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar
from collections.abc import Callable

from jstui.domain.errors import ServiceRefused, ServiceUnreachable, UsageError

MANIFEST_ENV = "AWS_JUMPSTART_MANIFEST_LOCAL_ROOT_DIR_OVERRIDE"
SPECS_ENV = "AWS_JUMPSTART_SPECS_LOCAL_ROOT_DIR_OVERRIDE"
IMDS_OFF_ENV = "AWS_EC2_METADATA_DISABLED"
MANIFEST_FILE = "models_manifest.json"  # the key sagemaker-core reads under the manifest root

# The SDK reads the two override variables from os.environ on every call: one lookup at a time,
# so that two threads never see each other's (or a half-restored) environment.
_LOCK = threading.Lock()
_last_source: str | None = None  # the SDK caches metadata per process: reset it when we switch

T = TypeVar("T")


@dataclass(frozen=True)
class JumpStartModel:
    """A JumpStart model resolved for one region and training instance type. Treat the dict and
    list fields as read-only; `to_dict`/`from_dict` round-trip it through JSON (journal cache)."""

    model_id: str
    version: str  # the concrete version the spec resolved to (never "*")
    region: str
    training_image: str
    training_script_uri: str
    training_model_uri: str
    default_hyperparameters: dict[str, str]
    inference_image: str | None = None
    inference_model_uri: str | None = None
    default_inference_instance_type: str | None = None
    metric_definitions: list[dict[str, str]] = field(default_factory=list)  # [{"Name", "Regex"}]
    source: str = "live"  # "live" or "offline"

    def to_dict(self) -> dict[str, Any]:
        return json.loads(json.dumps(asdict(self)))  # deep copy, JSON-safe

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JumpStartModel:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


def lookup(
    model_id: str,
    version: str = "*",
    *,
    region: str,
    offline_dir: Path | None,
    instance_type: str,
) -> JumpStartModel:
    """Resolve `model_id` (version spec `version`) for training on `instance_type` in `region`.

    Raises UsageError for an unknown id/version or a region/instance the metadata does not cover,
    ServiceUnreachable when live metadata cannot be fetched (no network, no credentials),
    ServiceRefused when S3 refuses it (access denied)."""
    manifest_dir = specs_dir = None
    if offline_dir is not None:
        manifest_dir, specs_dir = offline_dirs(Path(offline_dir))
    with _LOCK:
        with _metadata_source(manifest_dir, specs_dir, region):
            return _translate_errors(
                lambda: _resolve(model_id, version, region, instance_type, offline_dir is not None),
                model_id=model_id,
                version=version,
                region=region,
                instance_type=instance_type,
                offline_dir=offline_dir,
            )


def builtin_image(algorithm: str, region: str) -> str:
    """The training image of a built-in algorithm (e.g. "image-classification"). The SDK reads
    these from JSON files it ships, so no network is needed."""
    _quiet_sdk()
    from sagemaker.core import image_uris

    try:
        return image_uris.retrieve(framework=algorithm, region=region)
    except FileNotFoundError:
        raise UsageError(f"unknown built-in algorithm {algorithm!r}") from None
    except ValueError as exc:
        raise UsageError(f"built-in algorithm {algorithm!r} in region {region!r}: {_first_sentence(exc)}") from None


def offline_dirs(offline_dir: Path) -> tuple[Path, Path]:
    """The manifest and specs roots of a snapshot; both must exist (the SDK silently falls back
    to S3 when either is missing, which offline would turn into a network hang)."""
    manifest_dir, specs_dir = offline_dir / "manifest", offline_dir / "specs"
    if not (manifest_dir / MANIFEST_FILE).is_file() or not specs_dir.is_dir():
        raise UsageError(
            f"{offline_dir}: not an offline JumpStart snapshot (needs manifest/{MANIFEST_FILE} and specs/)"
        )
    return manifest_dir, specs_dir


def offline_model_ids(offline_dir: Path) -> list[str]:
    """Model ids in a snapshot's manifest (for close-match suggestions and tests)."""
    manifest_dir, _ = offline_dirs(Path(offline_dir))
    try:
        entries = json.loads((manifest_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
        return sorted({e["model_id"] for e in entries})
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"{manifest_dir / MANIFEST_FILE}: unreadable JumpStart manifest ({exc})") from None


# Live metadata can change under the same SDK (a new model version for "*"): a live answer is trusted
# this long, then looked up again.
LIVE_CACHE_MAX_AGE_S = 24 * 3600.0


def metadata_fingerprint(offline_dir: Path | None) -> str:
    """What a cached lookup's answer depends on besides its arguments: the sagemaker-core release that
    resolved it and, offline, the snapshot's contents (manifest and every spec file), so a rebuilt or
    replaced snapshot, or an SDK upgrade, misses the cache. A snapshot of 41 small files hashes in ~1 ms."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        sdk = version("sagemaker-core")
    except PackageNotFoundError:  # pragma: no cover - a dependency
        sdk = "unknown"
    if offline_dir is None:
        return f"live sagemaker-core {sdk}"
    digest = hashlib.sha256()
    root = Path(offline_dir)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"unreadable")
        digest.update(b"\0")
    return f"offline {digest.hexdigest()[:16]} sagemaker-core {sdk}"


# ---------------------------------------------------------------------------------------------


def _resolve(model_id: str, version: str, region: str, instance_type: str, offline: bool) -> JumpStartModel:
    from sagemaker.core import hyperparameters, image_uris, instance_types, metric_definitions, model_uris, script_uris
    from sagemaker.core.jumpstart.accessors import JumpStartModelsAccessor

    session: dict[str, Any] = {}
    if offline:
        # The SDK's default session builds real clients, which resolves credentials (off AWS: probes
        # of the instance-metadata address). Offline, its S3 client is all the SDK asks a session for.
        session = {"sagemaker_session": SimpleNamespace(s3_client=_unsigned_s3_client(region))}
    # The concrete version first, so every later call (and the journal cache) pins it.
    specs = JumpStartModelsAccessor.get_model_specs(region=region, model_id=model_id, version=version, **{
        "s3_client": session["sagemaker_session"].s3_client} if offline else {})
    pinned = specs.version
    common = {"region": region, "model_id": model_id, "model_version": pinned, **session}
    inference_type = instance_types.retrieve_default(scope="inference", **common)
    inference_image = inference_model_uri = None
    if inference_type:
        inference_image = _optional(
            lambda: image_uris.retrieve(framework=None, image_scope="inference", instance_type=inference_type, **common)
        )
        inference_model_uri = _optional(
            lambda: model_uris.retrieve(model_scope="inference", instance_type=inference_type, **common)
        )
    return JumpStartModel(
        model_id=model_id,
        version=pinned,
        region=region,
        training_image=image_uris.retrieve(
            framework=None, image_scope="training", instance_type=instance_type, **common
        ),
        training_script_uri=script_uris.retrieve(script_scope="training", **common),
        training_model_uri=model_uris.retrieve(model_scope="training", instance_type=instance_type, **common),
        default_hyperparameters={
            k: str(v) for k, v in hyperparameters.retrieve_default(instance_type=instance_type, **common).items()
        },
        inference_image=inference_image,
        inference_model_uri=inference_model_uri,
        default_inference_instance_type=inference_type,
        metric_definitions=[
            {"Name": m["Name"], "Regex": m["Regex"]}
            for m in (metric_definitions.retrieve_default(instance_type=instance_type, **common) or [])
        ],
        source="offline" if offline else "live",
    )


def _optional(fetch: Callable[[], T]) -> T | None:
    """Inference details are a bonus at launch time: a model without them still trains."""
    try:
        return fetch()
    except ValueError:
        return None


class _metadata_source:
    """Point the SDK at a snapshot (or at S3 when both dirs are None) for the duration of a call,
    restoring the caller's environment afterwards. Call only while holding _LOCK."""

    def __init__(self, manifest_dir: Path | None, specs_dir: Path | None, region: str):
        self.values: dict[str, object] = {MANIFEST_ENV: manifest_dir, SPECS_ENV: specs_dir}
        if specs_dir is not None:
            # Offline, the SDK still builds S3 clients now and then (on a region change it resets
            # its cache with a default client), and building one resolves credentials: without
            # this, off AWS, that means connection attempts to the instance-metadata address.
            self.values[IMDS_OFF_ENV] = "true"
        self.region = region
        self.saved: dict[str, str | None] = {}

    def __enter__(self) -> None:
        global _last_source
        _quiet_sdk()
        for name, value in self.values.items():
            self.saved[name] = os.environ.get(name)
            if value is None:
                os.environ.pop(name, None)  # "live" means S3, whatever the shell exported
            else:
                os.environ[name] = str(value)
        offline = self.values[SPECS_ENV] is not None
        source = str(self.values[SPECS_ENV]) if offline else "live"
        if source != _last_source:
            # The SDK's cache does not know where its content came from: start afresh. Offline,
            # give it an unsigned S3 client it never uses, because building its default client
            # resolves credentials, which off AWS means probing the instance-metadata address.
            from sagemaker.core.jumpstart.accessors import JumpStartModelsAccessor

            kwargs = {"s3_client": _unsigned_s3_client(self.region)} if offline else {}
            JumpStartModelsAccessor.reset_cache(cache_kwargs=kwargs, region=self.region)
            _last_source = source

    def __exit__(self, *exc: object) -> None:
        for name, old in self.saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old


@functools.cache
def _unsigned_s3_client(region: str):
    """One per region and process: the SDK's cache keys on the client object it is given."""
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    return boto3.client("s3", region_name=region, config=Config(signature_version=UNSIGNED))


def _quiet_sdk() -> None:
    """The SDK's JumpStart logger writes to stderr, which is the TUI's screen."""
    os.environ.setdefault("DISABLE_JUMPSTART_LOGGING", "1")
    for name in ("sagemaker.jumpstart", "sagemaker.core.jumpstart", "sagemaker.config"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.CRITICAL + 1)
        logger.propagate = False


def _translate_errors(
    fetch: Callable[[], T],
    *,
    model_id: str,
    version: str,
    region: str,
    instance_type: str,
    offline_dir: Path | None,
) -> T:
    import botocore.exceptions as bex

    from jstui.aws.errors import ErrorKind, classify

    where = f"offline snapshot {offline_dir}" if offline_dir else "live JumpStart metadata"
    try:
        return fetch()
    except KeyError as exc:  # the SDK's cache: unknown id or version
        text = str(exc.args[0]) if exc.args else str(exc)
        if text.startswith("Bad semantic version"):  # the SDK's SpecifierSet("==" + version) refused it
            raise UsageError(f"JumpStart model {model_id!r}: version {version!r} is not a version "
                             "(write e.g. \"2.0.14\", \"2.*\" or \"*\" for the latest)") from None
        if f"version '{version}'" in text and version != "*" and _id_known(model_id, offline_dir, text):
            raise UsageError(f"JumpStart model {model_id!r} has no version matching {version!r} in the {where}") from None
        raise UsageError(
            f"unknown JumpStart model id {model_id!r} in the {where}{_suggestion(model_id, offline_dir, text)}"
        ) from None
    except (bex.NoCredentialsError, bex.PartialCredentialsError) as exc:
        raise ServiceUnreachable(f"JumpStart metadata for {model_id!r}: no AWS credentials ({exc})") from None
    except (bex.EndpointConnectionError, bex.ConnectTimeoutError, bex.ReadTimeoutError, bex.ConnectionError) as exc:
        raise ServiceUnreachable(f"JumpStart metadata for {model_id!r} unreachable: {exc}") from None
    except bex.ClientError as exc:
        err = classify(exc)
        code = err.code
        if err.kind in (ErrorKind.DENIED, ErrorKind.AUTH, ErrorKind.EXPIRED):
            raise ServiceRefused(f"JumpStart metadata for {model_id!r} in {region}: S3 refused ({code})") from None
        raise ServiceUnreachable(f"JumpStart metadata for {model_id!r} in {region}: {code or exc}") from None
    except ValueError as exc:  # region not covered, no image for this instance type, bad region
        raise UsageError(
            f"JumpStart model {model_id!r} on {instance_type} in {region} ({where}): {_first_sentence(exc)}"
        ) from None


def _id_known(model_id: str, offline_dir: Path | None, sdk_text: str) -> bool:
    if offline_dir is not None:
        return model_id in offline_model_ids(offline_dir)
    return "Consider using model ID" in sdk_text


def _suggestion(model_id: str, offline_dir: Path | None, sdk_text: str) -> str:
    if offline_dir is not None:
        close = difflib.get_close_matches(model_id, offline_model_ids(offline_dir), n=3, cutoff=0.6)
    else:
        close = re.findall(r"Did you mean to use model ID '([^']+)'", sdk_text)
    return f"; close matches: {', '.join(close)}" if close else ""


def _first_sentence(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    head, dot, _ = text.partition(". ")
    return head + ("." if dot else "")
