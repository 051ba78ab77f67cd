"""Request validation as the service does it, driven by botocore's service model (the spec):
required members, types, lengths, value ranges, patterns and enums.

Messages follow the service's form: "1 validation error detected: Value 'x' at 'a.b' failed to satisfy
constraint: Member must ...". Unknown members are ignored, as the JSON services do."""

from __future__ import annotations

import functools
import re

from botocore.model import Shape

from jstui.emulator.errors import ServiceError

_MAX_REPORTED = 10


def validate(shape: Shape | None, params: object) -> None:
    if shape is None:
        return
    problems: list[str] = []
    _walk(shape, params, "", problems)
    if problems:
        n = len(problems)
        head = f"{n} validation error{'s' if n > 1 else ''} detected: "
        raise ServiceError("ValidationException", head + "; ".join(problems[:_MAX_REPORTED]))


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _show(value: object) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 100 else text[:97] + "..."


@functools.lru_cache(maxsize=1024)
def _pattern(p: str) -> re.Pattern | None:
    try:
        return re.compile(p, re.DOTALL)
    except re.error:  # Java-only syntax (\p{...}); the service's check is then not reproduced
        return None


def _walk(shape: Shape, value: object, path: str, problems: list[str]) -> None:
    t = shape.type_name
    where = path or "request"
    meta = shape.metadata
    if t == "structure":
        if not isinstance(value, dict):
            problems.append(f"Value at '{where}' failed to satisfy constraint: Member must be a structure")
            return
        for req in shape.required_members:
            if value.get(req) is None:
                sub = f"{path}.{_camel(req)}" if path else _camel(req)
                problems.append(f"Value null at '{sub}' failed to satisfy constraint: Member must not be null")
        for name, member in shape.members.items():
            if name in value and value[name] is not None:
                sub = f"{path}.{_camel(name)}" if path else _camel(name)
                _walk(member, value[name], sub, problems)
        return
    if t == "list":
        if not isinstance(value, list):
            problems.append(f"Value '{_show(value)}' at '{where}' failed to satisfy constraint: Member must be a list")
            return
        _bounds(len(value), meta, f"Value '{_show(value)}' at '{where}'", "length", problems)
        for i, item in enumerate(value, start=1):
            _walk(shape.member, item, f"{where}.{i}.member", problems)
        return
    if t == "map":
        if not isinstance(value, dict):
            problems.append(f"Value at '{where}' failed to satisfy constraint: Member must be a map")
            return
        _bounds(len(value), meta, f"Value '{_show(value)}' at '{where}'", "length", problems)
        for k, v in value.items():
            _walk(shape.key, k, f"{where}.key", problems)
            _walk(shape.value, v, f"{where}.{k}", problems)
        return
    if t == "string":
        if not isinstance(value, str):
            problems.append(f"Value '{_show(value)}' at '{where}' failed to satisfy constraint: Member must be a string")
            return
        _bounds(len(value), meta, f"Value '{_show(value)}' at '{where}'", "length", problems)
        enum = shape.enum if hasattr(shape, "enum") else meta.get("enum")
        if enum and value not in enum:
            problems.append(
                f"Value '{_show(value)}' at '{where}' failed to satisfy constraint: "
                f"Member must satisfy enum value set: [{', '.join(enum)}]"
            )
        pat = meta.get("pattern")
        if pat:
            rx = _pattern(pat)
            if rx is not None and rx.fullmatch(value) is None:
                problems.append(
                    f"Value '{_show(value)}' at '{where}' failed to satisfy constraint: "
                    f"Member must satisfy regular expression pattern: {pat}"
                )
        return
    if t in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(f"Value '{_show(value)}' at '{where}' failed to satisfy constraint: Member must be an integer")
            return
        _bounds(value, meta, f"Value '{value}' at '{where}'", "value", problems)
        return
    if t in ("float", "double"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append(f"Value '{_show(value)}' at '{where}' failed to satisfy constraint: Member must be a number")
            return
        _bounds(value, meta, f"Value '{value}' at '{where}'", "value", problems)
        return
    if t == "boolean":
        if not isinstance(value, bool):
            problems.append(f"Value '{_show(value)}' at '{where}' failed to satisfy constraint: Member must be a boolean")
        return
    if t == "timestamp":
        # awsJson1_1 sends timestamps as epoch seconds (Smithy's timestampFormat default for the JSON
        # protocols; botocore's serializer writes numbers): a string here answered 500 when compared
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append(f"Value '{_show(value)}' at '{where}' failed to satisfy constraint: Member must be a timestamp")
        return


def _bounds(n: float, meta: dict, what: str, kind: str, problems: list[str]) -> None:
    lo, hi = meta.get("min"), meta.get("max")
    word = "length " if kind == "length" else "value "
    if lo is not None and n < lo:
        op = "greater than or equal to"
        problems.append(f"{what} failed to satisfy constraint: Member must have {word}{op} {lo}")
    if hi is not None and n > hi:
        op = "less than or equal to"
        problems.append(f"{what} failed to satisfy constraint: Member must have {word}{op} {hi}")
