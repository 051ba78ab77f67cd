"""Algorithm families: what each emulated training script logs and, for built-ins, the metric definitions
the service supplies (docs/emulator.md, "Algorithm families")."""

from __future__ import annotations

from types import ModuleType

from jstui.emulator.families import (
    builtin_image_classification,
    builtin_object_detection,
    jumpstart_ic,
    jumpstart_object_detection,
)
from jstui.emulator.families.common import JobContext, Run

FAMILIES: dict[str, ModuleType] = {
    m.NAME: m
    for m in (jumpstart_ic, jumpstart_object_detection, builtin_image_classification, builtin_object_detection)
}

__all__ = ["FAMILIES", "JobContext", "Run", "run_job", "builtin_metric_definitions"]


def run_job(ctx: JobContext) -> Run:
    return FAMILIES[ctx.profile.family].run(ctx)


def builtin_metric_definitions(family: str) -> tuple[tuple[str, str], ...]:
    return FAMILIES[family].METRIC_DEFINITIONS
