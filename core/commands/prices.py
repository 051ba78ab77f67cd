"""`jstui prices` (not built yet)."""

from __future__ import annotations

from ..errors import JstuiError


def add_arguments(parser) -> None:  # noqa: ARG001
    pass


def run(args) -> int:  # noqa: ARG001
    raise JstuiError("'prices' is not built yet")
