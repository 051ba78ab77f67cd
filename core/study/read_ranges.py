"""Reading `[tuning.ranges.<name>]` tables into ParameterRanges: categorical values or multiples of
the default, continuous/integer bounds and scaling; empty and inverted ranges are problems."""

from __future__ import annotations

from typing import Any

from jstui.study import schema as S
from jstui.study import values as V
from jstui.study.locate import Path as KeyPath
from jstui.domain.model import ParameterRange
from jstui.study.read_base import INVALID, BaseReader

MAX_CATEGORICAL_VALUES = 30  # SageMaker's limit per categorical range


class RangesReader(BaseReader):
    def ranges(self, raw: Any, at: KeyPath) -> tuple[ParameterRange, ...] | Any:
        if raw is None:
            return ()
        if raw is INVALID or not isinstance(raw, dict):
            return INVALID
        out: list[ParameterRange] = []
        ok = True
        for hp, spec in raw.items():
            r = self.one_range(hp, spec, at + (hp,))
            if r is None:
                ok = False
            else:
                out.append(r)
        return tuple(out) if ok else INVALID

    def one_range(self, hp: str, raw: Any, at: KeyPath) -> ParameterRange | None:
        if not isinstance(raw, dict):
            self.p.error(at, f"expected a table (type = \"categorical\", values = [...]), got {V.toml_type(raw)}")
            return None
        f = self.fields(raw, S.RANGE, at)
        if any(v is INVALID for v in f.values()):
            return None
        kind = f["type"]
        bad = False
        if kind == "categorical":
            for k in ("min", "max"):
                if f[k] is not None:
                    self.p.error(at + (k,), "is for continuous and integer ranges; a categorical range takes values "
                                            "or relative_to_default")
                    bad = True
            if "scaling" in raw:
                self.p.error(at + ("scaling",), "is for continuous and integer ranges")
                bad = True
            vals, rel = f["values"], f["relative_to_default"]
            if (vals is None) == (rel is None):
                self.p.error(at, "a categorical range needs exactly one of values = [...] or relative_to_default = [...]")
                return None
            given = vals if vals is not None else rel
            key = "values" if vals is not None else "relative_to_default"
            if not given:
                self.p.error(at + (key,), "is empty: the range has nothing to try")
                return None
            if len(given) > MAX_CATEGORICAL_VALUES:
                self.p.error(at + (key,), f"has {len(given)} values; SageMaker allows {MAX_CATEGORICAL_VALUES}")
                bad = True
            as_text = [V.hyperparameter_string(v) for v in given]
            dups = sorted({v for v in as_text if as_text.count(v) > 1})
            if dups:
                self.p.error(at + (key,), f"lists {', '.join(dups)} more than once")
                bad = True
            if rel is not None and any(x <= 0 for x in rel):
                self.p.error(at + (key,), "multiples of the default must be > 0")
                bad = True
            if bad:
                return None
            return ParameterRange(hp, "categorical",
                                  values=tuple(as_text) if vals is not None else None,
                                  relative_to_default=tuple(float(x) for x in rel) if rel is not None else None)
        for k in ("values", "relative_to_default"):
            if f[k] is not None:
                self.p.error(at + (k,), f"is for categorical ranges; a {kind} range takes min and max")
                bad = True
        lo, hi = f["min"], f["max"]
        for k, v in (("min", lo), ("max", hi)):
            if v is None:
                self.p.error(at + (k,) if k in raw else at, f"a {kind} range needs {k}")
                bad = True
            elif kind == "integer" and not float(v).is_integer():
                self.p.error(at + (k,), f"{v} is not an integer (an integer range takes whole numbers)")
                bad = True
        if bad:
            return None
        if lo > hi:
            self.p.error(at + ("min",), f"the range is inverted: min {lo} > max {hi} (swap them)")
            return None
        if lo == hi:
            self.p.error(at + ("min",), f"the range is empty: min = max = {lo} (for one fixed value use "
                                        f"type = \"categorical\", values = [{lo}])")
            return None
        scaling = f["scaling"]
        if scaling == "Logarithmic" and lo <= 0:
            self.p.error(at + ("scaling",), f"Logarithmic scaling needs min > 0 (min is {lo})")
            return None
        if scaling == "ReverseLogarithmic" and (kind != "continuous" or lo < 0 or hi >= 1):
            self.p.error(at + ("scaling",), "ReverseLogarithmic needs a continuous range with 0 <= min < max < 1")
            return None
        return ParameterRange(hp, kind, min=float(lo), max=float(hi), scaling=scaling)
