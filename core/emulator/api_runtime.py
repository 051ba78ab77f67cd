"""sagemaker-runtime InvokeEndpoint: any non-empty body (an image) gets a JSON top-k prediction whose
confidence follows the deployed training job's accuracy. Errors as the runtime gives them
(`ValidationError` for an unknown or not-yet-serving endpoint, or an empty body)."""

from __future__ import annotations

import hashlib
import json
import random

from jstui.emulator.api_hosting import endpoint_state
from jstui.emulator.api_tuning import find_training_job
from jstui.emulator.errors import ServiceError
from jstui.emulator.schedule import metric_value
from jstui.emulator.views import ACCOUNT

# a job's own figures of how good it is, most direct first
_QUALITY_REGEXES = (
    (r"- Test accuracy: ([0-9\.]+)", False),
    (r"Epoch\[\d+\] Validation-accuracy=([0-9\.]+)", False),
    (r"validation mAP <score>=\(([0-9\.]+)\)", False),
    (r"Val_CrossEntropy=([0-9\.]+)", True),
)
CLASSES = 257  # Caltech-256 and its clutter class


def _not_found(name: str) -> ServiceError:
    return ServiceError("ValidationError", f"Endpoint {name} of account {ACCOUNT} not found.")


def _quality(job) -> float:
    for regex, is_loss in _QUALITY_REGEXES:
        found = metric_value(regex, job.lines)
        if found:
            return max(0.05, 1.0 - found[1]) if is_loss else found[1]
    return 0.5


def invoke_endpoint(emu, params: dict, region: str) -> tuple[str, bytes, str]:
    return emu.run("sagemaker-runtime", "InvokeEndpoint", _invoke, params, region)


def _invoke(emu, p: dict, region: str):
    name, body = p["EndpointName"], p["Body"]
    rec = emu.store.hosting("endpoint", name)
    state = endpoint_state(rec, emu.now()) if rec and rec["created"] <= emu.now() else None
    if state is None or not state.get("serving") or state["status"] not in ("InService", "Updating"):
        raise _not_found(name)
    if not body:
        raise ServiceError("ValidationError", "1 validation error detected: Value at 'body' failed to satisfy "
                                              "constraint: Member must not be null")
    serving = state["serving"]
    found = find_training_job(emu, serving["training_job"] or "")
    job = found[2] if found else None
    quality = _quality(job) if job else 0.5
    rng = random.Random(hashlib.sha256(body).hexdigest())
    family = job.profile.family if job else "jumpstart-ic"
    if family.endswith("object-detection") or family == "jumpstart-od":
        boxes = []
        for _ in range(3):
            x, y = rng.random() * 0.6, rng.random() * 0.6
            boxes.append([float(rng.randrange(6)), round(min(0.99, quality * (0.8 + 0.4 * rng.random())), 4),
                          round(x, 4), round(y, 4), round(x + 0.2 + 0.2 * rng.random(), 4),
                          round(y + 0.2 + 0.2 * rng.random(), 4)])
        answer: dict[str, object] = {"prediction": sorted(boxes, key=lambda b: -b[1])}
    else:
        top = min(0.99, max(0.01, quality + rng.uniform(-0.05, 0.05)))
        rest, probs = 1.0 - top, [top]
        for _ in range(4):
            share = rest * rng.uniform(0.3, 0.6)
            probs.append(share)
            rest -= share
        labels = [f"class-{c:03d}" for c in rng.sample(range(1, CLASSES + 1), 5)]
        answer = {"predicted_label": labels[0], "labels": labels, "probabilities": [round(x, 6) for x in probs]}
    return "application/json", json.dumps(answer).encode(), serving["variant"]
