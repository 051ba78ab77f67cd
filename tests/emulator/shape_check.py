"""Check a raw JSON response against botocore's output shape: types, required members, no unknown members."""

from __future__ import annotations

from botocore.model import Shape


def problems(shape: Shape, value, path: str = "$") -> list[str]:
    out: list[str] = []
    t = shape.type_name
    if t == "structure":
        if not isinstance(value, dict):
            return [f"{path}: expected structure, got {type(value).__name__}"]
        for req in shape.required_members:
            if req not in value:
                out.append(f"{path}: required member {req} missing")
        for k, v in value.items():
            if k not in shape.members:
                out.append(f"{path}: unknown member {k}")
            else:
                out += problems(shape.members[k], v, f"{path}.{k}")
    elif t == "list":
        if not isinstance(value, list):
            return [f"{path}: expected list"]
        for i, v in enumerate(value):
            out += problems(shape.member, v, f"{path}[{i}]")
    elif t == "map":
        if not isinstance(value, dict):
            return [f"{path}: expected map"]
        for k, v in value.items():
            out += problems(shape.key, k, f"{path}<key>")
            out += problems(shape.value, v, f"{path}[{k!r}]")
    elif t == "string":
        if not isinstance(value, str):
            out.append(f"{path}: expected string, got {value!r}")
        elif shape.enum and value not in shape.enum:
            out.append(f"{path}: {value!r} not in enum {shape.enum}")
    elif t in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            out.append(f"{path}: expected integer, got {value!r}")
    elif t in ("float", "double"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            out.append(f"{path}: expected number, got {value!r}")
    elif t == "boolean":
        if not isinstance(value, bool):
            out.append(f"{path}: expected boolean, got {value!r}")
    elif t == "timestamp":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            out.append(f"{path}: expected epoch-seconds timestamp, got {value!r}")
    return out
