"""Which model a training job is (docs/emulator.md, "Which model a job is"), in this order:
1. the `sagemaker-sdk:jumpstart-model-id` tag the SageMaker SDK puts on JumpStart jobs;
2. a built-in algorithm's training image plus the hyperparameters that select its network;
3. the longest catalog model id contained in an input channel's or hyperparameter's S3 URI;
4. unknown: still trains, with synthetic figures its log says are synthetic."""

from __future__ import annotations

from dataclasses import dataclass

from jstui.domain.catalog import Catalog
from jstui.domain.algorithms import catalog_id_for
from jstui.emulator.images import BUILTIN_FAMILIES, SELECTING_DEFAULTS, builtin_algorithm_of

JUMPSTART_TAG = "sagemaker-sdk:jumpstart-model-id"


@dataclass(frozen=True)
class ModelProfile:
    model_id: str  # the catalog id, or a descriptive id when unknown
    family: str  # jumpstart-ic | jumpstart-od | builtin-image-classification | builtin-object-detection
    recognised_by: str  # tag | image | s3-uri | unknown
    in_catalog: bool


def family_of_model_id(model_id: str) -> str:
    for algorithm, family in BUILTIN_FAMILIES.items():
        if model_id == algorithm or model_id.startswith(algorithm + ":"):
            return family
    return "jumpstart-od" if "-od-" in model_id or "-od1-" in model_id else "jumpstart-ic"


def recognise(
    catalog: Catalog,
    tags: dict[str, str],
    training_image: str | None,
    hyperparameters: dict[str, str],
    input_uris: list[str],
) -> ModelProfile:
    tagged = tags.get(JUMPSTART_TAG)
    if tagged:
        return ModelProfile(tagged, family_of_model_id(tagged), "tag", catalog.has_model(tagged))
    algorithm = builtin_algorithm_of(training_image)
    if algorithm:
        hps = {**SELECTING_DEFAULTS.get(algorithm, {}), **hyperparameters}
        model_id = catalog_id_for(algorithm, hps)
        if not catalog.has_model(model_id) and catalog.has_model(algorithm):
            model_id = algorithm
        return ModelProfile(model_id, BUILTIN_FAMILIES[algorithm], "image", catalog.has_model(model_id))
    uris = [u for u in input_uris if u] + [v for v in hyperparameters.values() if v.startswith("s3://")]
    found = ""
    for model_id in catalog.model_ids():
        if len(model_id) > len(found) and any(model_id in u for u in uris):
            found = model_id
    if found:
        return ModelProfile(found, family_of_model_id(found), "s3-uri", True)
    return ModelProfile("unknown-model", "jumpstart-ic", "unknown", False)
