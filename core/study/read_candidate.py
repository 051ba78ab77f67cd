"""Reading one `[[models]]` entry into a Candidate: its model, its overrides of `[resources]`,
`[tuning]` and `[metrics]` merged over the study's, its name, objective and direction."""

from __future__ import annotations

import re
from typing import Any, cast

from jstui.study import schema as S
from jstui.study import values as V
from jstui.domain.algorithms import BUILTIN_METRICS, SELECTING_HYPERPARAMETERS
from jstui.study.locate import Path as KeyPath
from jstui.domain.metrics import PRESET_OBJECTIVES
from jstui.domain.model import Candidate, Direction, Resources, Tuning
from jstui.study.read_base import INVALID
from jstui.study.read_metrics import MetricsReader
from jstui.study.read_ranges import RangesReader
from jstui.study.validate import CandidateSite


class CandidateReader(RangesReader, MetricsReader):
    def candidate(self, raw: dict[str, Any], i: int, res: dict[str, Any], tun: dict[str, Any],
                  static: dict[str, str], ranges: Any, metrics: Any) -> Candidate | None:
        at: KeyPath = ("models", i)
        f = self.fields(raw, S.MODEL, at)
        model_id, algorithm = f["id"], f["algorithm"]
        if model_id is None and algorithm is None:
            self.p.error(at, "a candidate needs id = \"<JumpStart model id>\" or algorithm = \"image-classification\"")
            return None
        if model_id is not None and algorithm is not None and INVALID not in (model_id, algorithm):
            self.p.error(at + ("algorithm",), "give either id (a JumpStart model) or algorithm (a built-in), not both")
            return None
        if isinstance(model_id, str) and not re.match(r"^[a-z0-9][a-z0-9._-]*$", model_id):
            self.p.error(at + ("id",), f"{model_id!r} is not a JumpStart model id (lowercase, e.g. "
                                       "tensorflow-ic-efficientnet-v2-imagenet21k-ft1k-m)")
            model_id = INVALID
        hps = self.scalars(f["hyperparameters"], at + ("hyperparameters",))

        # [resources]: key by key over the study's.
        c_res = self.fields(raw.get("resources", {}), S.RESOURCES, at + ("resources",), fill_defaults=False) \
            if "resources" in raw else {}
        self.check_resources(c_res, at + ("resources",))
        merged_res = {**res, **c_res}

        # [tuning]: key by key over the study's; static and ranges replace the study's whole.
        c_tun: dict[str, Any] = {}
        if "tuning" in raw:
            rt = raw["tuning"]
            if isinstance(rt, dict) and "max_parallel_tuning_jobs" in rt:
                self.p.error(at + ("tuning", "max_parallel_tuning_jobs"),
                             "is study-wide: set it in [tuning], not per candidate")
                rt = {k: v for k, v in rt.items() if k != "max_parallel_tuning_jobs"}
            c_tun = self.fields(rt, S.TUNING, at + ("tuning",), keys=S.CANDIDATE_TUNING_KEYS, fill_defaults=False)
            self.check_tuning(c_tun, at + ("tuning",))
        merged_tun = {**tun, **c_tun}
        c_static = self.scalars(c_tun["static"], at + ("tuning", "static")) if "static" in c_tun else static
        c_ranges = self.ranges(c_tun["ranges"], at + ("tuning", "ranges")) if "ranges" in c_tun else ranges

        # [metrics]: replaced whole.
        c_metrics = self.metrics(raw["metrics"], at + ("metrics",)) if "metrics" in raw else metrics
        if algorithm is not None and "metrics" in raw:
            self.p.error(at + ("metrics",), f"built-in algorithms supply their own metrics "
                                            f"({', '.join(BUILTIN_METRICS.get(str(algorithm), {}))}); remove this table")

        name = f["name"]
        if name is None and isinstance(model_id, str):
            name = model_id
        elif name is None and isinstance(algorithm, str):
            # e.g. image-classification-50: the algorithm and the values that select its model.
            picks = [hps[k] for k in SELECTING_HYPERPARAMETERS.get(algorithm, ()) if k in hps]
            name = re.sub(r"[^A-Za-z0-9._-]+", "-", "-".join([algorithm, *picks])).strip("-")
        if isinstance(name, str) and not V.CANDIDATE_NAME.match(name):
            fixed = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-")
            self.p.error(at + ("name",), f"{name!r} may use only letters, digits, '.', '_' and '-' (it is part of "
                                         "job names)" + (f" (e.g. '{fixed}')" if fixed else ""))
            name = INVALID

        if INVALID in (model_id, algorithm, name, c_ranges, c_metrics) or any(
                v is INVALID for v in list(merged_res.values()) + list(merged_tun.values())):
            return None

        # Spot: MaxWaitTimeInSeconds must cover the runtime.
        res_at = at + ("resources",) if c_res else ("resources",)
        max_wait = merged_res["max_wait_s"]
        if merged_res["spot"]:
            if max_wait is not None and max_wait < merged_res["max_runtime_s"]:
                self.p.error(res_at + ("max_wait_s",), f"{max_wait} is less than max_runtime_s ({merged_res['max_runtime_s']}): "
                                              "a spot job may wait at most max_wait_s in total, so it must be >= "
                                              "max_runtime_s")
                return None
        elif max_wait is not None:
            self.p.error(res_at + ("max_wait_s",), "only applies to spot training (set spot = true, or remove it)")
            return None

        preset, defs = c_metrics
        objective, direction = self.objective(at, c_tun, tun, algorithm, preset)
        if objective is None:
            return None
        origins: dict[str, KeyPath] = {
            "objective": at + ("tuning", "objective") if "objective" in c_tun
            else (("tuning", "objective") if tun.get("objective") else at),
            "strategy": at + ("tuning", "strategy") if "strategy" in c_tun else ("tuning", "strategy"),
            "static": at + ("tuning", "static") if "static" in c_tun else ("tuning", "static"),
            "ranges": at + ("tuning", "ranges") if "ranges" in c_tun else ("tuning", "ranges"),
            "max_jobs": at + ("tuning", "max_jobs") if "max_jobs" in c_tun else ("tuning", "max_jobs"),
            "metrics": at + ("metrics",) if "metrics" in raw else ("metrics",),
            "hyperparameters": at + ("hyperparameters",),
            "id": at + ("id",),
            "name": at + ("name",) if f["name"] is not None else at,
            "candidate": at,
        }
        cand = Candidate(
            name=name,
            model_id=model_id,
            algorithm=algorithm,
            model_version=f["version"],
            hyperparameters=hps,
            resources=Resources(
                instance_type=merged_res["instance_type"],
                instance_count=int(merged_res["instance_count"]),
                spot=bool(merged_res["spot"]),
                max_runtime_s=int(merged_res["max_runtime_s"]),
                max_wait_s=int(max_wait) if max_wait is not None else None,
            ),
            tuning=Tuning(
                objective=objective,
                direction=cast(Direction, direction),  # the schema allows only Maximize or Minimize
                strategy=merged_tun["strategy"],
                max_jobs=int(merged_tun["max_jobs"]),
                max_parallel_jobs=int(merged_tun["max_parallel_jobs"]),
                static=dict(c_static),
                ranges=tuple(c_ranges),
            ),
            metrics=() if algorithm else defs,
            metrics_preset=None if algorithm else preset,
        )
        self.sites.append(CandidateSite(i, cand, origins))
        return cand

    def objective(self, at: KeyPath, c_tun: dict[str, Any], tun: dict[str, Any], algorithm: Any,
                  preset: str | None) -> tuple[str | None, str]:
        """The candidate's objective and direction: given (candidate, then study), else its family's."""
        objective = c_tun.get("objective") or tun.get("objective")
        direction = c_tun.get("direction") or tun.get("direction")
        family: tuple[str, str] | None = None
        if algorithm:
            name, d = next(iter(BUILTIN_METRICS[algorithm].items()))
            family = (name, d)
        elif preset:
            family = PRESET_OBJECTIVES.get(preset)
        if algorithm and "objective" not in c_tun and objective is not None and family is not None \
                and objective not in BUILTIN_METRICS[algorithm]:
            # A built-in cannot report a JumpStart objective; it is tuned on its own (seed 002 mixes both).
            self.p.warning(("tuning", "objective"), f"'{objective}' is not a metric of the built-in {algorithm} "
                                                    f"algorithm; candidate models[{cast(int, at[1]) + 1}] is tuned on {family[0]} "
                                                    "(set tuning.objective on it to choose)")
            objective = None
            direction = c_tun.get("direction")
        if objective is None:
            if family is None:
                self.p.error(at, "has no objective: set [tuning] objective = \"<metric>\" (no metric preset gives one)")
                return None, ""
            objective = family[0]
            direction = direction or family[1]
        if direction is None:
            if algorithm and objective in BUILTIN_METRICS[algorithm]:
                direction = BUILTIN_METRICS[algorithm][objective]
            elif family and objective == family[0]:
                direction = family[1]
            else:
                direction = "Maximize"
        return objective, direction
