"""Rules over whole candidates and across candidates, run once each candidate is typed: names
that clash, objectives that no metric reports, Grid over non-categorical ranges, hyperparameters a
built-in algorithm rejects (seed 003), a hyperparameter both fixed and tuned, frontier axes, model
ids missing from the offline JumpStart snapshot, models missing from the emulator catalog."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jstui.domain.catalog import Catalog, read_catalog_file
from jstui.domain.errors import UsageError
from jstui.domain.algorithms import BUILTIN_HYPERPARAMETERS, BUILTIN_METRICS, builtin_cross_problems
from jstui.study.locate import Path as KeyPath
from jstui.domain.model import Candidate, ParameterRange
from jstui.study.problems import Problems, suggest
from jstui.study.validate_jumpstart import check_jumpstart_hyperparameters, jumpstart_ids, jumpstart_versions, version_problem

MAX_GRID_COMBINATIONS = 750  # a Grid tuning job runs every combination, within the 750-job limit
FRONTIER_EXTRA_AXES = ("cost_usd", "train_duration")


@dataclass(frozen=True)
class CandidateSite:
    """A typed candidate and where in the file each of its settings was written."""

    index: int
    candidate: Candidate
    origins: dict[str, KeyPath]


def validate_candidates(sites: list[CandidateSite], problems: Problems, *, frontier_raw: Any = None,
                        catalogs: tuple[Path, ...] = (), jumpstart_dir: Path | None = None,
                        backend: str = "emulator") -> None:
    _unique_names(sites, problems)
    known_ids = jumpstart_ids(jumpstart_dir)
    versions = jumpstart_versions(jumpstart_dir)
    for site in sites:
        _objective(site, problems)
        _fixed_and_tuned(site, problems)
        _strategy(site, problems)
        _service_limits(site, problems)
        if site.candidate.algorithm:
            _builtin_hyperparameters(site, problems, backend)
        elif known_ids is not None and site.candidate.model_id not in known_ids:
            mid = site.candidate.model_id or ""
            problems.error(site.origins["id"], f"{mid!r} is not in the offline JumpStart snapshot "
                                               f"({jumpstart_dir}){suggest(mid, known_ids)}")
        elif site.candidate.model_id and isinstance(site.candidate.model_version, str) and (msg := version_problem(
                site.candidate.model_version, versions.get(site.candidate.model_id, []))):
            problems.error(site.origins["candidate"] + ("version",), msg)  # not "unknown model id" at launch
    check_jumpstart_hyperparameters(sites, problems, jumpstart_dir)
    _frontier(sites, problems, frontier_raw)
    _catalog_coverage(sites, problems, catalogs)


def metric_names(c: Candidate) -> tuple[str, ...]:
    if c.algorithm:
        return tuple(BUILTIN_METRICS.get(c.algorithm, {}))
    return tuple(d.name for d in c.metrics)


def _unique_names(sites: list[CandidateSite], problems: Problems) -> None:
    seen: dict[str, CandidateSite] = {}
    for site in sites:
        name = site.candidate.name
        # SageMaker job names are case-insensitive, so names differing only in case would clash.
        other = seen.get(name.lower())
        if other is None:
            seen[name.lower()] = site
            continue
        how = "the same name as" if other.candidate.name == name else "a name differing only in case from"
        hint = "" if "name" in site.origins and site.origins["name"] != site.origins["candidate"] else \
            " (candidates default to their model id: give one a distinct name = \"...\")"
        problems.error(site.origins["name"], f"candidate '{name}' has {how} models[{other.index + 1}]; candidate "
                                             f"names must be unique{hint}")


def _objective(site: CandidateSite, problems: Problems) -> None:
    c = site.candidate
    names = metric_names(c)
    if c.tuning.objective in names:
        return
    at = site.origins["objective"]
    if c.algorithm:
        problems.error(at, f"objective '{c.tuning.objective}' is not a metric of the built-in {c.algorithm} algorithm "
                           f"used by '{c.name}' (it reports {', '.join(names)}; set tuning.objective on that "
                           "candidate)")
    elif not names:
        problems.error(site.origins["metrics"], f"candidate '{c.name}' has no metric definitions, so SageMaker cannot "
                                                "read its objective (set [metrics] preset = \"jumpstart-ic\" or add "
                                                "[[metrics.definitions]])", fallback=site.origins["candidate"])
    else:
        problems.error(at, f"objective '{c.tuning.objective}' is not among the metric definitions of '{c.name}'"
                           f"{suggest(c.tuning.objective, names)}")


def _fixed_and_tuned(site: CandidateSite, problems: Problems) -> None:
    c = site.candidate
    for r in c.tuning.ranges:
        if r.name in c.tuning.static:
            problems.error(site.origins["ranges"] + (r.name,), f"'{r.name}' is both tuned here and fixed in "
                                                               "tuning.static (remove one)")
        if r.name in c.hyperparameters:
            problems.error(site.origins["hyperparameters"] + (r.name,), f"'{r.name}' is fixed for '{c.name}' but "
                                                                        "also tuned in tuning.ranges (remove one)")


# CreateHyperParameterTuningJob's length limits (botocore's service model, sagemaker 2017-07-24:
# TagValue max 256, ParameterKey/ParameterValue max 256, HyperParameterKey max 256, HyperParameterValue
# max 2500, HyperParameters (StaticHyperParameters) at most 100 entries; Integer-, Continuous- and
# CategoricalParameterRanges at most 30 each, and the Developer Guide's "Define hyperparameter
# ranges": at most 30 hyperparameters searched in all). Checked here so the plan says so (exit 2)
# instead of the service refusing the launch (exit 4).
MAX_TAG_VALUE = 256
MAX_PARAMETER_NAME = 256
MAX_PARAMETER_VALUE = 256
MAX_STATIC_VALUE = 2500
MAX_STATIC_COUNT = 100
MAX_RANGES = 30


def _service_limits(site: CandidateSite, problems: Problems) -> None:
    c = site.candidate
    if len(c.name) > MAX_TAG_VALUE:
        problems.error(site.origins["name"], f"candidate name is {len(c.name)} characters; at most {MAX_TAG_VALUE} "
                                             "(it is a tag value of its tuning job)")
    if c.model_id and len(c.model_id) > MAX_TAG_VALUE:
        problems.error(site.origins["id"], f"model id is {len(c.model_id)} characters; at most {MAX_TAG_VALUE} "
                                           "(it is a tag value of its tuning job)")
    if len(c.tuning.ranges) > MAX_RANGES:
        problems.error(site.origins["ranges"], f"'{c.name}' tunes {len(c.tuning.ranges)} hyperparameters; "
                                               f"SageMaker searches at most {MAX_RANGES}")
    for r in c.tuning.ranges:
        at = site.origins["ranges"] + (r.name,)
        if len(r.name) > MAX_PARAMETER_NAME:
            problems.error(at, f"hyperparameter name is {len(r.name)} characters; SageMaker allows {MAX_PARAMETER_NAME}")
        for v in r.values or ():
            if len(v) > MAX_PARAMETER_VALUE:
                problems.error(at, f"a categorical value is {len(v)} characters; SageMaker allows {MAX_PARAMETER_VALUE}")
                break
    fixed = {**c.tuning.static, **c.hyperparameters}
    if len(fixed) > MAX_STATIC_COUNT:
        problems.error(site.origins["static"], f"'{c.name}' fixes {len(fixed)} hyperparameters; SageMaker takes at "
                                               f"most {MAX_STATIC_COUNT} static hyperparameters")
    for where, table in (("static", c.tuning.static), ("hyperparameters", c.hyperparameters)):
        for k, v in table.items():
            if len(k) > MAX_PARAMETER_NAME:
                problems.error(site.origins[where] + (k,), f"hyperparameter name is {len(k)} characters; SageMaker "
                                                           f"allows {MAX_PARAMETER_NAME}")
            if len(v) > MAX_STATIC_VALUE:
                problems.error(site.origins[where] + (k,), f"value is {len(v)} characters; SageMaker allows "
                                                           f"{MAX_STATIC_VALUE} for a static hyperparameter")


def grid_combinations(ranges: tuple[ParameterRange, ...]) -> int:
    """How many training jobs a Grid search runs: the product of the categorical sizes."""
    n = 1
    for r in ranges:
        n *= len(r.values or r.relative_to_default or ())
    return n


def _strategy(site: CandidateSite, problems: Problems) -> None:
    c = site.candidate
    t = c.tuning
    if t.strategy == "Grid":
        bad = [r.name for r in t.ranges if r.type != "categorical"]
        if bad:
            problems.error(site.origins["strategy"], f"Grid search takes categorical ranges only, but "
                                                     f"{', '.join(bad)} of '{c.name}' is not categorical (use "
                                                     "Bayesian or Random, or list the values to try)")
        elif not t.ranges:
            problems.error(site.origins["strategy"], f"Grid search of '{c.name}' has no ranges to enumerate")
        elif grid_combinations(t.ranges) > MAX_GRID_COMBINATIONS:
            problems.error(site.origins["ranges"], f"the Grid of '{c.name}' has {grid_combinations(t.ranges)} "
                                                   f"combinations; a tuning job runs at most {MAX_GRID_COMBINATIONS}")
    elif t.max_parallel_jobs > t.max_jobs:
        problems.warning(site.origins["max_jobs"], f"'{c.name}': max_parallel_jobs ({t.max_parallel_jobs}) is more "
                                                   f"than max_jobs ({t.max_jobs}); only {t.max_jobs} will run")


def _builtin_hyperparameters(site: CandidateSite, problems: Problems, backend: str) -> None:
    c = site.candidate
    algo = c.algorithm or ""
    specs = BUILTIN_HYPERPARAMETERS.get(algo, {})
    # Where each value was written: the candidate's own hyperparameters win over static.
    written: dict[str, tuple[str, KeyPath]] = {}
    for k, v in c.tuning.static.items():
        written[k] = (v, site.origins["static"] + (k,))
    for k, v in c.hyperparameters.items():
        written[k] = (v, site.origins["hyperparameters"] + (k,))
    who = f"the built-in {algo} algorithm"
    for k, (v, at) in written.items():
        spec = specs.get(k)
        if spec is None:
            problems.error(at, f"'{k}' is not a hyperparameter of {who} (used by '{c.name}'){suggest(k, specs)}")
            continue
        msg = spec.problem(v)
        if msg:
            problems.error(at, f"{msg} ({who}, seed 003)" if algo == "image-classification" else msg)
    for r in c.tuning.ranges:
        at = site.origins["ranges"] + (r.name,)
        spec = specs.get(r.name)
        if spec is None:
            problems.error(at, f"'{r.name}' is not a hyperparameter of {who} (used by '{c.name}')"
                               f"{suggest(r.name, specs)}")
            continue
        if r.type != "categorical" and spec.kind not in ("int", "float"):
            problems.error(at + ("type",), f"{r.name} takes {spec.describe()}: use type = \"categorical\"")
            continue
        if r.type == "continuous" and spec.kind == "int":
            problems.error(at + ("type",), f"{r.name} takes whole numbers: use type = \"integer\"")
            continue
        for bound, key in ((r.min, "min"), (r.max, "max")):
            if bound is not None:
                text = str(int(bound)) if spec.kind == "int" and float(bound).is_integer() else repr(bound)
                msg = spec.problem(text)
                if msg:
                    problems.error(at + (key,), f"{r.name}: {msg}")
        for value in r.values or ():
            msg = spec.problem(value)
            if msg:
                problems.error(at + ("values",), f"{r.name}: {msg}")
        if r.relative_to_default and spec.default is not None and spec.kind in ("int", "float"):
            for factor in r.relative_to_default:
                scaled = float(spec.default) * factor
                text = str(int(scaled)) if spec.kind == "int" and scaled.is_integer() else repr(scaled)
                msg = spec.problem(text)
                if msg:
                    problems.error(at + ("relative_to_default",), f"{r.name}: {factor} x the default "
                                                                   f"{spec.default} gives {msg}")
    tuned = {r.name for r in c.tuning.ranges}
    for k, spec in specs.items():
        if spec.required and k not in written and k not in tuned:
            # The emulator trains without it; SageMaker fails the job, so there it is an error.
            report = problems.error if backend == "sagemaker" else problems.warning
            report(site.origins["hyperparameters"], f"'{c.name}' lacks {k}, which {who} requires on SageMaker "
                                                    f"(add it to hyperparameters, e.g. {k} = ...)")
    for k, msg in builtin_cross_problems(algo, {k: v for k, (v, _) in written.items()}):
        if k in written:
            problems.error(written[k][1], msg)
        else:
            problems.error(site.origins["hyperparameters"], f"{k}: {msg}")


def _frontier(sites: list[CandidateSite], problems: Problems, raw: Any) -> None:
    if not isinstance(raw, dict):
        return
    names = [s.candidate.name for s in sites]
    base = raw.get("base")
    if isinstance(base, str) and base and base not in names:
        problems.error(("frontier", "base"), f"'{base}' is not a candidate of this study{suggest(base, names)}")
    metrics: set[str] = set(FRONTIER_EXTRA_AXES)
    for s in sites:
        metrics.update(metric_names(s.candidate))
    for axis in ("x", "y"):
        value = raw.get(axis)
        # Only axes the user wrote are checked: the defaults suit JumpStart studies, and a study
        # without those metrics simply has no frontier.
        if isinstance(value, str) and sites and value not in metrics:
            problems.error(("frontier", axis), f"'{value}' is not a metric of any candidate, nor cost_usd or "
                                               f"train_duration{suggest(value, sorted(metrics))}")


def _catalog_coverage(sites: list[CandidateSite], problems: Problems, catalogs: tuple[Path, ...]) -> None:
    paths = [p for p in catalogs if p.is_file()]
    if not paths:
        return
    figures = []
    for p in paths:
        try:
            figures.extend(read_catalog_file(p))
        except UsageError as exc:
            problems.error(("emulator", "catalog"), f"catalog problem: {exc}")
            return
    catalog = Catalog(figures)
    for s in sites:
        cid = s.candidate.catalog_id
        if not catalog.has_model(cid):
            problems.warning(s.origins["candidate"], f"the emulator catalog has no figures for '{cid}': the emulator "
                                                     "will train it with synthetic figures")

