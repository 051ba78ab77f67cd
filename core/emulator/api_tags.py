"""AddTags / ListTags. A training job inherits its tuning job's tags, as on SageMaker."""

from __future__ import annotations

from jstui.emulator.api_tuning import plan_of
from jstui.emulator.errors import validation
from jstui.emulator.paging import page
from jstui.emulator.views import visible


def _resolve_arn(emu, resource_arn: str) -> list[dict] | None:
    """Tags a resource inherits (a training job has its tuning job's); None when the ARN is unknown."""
    kind, _, name = resource_arn.partition(":")[2].rpartition(":")[2].partition("/")
    now = emu.now()
    if kind == "hyper-parameter-tuning-job":
        for row in emu.store.tuning_jobs():
            if row["arn"] == resource_arn and row["created"] <= now:
                return []
        return None
    if kind == "training-job":
        for row in emu.store.tuning_jobs():
            if row["created"] <= now and name.startswith(row["name"].lower()):
                plan = plan_of(emu, row)
                if any(j.name.lower() == name for j in visible(plan, now)):
                    return emu.store.tags(row["arn"])
        return None
    hosting = {"model": "model", "endpoint-config": "endpoint-config", "endpoint": "endpoint"}.get(kind)
    if hosting:
        for rec in emu.store.hosting_all(hosting):
            if rec["arn"] == resource_arn:
                return []
    return None


def add_tags(emu, p: dict, region: str) -> dict:
    if _resolve_arn(emu, p["ResourceArn"]) is None:
        raise validation(f"Resource {p['ResourceArn']} does not exist.")
    emu.store.add_tags(p["ResourceArn"], p["Tags"])
    return {"Tags": p["Tags"]}


def list_tags(emu, p: dict, region: str) -> dict:
    inherited = _resolve_arn(emu, p["ResourceArn"])
    if inherited is None:
        raise validation(f"Resource {p['ResourceArn']} does not exist.")
    own = emu.store.tags(p["ResourceArn"])
    keys = {t["Key"] for t in own}
    tags = [t for t in inherited if t["Key"] not in keys] + own
    chunk, nxt = page(tags, p, {"arn": p["ResourceArn"]}, default_max=50, limit=100)
    resp: dict[str, object] = {"Tags": chunk}
    if nxt:
        resp["NextToken"] = nxt
    return resp
