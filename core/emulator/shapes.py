"""botocore's service models, the spec of every request and response the emulator handles."""

from __future__ import annotations

import functools

import botocore.session
from botocore.model import Shape


@functools.cache
def service_model(service: str):
    return botocore.session.get_session().get_service_model(service)


@functools.cache
def shape(service: str, name: str) -> Shape:
    return service_model(service).shape_for(name)


@functools.lru_cache(maxsize=4096)
def _members(shp: Shape) -> dict:
    # botocore resolves a structure's members anew on every access; fit() reads them per record.
    return shp.members


def fit(shp: Shape, value):
    """Keep only what the shape knows: request data echoed into a response (e.g. a tuning job's
    ResourceConfig in DescribeTrainingJob, whose shape differs) must not grow unknown members."""
    t = shp.type_name
    if t == "structure":
        if not isinstance(value, dict):
            return value
        members = _members(shp)
        return {k: fit(members[k], v) for k, v in value.items() if k in members and v is not None}
    if t == "list" and isinstance(value, list):
        return [fit(shp.member, v) for v in value]
    if t == "map" and isinstance(value, dict):
        return {k: fit(shp.value, v) for k, v in value.items()}
    return value
