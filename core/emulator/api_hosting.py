"""Hosting: models, endpoint configs and endpoints, with the service's lifecycle
(Creating -> InService | Failed, Updating, Deleting) computed from stored requests and simulated time.

An endpoint fails when its model data is not the artifact of a training job completed when the endpoint
was created (ModelArtifacts.S3ModelArtifacts of DescribeTrainingJob), as SageMaker fails to download it.
Errors are the service's own: hosting answers a taken or unknown name with ValidationException."""

from __future__ import annotations

from typing import Any

from jstui.emulator.api_tuning import completed_artifacts
from jstui.emulator.errors import validation
from jstui.emulator.paging import page
from jstui.emulator.shapes import fit, shape
from jstui.emulator.views import arn

CREATE_S = 420.0  # endpoint creation: a few simulated minutes
FAIL_S = 600.0  # a failing endpoint is known only after the health checks give up
UPDATE_S = 360.0
DELETE_S = 90.0


def _now(emu) -> float:
    return emu.now()


def _model_data(model_req: dict) -> str | None:
    c = model_req.get("PrimaryContainer") or (model_req.get("Containers") or [{}])[0]
    if c.get("ModelDataUrl"):
        return c["ModelDataUrl"]
    src = (c.get("ModelDataSource") or {}).get("S3DataSource") or {}
    return src.get("S3Uri")


def _image(model_req: dict) -> str:
    c = model_req.get("PrimaryContainer") or (model_req.get("Containers") or [{}])[0]
    return c.get("Image", "")


# --- models -----------------------------------------------------------------------------------------

def create_model(emu, p: dict, region: str) -> dict:
    name = p["ModelName"]
    model_arn = arn(region, "model", name)
    if not (p.get("PrimaryContainer") or p.get("Containers")):
        raise validation("Either PrimaryContainer or Containers must be given")
    request = {k: v for k, v in p.items() if k != "Tags"}
    if not emu.store.insert_hosting("model", name, model_arn, _now(emu), request, []):
        raise validation(f'Cannot create already existing model "{model_arn}".')
    if p.get("Tags"):
        emu.store.add_tags(model_arn, p["Tags"])
    return {"ModelArn": model_arn}


def _get(emu, kind: str, name: str, region: str, what: str) -> dict:
    rec = emu.store.hosting(kind, name)
    if rec is None or rec["created"] > _now(emu):
        raise validation(f'Could not find {what} "{arn(region, kind, name)}".')
    return rec


def describe_model(emu, p: dict, region: str) -> dict:
    rec = _get(emu, "model", p["ModelName"], region, "model")
    out = fit(shape("sagemaker", "DescribeModelOutput"), rec["request"])
    out.update({"ModelName": rec["name"], "ModelArn": rec["arn"], "CreationTime": rec["created"]})
    return out


def delete_model(emu, p: dict, region: str) -> dict:
    rec = _get(emu, "model", p["ModelName"], region, "model")
    emu.store.delete_hosting("model", p["ModelName"])
    emu.store.delete_tags(rec["arn"])
    return {}


# --- endpoint configs ----------------------------------------------------------------------------

def create_endpoint_config(emu, p: dict, region: str) -> dict:
    name = p["EndpointConfigName"]
    cfg_arn = arn(region, "endpoint-config", name)
    for v in p["ProductionVariants"]:
        if v.get("ModelName"):
            _get(emu, "model", v["ModelName"], region, "model")
        if not v.get("ServerlessConfig") and not (v.get("InstanceType") and v.get("InitialInstanceCount")):
            raise validation(f"ProductionVariant {v['VariantName']}: InstanceType and InitialInstanceCount are required")
    request = {k: v for k, v in p.items() if k != "Tags"}
    if not emu.store.insert_hosting("endpoint-config", name, cfg_arn, _now(emu), request, []):
        raise validation(f'Cannot create already existing endpoint configuration "{cfg_arn}".')
    if p.get("Tags"):
        emu.store.add_tags(cfg_arn, p["Tags"])
    return {"EndpointConfigArn": cfg_arn}


def describe_endpoint_config(emu, p: dict, region: str) -> dict:
    rec = _get(emu, "endpoint-config", p["EndpointConfigName"], region, "endpoint configuration")
    out = fit(shape("sagemaker", "DescribeEndpointConfigOutput"), rec["request"])
    out.update({"EndpointConfigName": rec["name"], "EndpointConfigArn": rec["arn"], "CreationTime": rec["created"]})
    return out


def delete_endpoint_config(emu, p: dict, region: str) -> dict:
    rec = _get(emu, "endpoint-config", p["EndpointConfigName"], region, "endpoint configuration")
    emu.store.delete_hosting("endpoint-config", p["EndpointConfigName"])
    emu.store.delete_tags(rec["arn"])
    return {}


# --- endpoints ----------------------------------------------------------------------------------------

def _deployment(emu, config_name: str, region: str) -> dict:
    """What an endpoint deploys, fixed when it is requested: the first variant, its model, and whether
    the model data is a completed training job's artifact."""
    cfg = _get(emu, "endpoint-config", config_name, region, "endpoint configuration")
    variant = cfg["request"]["ProductionVariants"][0]
    model = emu.store.hosting("model", variant.get("ModelName", ""))
    req = model["request"] if model else {}
    data = _model_data(req)
    found = completed_artifacts(emu).get(data or "")
    out = {
        "config": config_name,
        "variant": variant["VariantName"],
        "instance_type": variant.get("InstanceType", ""),
        "count": int(variant.get("InitialInstanceCount", 1)),
        "image": _image(req),
        "model_data": data,
        "training_job": found[1].name if found else None,
    }
    if found is None:
        out["failure"] = (
            f'Failed to download model data for container "container_1" from URL: "{data}". Please ensure that '
            "there is an object located at the URL and that the role passed to CreateModel has permissions to "
            "download the object."
            if data else "The model has no model data (ModelDataUrl) to serve."
        )
    return out


def endpoint_state(rec: dict, now: float) -> dict | None:
    """Status, the serving deployment and failure at `now`, or None once deleted."""
    state: dict = {}
    for ev in rec["events"]:
        kind, t = ev["kind"], ev["time"]
        if t > now:
            break
        dep = ev.get("deployment")
        if kind == "create":
            done = t + (FAIL_S if dep.get("failure") else CREATE_S)
            if now < done:
                state = {"status": "Creating", "serving": None, "modified": t}
            elif dep.get("failure"):
                state = {"status": "Failed", "serving": None, "failure": dep["failure"], "modified": done}
            else:
                state = {"status": "InService", "serving": dep, "modified": done}
        elif kind == "update":
            done = t + UPDATE_S
            if now < done:
                state = {**state, "status": "Updating", "modified": t, "pending": dep}
            elif dep.get("failure"):  # the update rolls back: the old deployment keeps serving
                state = {"status": "InService", "serving": state.get("serving"), "modified": done,
                         "failure": dep["failure"]}
            else:
                state = {"status": "InService", "serving": dep, "modified": done}
        elif kind == "delete":
            if now >= t + DELETE_S:
                return None
            state = {**state, "status": "Deleting", "modified": t}
    return state


def _endpoint(emu, name: str, region: str) -> tuple[dict, dict]:
    rec = emu.store.hosting("endpoint", name)
    state = endpoint_state(rec, _now(emu)) if rec and rec["created"] <= _now(emu) else None
    if state is None:
        raise validation(f'Could not find endpoint "{arn(region, "endpoint", name)}".')
    return rec, state


def create_endpoint(emu, p: dict, region: str) -> dict:
    name, now = p["EndpointName"], _now(emu)
    ep_arn = arn(region, "endpoint", name)
    old = emu.store.hosting("endpoint", name)
    if old is not None and endpoint_state(old, now) is None:
        emu.store.delete_hosting("endpoint", name)  # fully deleted: the name is free again
    dep = _deployment(emu, p["EndpointConfigName"], region)
    events = [{"kind": "create", "time": now, "deployment": dep}]
    request = {k: v for k, v in p.items() if k != "Tags"}
    if not emu.store.insert_hosting("endpoint", name, ep_arn, now, request, events):
        raise validation(f'Cannot create already existing endpoint "{ep_arn}".')
    if p.get("Tags"):
        emu.store.add_tags(ep_arn, p["Tags"])
    return {"EndpointArn": ep_arn}


def update_endpoint(emu, p: dict, region: str) -> dict:
    rec, state = _endpoint(emu, p["EndpointName"], region)
    if state["status"] != "InService":
        raise validation(f'Cannot update in-progress endpoint "{rec["arn"]}".')
    dep = _deployment(emu, p["EndpointConfigName"], region)
    emu.store.set_hosting_events("endpoint", rec["name"], rec["events"] + [
        {"kind": "update", "time": _now(emu), "deployment": dep}])
    return {"EndpointArn": rec["arn"]}


def delete_endpoint(emu, p: dict, region: str) -> dict:
    rec, state = _endpoint(emu, p["EndpointName"], region)
    if state["status"] == "Deleting":
        raise validation(f'Cannot delete endpoint "{rec["arn"]}" while it is being deleted.')
    emu.store.set_hosting_events("endpoint", rec["name"], rec["events"] + [{"kind": "delete", "time": _now(emu)}])
    return {}


def describe_endpoint(emu, p: dict, region: str) -> dict:
    rec, state = _endpoint(emu, p["EndpointName"], region)
    serving = state.get("serving")
    out = {
        "EndpointName": rec["name"],
        "EndpointArn": rec["arn"],
        "EndpointConfigName": serving["config"] if serving else rec["request"]["EndpointConfigName"],
        "EndpointStatus": state["status"],
        "CreationTime": rec["created"],
        "LastModifiedTime": state["modified"],
    }
    if serving:
        out["ProductionVariants"] = [{
            "VariantName": serving["variant"],
            "DeployedImages": [{"SpecifiedImage": serving["image"], "ResolvedImage": serving["image"],
                                "ResolutionTime": state["modified"]}],
            "CurrentWeight": 1.0,
            "DesiredWeight": 1.0,
            "CurrentInstanceCount": serving["count"],
            "DesiredInstanceCount": serving["count"],
        }]
    if state.get("failure"):
        out["FailureReason"] = state["failure"]
    return out


_SORT = {
    "Name": lambda s: s["EndpointName"],
    "CreationTime": lambda s: (s["CreationTime"], s["EndpointName"]),
    "Status": lambda s: (s["EndpointStatus"], s["EndpointName"]),
}


def list_endpoints(emu, p: dict, region: str) -> dict:
    now = _now(emu)
    needle = (p.get("NameContains") or "").lower()
    out = []
    for rec in emu.store.hosting_all("endpoint"):
        state = endpoint_state(rec, now) if rec["created"] <= now else None
        if state is None or needle not in rec["name"].lower():
            continue
        s = {"EndpointName": rec["name"], "EndpointArn": rec["arn"], "CreationTime": rec["created"],
             "LastModifiedTime": state["modified"], "EndpointStatus": state["status"]}
        if p.get("StatusEquals") and s["EndpointStatus"] != p["StatusEquals"]:
            continue
        if p.get("CreationTimeAfter") is not None and not s["CreationTime"] > p["CreationTimeAfter"]:
            continue
        if p.get("CreationTimeBefore") is not None and not s["CreationTime"] < p["CreationTimeBefore"]:
            continue
        if p.get("LastModifiedTimeAfter") is not None and not s["LastModifiedTime"] > p["LastModifiedTimeAfter"]:
            continue
        if p.get("LastModifiedTimeBefore") is not None and not s["LastModifiedTime"] < p["LastModifiedTimeBefore"]:
            continue
        out.append(s)
    out.sort(key=_SORT[p.get("SortBy", "CreationTime")], reverse=p.get("SortOrder", "Descending") == "Descending")
    chunk, nxt = page(out, p, {k: p.get(k) for k in ("NameContains", "StatusEquals", "SortBy", "SortOrder")},
                      default_max=10, limit=100)
    resp: dict[str, object] = {"Endpoints": chunk}
    if nxt:
        resp["NextToken"] = nxt
    return resp



def _list_hosting(emu, p: dict, kind: str, key: str, name_key: str, arn_key: str) -> dict:
    """ListModels / ListEndpointConfigs: NameContains, CreationTime filters, SortBy Name|CreationTime,
    SortOrder (default Descending), MaxResults 1-100 (botocore's ListModelsInput / ListEndpointConfigsInput)."""
    now = _now(emu)
    needle = (p.get("NameContains") or "").lower()
    out = []
    for rec in emu.store.hosting_all(kind):
        if rec["created"] > now or needle not in rec["name"].lower():
            continue
        if p.get("CreationTimeAfter") is not None and not rec["created"] > p["CreationTimeAfter"]:
            continue
        if p.get("CreationTimeBefore") is not None and not rec["created"] < p["CreationTimeBefore"]:
            continue
        out.append({name_key: rec["name"], arn_key: rec["arn"], "CreationTime": rec["created"]})
    sort_name = p.get("SortBy", "CreationTime") == "Name"
    out.sort(key=(lambda s: (s[name_key],)) if sort_name else (lambda s: (s["CreationTime"], s[name_key])),
             reverse=p.get("SortOrder", "Descending") == "Descending")
    chunk, nxt = page(out, p, {k: p.get(k) for k in ("NameContains", "SortBy", "SortOrder")}, default_max=10, limit=100)
    resp: dict[str, Any] = {key: chunk}
    if nxt:
        resp["NextToken"] = nxt
    return resp


def list_models(emu, p: dict, region: str) -> dict:
    return _list_hosting(emu, p, "model", "Models", "ModelName", "ModelArn")


def list_endpoint_configs(emu, p: dict, region: str) -> dict:
    return _list_hosting(emu, p, "endpoint-config", "EndpointConfigs", "EndpointConfigName", "EndpointConfigArn")
