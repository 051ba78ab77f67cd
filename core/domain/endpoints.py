"""Endpoint rules with no I/O: SageMaker's naming rule, which statuses bill, what an endpoint has cost.
The hosting steps that call the service are in `jstui.aws.hosting`; the TUI reads these rules here."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from enum import StrEnum
from typing import Any

from jstui.domain.snapshot import EndpointRow

# SageMaker's rule for endpoint (and model, endpoint-config) names.
ENDPOINT_NAME_RE = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
MAX_NAME = 63
STUDY_TAG = "jstui:study"
MODEL_TAG = "jstui:model-id"


class DeployStep(StrEnum):
    """Where a deploy got to, in order (the journal's endpoint `state` until the service has the
    endpoint; from then on the state is the endpoint's own `HostingStatus`), and the delete."""

    PLANNED = "planned"
    MODEL = "model"  # CreateModel answered
    CONFIG = "config"  # CreateEndpointConfig answered
    ENDPOINT = "endpoint"  # CreateEndpoint answered
    DELETING = "deleting"


class HostingStatus(StrEnum):
    """The service's EndpointStatus (botocore's sagemaker service model, shape `EndpointStatus`)."""

    OUT_OF_SERVICE = "OutOfService"
    CREATING = "Creating"
    UPDATING = "Updating"
    SYSTEM_UPDATING = "SystemUpdating"
    ROLLING_BACK = "RollingBack"
    IN_SERVICE = "InService"
    DELETING = "Deleting"
    FAILED = "Failed"
    UPDATE_ROLLBACK_FAILED = "UpdateRollbackFailed"


STEPS = (DeployStep.PLANNED, DeployStep.MODEL, DeployStep.CONFIG, DeployStep.ENDPOINT)
DELETING = DeployStep.DELETING
# Endpoint statuses that keep instances running, hence accrue cost.
BILLED_STATUSES = frozenset({HostingStatus.CREATING, HostingStatus.IN_SERVICE, HostingStatus.UPDATING,
                             HostingStatus.SYSTEM_UPDATING, HostingStatus.ROLLING_BACK})
TERMINAL_STATUSES = frozenset({HostingStatus.IN_SERVICE, HostingStatus.FAILED, HostingStatus.OUT_OF_SERVICE})


# --- names -----------------------------------------------------------------------------------
def endpoint_name_problem(name: str, taken: set[str] | frozenset[str] = frozenset()) -> str | None:
    """Why `name` cannot be a new endpoint's name (None when it can)."""
    if not name:
        return "endpoint name is empty"
    if len(name) > MAX_NAME:
        return f"endpoint name {name!r} is {len(name)} characters; at most {MAX_NAME}"
    if not ENDPOINT_NAME_RE.fullmatch(name):  # fullmatch: `$` alone would let a trailing newline in
        return (f"endpoint name {name!r} may hold only letters, digits and hyphens, "
                "and must start and end with a letter or digit")
    if name in taken:
        return f"endpoint {name!r} already exists"
    return None


def _slug(text: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^a-zA-Z0-9]+", "-", text)).strip("-") or "model"


def suggest_endpoint_name(study: str, candidate: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """`<study>-<candidate>` made valid, shortened with a hash when too long, numbered when taken."""
    base = f"{_slug(study)}-{_slug(candidate)}"
    if len(base) > MAX_NAME - 3:  # room for a "-N" suffix
        digest = hashlib.sha1(base.encode()).hexdigest()[:6]
        base = base[: MAX_NAME - 3 - 7].rstrip("-") + "-" + digest
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    return name


# --- prices ----------------------------------------------------------------------------------
def hourly_usd(instance_type: str, instance_count: int, overrides: dict[str, float] | None = None,
               table: Any = None) -> float | None:
    """Hosting $/hour of `instance_count` instances (core.prices: the study's overrides, a cached
    Price List refresh, else the shipped table); None when nobody knows the instance type."""
    from jstui.domain.prices import HOSTING, price_per_hour

    price, _source = price_per_hour(instance_type, overrides or {}, table=table, component=HOSTING)
    return None if price is None else float(price) * max(1, int(instance_count))


def accrued_usd(status: str, created: datetime | None, last_modified: datetime | None, now: datetime,
                usd_per_hour: float | None) -> float | None:
    """Hosting spend so far: running statuses accrue until now, ended ones until they ended."""
    if usd_per_hour is None or created is None:
        return None
    end = now if status in BILLED_STATUSES else (last_modified or created)
    return max(0.0, (end - created).total_seconds()) / 3600.0 * usd_per_hour


def running_longer_than(row: EndpointRow, now: datetime | None, hours: float) -> bool:
    """An endpoint still billed after `hours` ([budget] endpoint_warn_hours): the forgotten kind."""
    if now is None or row.created_at is None or row.status not in BILLED_STATUSES:
        return False
    return (now - row.created_at).total_seconds() > hours * 3600.0
