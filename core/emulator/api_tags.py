"""AddTags / ListTags. A training job inherits its tuning job's tags, as on SageMaker.

The `tag_lag_s` fault (off by default) models tagging's eventual consistency: for that many simulated
seconds after a resource is created, ListTags does not show the tags it was created with. SageMaker's
API reference promises no read-after-write consistency for tags, and AWS documents tagging elsewhere as
eventually consistent (DynamoDB's TagResource reference: "ListTagsOfResource uses an eventually consistent
query ... Wait for a few seconds, and then try ... again"). Without the fault the emulator still shows the
gap briefly: it stores a job, then its tags, in two statements."""

from __future__ import annotations

from jstui.emulator.api_tuning import plan_of
from jstui.emulator.errors import validation
from jstui.emulator.paging import page
from jstui.emulator.views import visible


def _resolve_arn(emu, resource_arn: str) -> tuple[list[dict], float] | None:
    """(tags the resource inherits, its creation time); None when the ARN is unknown. A training job
    inherits its tuning job's tags (visible once the tuning job's are)."""
    kind, _, name = resource_arn.partition(":")[2].rpartition(":")[2].partition("/")
    now = emu.now()
    lag = float(emu.faults.settings.tag_lag_s or 0.0)
    if kind == "hyper-parameter-tuning-job":
        for row in emu.store.tuning_jobs():
            if row["arn"] == resource_arn and row["created"] <= now:
                return [], row["created"]
        return None
    if kind == "training-job":
        for row in emu.store.tuning_jobs():
            if row["created"] <= now and name.startswith(row["name"].lower()):
                plan = plan_of(emu, row)
                job = next((j for j in visible(plan, now) if j.name.lower() == name), None)
                if job is not None:
                    inherited = emu.store.tags(row["arn"]) if now >= row["created"] + lag else []
                    return inherited, job.created
        return None
    hosting = {"model": "model", "endpoint-config": "endpoint-config", "endpoint": "endpoint"}.get(kind)
    if hosting:
        for rec in emu.store.hosting_all(hosting):
            if rec["arn"] == resource_arn:
                return [], rec["created"]
    return None


def add_tags(emu, p: dict, region: str) -> dict:
    if _resolve_arn(emu, p["ResourceArn"]) is None:
        raise validation(f"Resource {p['ResourceArn']} does not exist.")
    emu.store.add_tags(p["ResourceArn"], p["Tags"])
    return {"Tags": p["Tags"]}


def list_tags(emu, p: dict, region: str) -> dict:
    resolved = _resolve_arn(emu, p["ResourceArn"])
    if resolved is None:
        raise validation(f"Resource {p['ResourceArn']} does not exist.")
    inherited, created = resolved
    lag = float(emu.faults.settings.tag_lag_s or 0.0)
    own = emu.store.tags(p["ResourceArn"]) if emu.now() >= created + lag else []
    keys = {t["Key"] for t in own}
    tags = [t for t in inherited if t["Key"] not in keys] + own
    chunk, nxt = page(tags, p, {"arn": p["ResourceArn"]}, default_max=50, limit=100)
    resp: dict[str, object] = {"Tags": chunk}
    if nxt:
        resp["NextToken"] = nxt
    return resp
