"""One invocation of a freshly deployed image classifier with the shipped sample image, and its
answer as one line (JumpStart's verbose JSON, a list of {label, score}, or a bare probability
vector as the built-in algorithm answers)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from jstui.aws.hosting import translate_error

SAMPLE_IMAGE = "smoke-test.jpg"


def sample_image() -> bytes:
    """The shipped smoke-test picture (a tiny JPEG: sky, sun, hill)."""
    return resources.files("jstui.sample_studies").joinpath("images", SAMPLE_IMAGE).read_bytes()


def smoke_invoke(runtime: Any, name: str, image: bytes | None = None) -> str:
    """One invocation with the sample image; the answer as one line (top prediction)."""
    try:
        resp = runtime.invoke_endpoint(EndpointName=name, ContentType="application/x-image",
                                       Accept="application/json;verbose", Body=image or sample_image())
    except Exception as exc:
        raise translate_error(exc, f"invoking endpoint {name}") from None
    body = resp["Body"].read()
    return describe_prediction(body)


def describe_prediction(body: bytes | str) -> str:
    """One line from an image classifier's answer: JumpStart's verbose JSON (`predicted_label`,
    `labels`, `probabilities`), a list of {label, score}, or whatever text came back."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        data = json.loads(text)
    except ValueError:
        return " ".join(text.split())[:200] or "(empty answer)"
    top = _top_prediction(data)
    if top is None:
        return " ".join(json.dumps(data).split())[:200]
    label, score = top
    return f"{label} ({score:.1%})" if score is not None else str(label)


def _top_prediction(data: Any) -> tuple[str, float | None] | None:
    if isinstance(data, dict):
        probs, labels = data.get("probabilities"), data.get("labels")
        if isinstance(probs, list) and probs and isinstance(labels, list) and len(labels) == len(probs):
            i = max(range(len(probs)), key=lambda k: probs[k])
            return str(labels[i]), float(probs[i])
        if "predicted_label" in data:
            return str(data["predicted_label"]), None
        for key in ("predictions", "prediction", "top_k", "results"):
            if key in data:
                return _top_prediction(data[key])
        if "label" in data:
            score = data.get("score", data.get("probability", data.get("confidence")))
            return str(data["label"]), float(score) if isinstance(score, (int, float)) else None
        return None
    if isinstance(data, list) and data:
        if all(isinstance(x, (int, float)) for x in data):  # the built-in's bare probability vector
            i = max(range(len(data)), key=lambda k: data[k])
            return f"class {i}", float(data[i])
        tops = [t for t in (_top_prediction(x) for x in data) if t is not None]
        if tops:
            return max(tops, key=lambda t: t[1] if t[1] is not None else -1.0)
    return None
