"""Reading `[metrics]`: a preset and/or `[[metrics.definitions]]`, each regex checked."""

from __future__ import annotations

from typing import Any

from jstui.study import schema as S
from jstui.study.locate import Path as KeyPath
from jstui.domain.metrics import MAX_DEFINITIONS, MAX_NAME_LEN, PRESETS, lint_regex, regex_problem
from jstui.domain.model import MetricDefinition
from jstui.study.read_base import INVALID, BaseReader


class MetricsReader(BaseReader):
    def metrics(self, raw: Any, at: KeyPath) -> tuple[str | None, tuple[MetricDefinition, ...]] | Any:
        """(preset, definitions) with the preset's definitions first, or INVALID."""
        if raw is None:
            return (None, ())
        f = self.fields(raw, S.METRICS, at)
        if any(v is INVALID for v in f.values()):
            return INVALID
        preset = f["preset"]
        defs: list[MetricDefinition] = list(PRESETS[preset]) if preset else []
        for d in defs:  # the presets pass the same lint as a study's own regexes
            lint = lint_regex(d.regex)
            if lint:
                self.p.warning(at + ("preset",), f"{d.name}: {lint}")
        ok = True
        for i, d in enumerate(f["definitions"] or []):
            dat = at + ("definitions", i)
            df = self.fields(d, S.METRIC_DEFINITION, dat)
            name, regex = df["name"], df["regex"]
            if name is INVALID or regex is INVALID:
                ok = False
                continue
            if not name.strip() or len(name) > MAX_NAME_LEN:
                self.p.error(dat + ("name",), f"must be 1 to {MAX_NAME_LEN} characters")
                ok = False
                continue
            if any(x.name == name for x in defs):
                origin = f"preset '{preset}'" if preset and any(x.name == name for x in PRESETS[preset]) else "above"
                self.p.error(dat + ("name",), f"metric '{name}' is already defined {'by ' if 'preset' in origin else ''}"
                                              f"{origin}")
                ok = False
                continue
            msg = regex_problem(regex)
            if msg:
                self.p.error(dat + ("regex",), msg)
                ok = False
                continue
            lint = lint_regex(regex)
            if lint:
                self.p.warning(dat + ("regex",), lint)
            defs.append(MetricDefinition(name, regex))
        if len(defs) > MAX_DEFINITIONS:
            self.p.error(at, f"{len(defs)} metric definitions; SageMaker allows {MAX_DEFINITIONS} per job")
            ok = False
        return (preset, tuple(defs)) if ok else INVALID
