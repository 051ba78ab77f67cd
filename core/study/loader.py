"""`load_study(path) -> Study`: read a study file (tomllib), check every key against the schema,
resolve each candidate's overrides, and report ALL problems at once as one line each
(`FILE:LINE: field: what is wrong (suggestion)`) in a StudyFileError (exit 2)."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path
from typing import Any

from ..errors import StudyFileError
from . import schema as S
from . import values as V
from .algorithms import BUILTIN_METRICS, SELECTING_HYPERPARAMETERS
from .locate import LineIndex
from .locate import Path as KeyPath
from .metrics import MAX_DEFINITIONS, MAX_NAME_LEN, PRESET_OBJECTIVES, PRESETS, lint_regex, regex_problem
from .model import (
    Budget,
    Candidate,
    EmulatorSettings,
    FrontierSettings,
    MetricDefinition,
    ParameterRange,
    Resources,
    Study,
    Tuning,
)
from .problems import Problems, suggest
from .validate import CandidateSite, validate_candidates

INVALID = object()  # a value that failed its check: later checks skip it

# Service limits (DESIGN "SageMaker facts"; CreateHyperParameterTuningJob, CreateTrainingJob).
MAX_JOBS = 750
MAX_PARALLEL_JOBS = 100
MAX_PARALLEL_TUNING_JOBS = 100
MAX_RUNTIME_S = 28 * 24 * 3600
MAX_CATEGORICAL_VALUES = 30
STUDY_NAME_MAX = 20

EMULATOR_ROLE = "arn:aws:iam::111122223333:role/jstui-emulator"


def load_study(path: Path | str) -> Study:
    """Load and validate a study file. Raises StudyFileError listing every problem."""
    given = str(path)
    p = Path(path).expanduser()
    if not p.exists():
        raise StudyFileError([f"{given}: no such study file"])
    if p.is_dir():
        raise StudyFileError([f"{given}: is a directory, not a study file (.toml)"])
    try:
        text = p.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        line = p.read_bytes()[: exc.start].count(b"\n") + 1
        raise StudyFileError([f"{given}:{line}: (file): not UTF-8 text (byte {exc.start}); save it as UTF-8"]) from None
    except OSError as exc:
        raise StudyFileError([f"{given}: cannot read the study file: {exc.strerror or exc}"]) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StudyFileError([toml_syntax_line(given, exc)]) from None
    problems = Problems(given, LineIndex(text))
    study = _StudyReader(raw, p.resolve(), problems).build()
    if problems.errors or study is None:
        raise StudyFileError(problems.errors or [f"{given}: invalid study file"])
    return dataclasses.replace(study, warnings=tuple(problems.warnings))


# tomllib's words for the commonest slips, and what usually causes them.
_SYNTAX_HINTS = {
    "Illegal character '\\n'": "; a string is missing its closing quote",
    "Cannot overwrite a value": "; a key or table is written twice",
    "Invalid value": "; strings need quotes, booleans are true/false",
    "Unclosed array": "; an array is missing its ]",
    "Unclosed inline table": "; an inline table { ... } must close on the same line",
}


def toml_syntax_line(given: str, exc: tomllib.TOMLDecodeError) -> str:
    """tomllib says "Expected '=' after a key in a key/value pair (at line 3, column 7)"."""
    msg = str(exc).replace("\n", " ")
    m = re.search(r"\s*\(at line (\d+), column (\d+)\)\s*$", msg)
    if m:
        reason = msg[: m.start()].strip()
        hint = next((h for k, h in _SYNTAX_HINTS.items() if k in reason), "")
        return f"{given}:{m.group(1)}: TOML syntax: {reason[:1].lower() + reason[1:]} (column {m.group(2)}){hint}"
    m = re.search(r"\s*\(at end of document\)\s*$", msg)
    reason = msg[: m.start()].strip() if m else msg.strip()
    where = " (at the end of the file)" if m else ""
    hint = next((h for k, h in _SYNTAX_HINTS.items() if k in reason), "")
    return f"{given}: TOML syntax: {reason[:1].lower() + reason[1:]}{where}{hint}"


def _misplaced_hint(key: str, here: str) -> str:
    """` (it belongs in [resources])` when `key` is a key of another top-level table."""
    for t in S.TOP_LEVEL:
        if t.name != here and key in t.keys and t.name != "models":
            return f" (it belongs in [{t.name}])"
    return ""


class _StudyReader:
    def __init__(self, raw: dict[str, Any], path: Path, problems: Problems):
        self.raw = raw
        self.path = path
        self.base = path.parent
        self.p = problems
        self.sites: list[CandidateSite] = []

    # --- generic reading ---------------------------------------------------------------------------
    def fields(self, raw: object, table: S.Table, at: KeyPath, *, keys: tuple[str, ...] | None = None,
               fill_defaults: bool = True) -> dict[str, Any]:
        """Type-check `raw` against `table`. Unknown keys are reported; missing keys get their
        defaults (or are left out when `fill_defaults` is False, for a candidate's overrides)."""
        keys = keys if keys is not None else table.keys
        if not isinstance(raw, dict):
            self.p.error(at, V.type_problem(raw, S.TABLE) or "expected a table")
            return {k: INVALID for k in keys}
        out: dict[str, Any] = {}
        for k in raw:
            if k not in keys:
                self.unknown(at + (k,), k, keys, table.name)
        for k in keys:
            f = table.field(k)
            assert f is not None
            if k not in raw:
                if not fill_defaults:
                    continue
                if f.required:
                    self.p.error(at + (k,), "is required")
                    out[k] = INVALID
                else:
                    out[k] = f.default
                continue
            value = raw[k]
            msg = V.type_problem(value, f.type)
            if msg:
                self.p.error(at + (k,), msg)
                out[k] = INVALID
            elif f.choices and value not in f.choices:
                self.p.error(at + (k,), f"{value!r} is not one of {', '.join(f.choices)}{suggest(value, f.choices)}")
                out[k] = INVALID
            else:
                out[k] = value
        return out

    def unknown(self, at: KeyPath, key: str, keys: tuple[str, ...], table_name: str) -> None:
        hint = suggest(key, keys) or _misplaced_hint(key, table_name)
        self.p.error(at, f"unknown key '{key}'{hint}")

    def number(self, at: KeyPath, value: Any, *, lo: float | None = None, hi: float | None = None,
               lo_open: bool = False, what: str = "") -> Any:
        """Range-check a typed number; returns INVALID when out of range."""
        if value is INVALID or value is None:
            return value
        low_bad = lo is not None and (value <= lo if lo_open else value < lo)
        if low_bad or (hi is not None and value > hi):
            if lo is not None and hi is not None:
                rng = f"between {lo} and {hi}"
            elif lo is not None:
                rng = f"> {lo}" if lo_open else f">= {lo}"
            else:
                rng = f"<= {hi}"
            self.p.error(at, f"{value} is out of range: must be {rng}{what}")
            return INVALID
        return value

    def scalars(self, raw: object, at: KeyPath) -> dict[str, str]:
        """A table of hyperparameters: name -> string (as SageMaker passes them)."""
        if raw is None or raw is INVALID:
            return {}
        out: dict[str, str] = {}
        for k, v in raw.items():  # type: ignore[union-attr]
            if not V.is_scalar(v):
                self.p.error(at + (k,), f"expected a string, number or boolean, got {V.toml_type(v)}")
                continue
            out[k] = V.hyperparameter_string(v)
        return out

    # --- the study ----------------------------------------------------------------------------------
    def build(self) -> Study | None:
        raw = self.raw
        top_names = tuple(t.name for t in S.TOP_LEVEL)
        for k, v in raw.items():
            if k not in top_names:
                if isinstance(v, dict) or (isinstance(v, list) and v and all(isinstance(x, dict) for x in v)):
                    self.p.error((k,), f"unknown table [{k}]{suggest(k, top_names)}")
                else:
                    hint = _misplaced_hint(k, "") or " (keys belong inside a table such as [study])"
                    self.p.error((k,), f"unknown top-level key '{k}'{hint}")
        for name in top_names:
            if name in raw and name != "models" and not isinstance(raw[name], dict):
                self.p.error((name,), f"[{name}] must be a table, got {V.toml_type(raw[name])}")
        if "models" in raw and not (isinstance(raw["models"], list) and all(isinstance(x, dict) for x in raw["models"])):
            self.p.error(("models",), "write each candidate as a [[models]] table")
        if "study" not in raw:
            self.p.error(("study",), "the [study] table is missing (it needs at least name = \"...\")")

        study = self.fields(raw.get("study", {}), S.STUDY, ("study",))
        name = self.study_name(study["name"])
        backend = study["backend"]
        for key, check in (("region", V.region_problem), ("role_arn", V.role_arn_problem),
                           ("output_s3", V.s3_uri_problem)):
            if isinstance(study[key], str):
                msg = check(study[key])
                if msg:
                    self.p.error(("study", key), msg)
                    study[key] = INVALID
        if backend == "sagemaker":
            for key in ("role_arn", "output_s3"):
                if study[key] is None:
                    self.p.error(("study", key), "is required on the sagemaker backend")
        nm = name if isinstance(name, str) else "study"
        role = study["role_arn"] if isinstance(study["role_arn"], str) else EMULATOR_ROLE
        output = study["output_s3"] if isinstance(study["output_s3"], str) else f"s3://jstui-emulator/{nm}/output/"

        data = self.data(raw.get("data"), backend, nm)
        resources = self.fields(raw.get("resources", {}), S.RESOURCES, ("resources",))
        self.check_resources(resources, ("resources",))
        tuning = self.fields(raw.get("tuning", {}), S.TUNING, ("tuning",))
        self.check_tuning(tuning, ("tuning",))
        static = self.scalars(tuning.get("static"), ("tuning", "static"))
        ranges = self.ranges(tuning.get("ranges"), ("tuning", "ranges"))
        metrics = self.metrics(raw.get("metrics"), ("metrics",))
        budget = self.budget(raw.get("budget", {}))
        frontier = self.fields(raw.get("frontier", {}), S.FRONTIER, ("frontier",))
        prices = self.prices(raw.get("prices", {}))
        emulator = self.emulator(raw.get("emulator", {}), backend)

        models = raw.get("models")
        candidates: list[Candidate] = []
        if not models:
            self.p.error(("models",), "the study has no candidates: add at least one [[models]] with id = \"...\"")
        elif isinstance(models, list):
            for i, m in enumerate(models):
                if isinstance(m, dict):
                    c = self.candidate(m, i, resources, tuning, static, ranges, metrics)
                    if c is not None:
                        candidates.append(c)
        validate_candidates(self.sites, self.p, frontier_raw=raw.get("frontier"),
                            catalogs=emulator.catalogs if backend == "emulator" else (),
                            jumpstart_dir=emulator.jumpstart_metadata, backend=str(backend))
        if self.p.errors:
            return None
        return Study(
            name=name,
            path=self.path,
            backend=backend,
            region=study["region"],
            role_arn=role,
            output_s3=output,
            data=data,
            max_parallel_tuning_jobs=tuning["max_parallel_tuning_jobs"],
            candidates=tuple(candidates),
            budget=budget,
            frontier=FrontierSettings(**frontier),
            prices=prices,
            emulator=emulator,
        )

    def study_name(self, name: Any) -> Any:
        if not isinstance(name, str):
            return name
        from ..cli import SUBCOMMANDS  # the CLI takes STUDY where a subcommand could stand

        at = ("study", "name")
        if not name:
            self.p.error(at, "is empty")
        elif len(name) > STUDY_NAME_MAX:
            self.p.error(at, f"{name!r} is {len(name)} characters; at most {STUDY_NAME_MAX} "
                             "(it prefixes every job name, which SageMaker caps at 32)")
        elif not V.STUDY_NAME.match(name):
            fixed = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")[:STUDY_NAME_MAX]
            self.p.error(at, f"{name!r} may use only a-z, 0-9 and '-', starting with a letter or digit"
                             + (f" (e.g. '{fixed}')" if fixed else ""))
        elif name in SUBCOMMANDS:
            self.p.error(at, f"{name!r} is a subcommand's name, so `jstui {name}` would be ambiguous; rename the study")
        else:
            return name
        return INVALID

    def data(self, raw: Any, backend: Any, study_name: str) -> dict[str, str]:
        if raw is None:
            if backend == "sagemaker":
                self.p.error(("data",), "the [data] table is missing: the sagemaker backend needs at least "
                                        "training = \"s3://...\"")
            return {"training": f"s3://jstui-emulator/{study_name}/train/"}
        if not isinstance(raw, dict):
            return {}
        out: dict[str, str] = {}
        for ch, uri in raw.items():
            at = ("data", ch)
            if not V.CHANNEL_NAME.match(ch):
                self.p.error(at, f"channel name {ch!r} may use only A-Z, a-z, 0-9, '.', '_' and '-' (64 at most)")
            msg = V.type_problem(uri, S.STRING) or V.s3_uri_problem(uri)
            if msg:
                self.p.error(at, msg)
            else:
                out[ch] = uri
        if not raw:
            self.p.error(("data",), "has no channels (add training = \"s3://...\")")
        return out

    def check_resources(self, r: dict[str, Any], at: KeyPath) -> None:
        if isinstance(r.get("instance_type"), str):
            msg = V.instance_type_problem(r["instance_type"])
            if msg:
                self.p.error(at + ("instance_type",), msg)
                r["instance_type"] = INVALID
        if "instance_count" in r:
            r["instance_count"] = self.number(at + ("instance_count",), r["instance_count"], lo=1)
        if "max_runtime_s" in r:
            r["max_runtime_s"] = self.number(at + ("max_runtime_s",), r["max_runtime_s"], lo=1, hi=MAX_RUNTIME_S,
                                             what=" seconds (28 days is SageMaker's limit)")
        if r.get("max_wait_s") is not None:
            r["max_wait_s"] = self.number(at + ("max_wait_s",), r["max_wait_s"], lo=1, hi=MAX_RUNTIME_S)

    def check_tuning(self, t: dict[str, Any], at: KeyPath) -> None:
        limits = {"max_jobs": MAX_JOBS, "max_parallel_jobs": MAX_PARALLEL_JOBS,
                  "max_parallel_tuning_jobs": MAX_PARALLEL_TUNING_JOBS}
        for key, hi in limits.items():
            v = t.get(key)
            if v is None or v is INVALID:
                continue
            if v > hi:
                self.p.error(at + (key,), f"{v} is above SageMaker's limit of {hi}")
                t[key] = INVALID
            elif v < 1:
                self.p.error(at + (key,), f"{v} is out of range: must be >= 1")
                t[key] = INVALID
        if isinstance(t.get("objective"), str) and not t["objective"].strip():
            self.p.error(at + ("objective",), "is empty")
            t["objective"] = INVALID

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
                    self.p.error(at + (k,), f"is for continuous and integer ranges; a categorical range takes values "
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

    def metrics(self, raw: Any, at: KeyPath) -> tuple[str | None, tuple[MetricDefinition, ...]] | Any:
        """(preset, definitions) with the preset's definitions first, or INVALID."""
        if raw is None:
            return (None, ())
        f = self.fields(raw, S.METRICS, at)
        if any(v is INVALID for v in f.values()):
            return INVALID
        preset = f["preset"]
        defs: list[MetricDefinition] = list(PRESETS[preset]) if preset else []
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

    def budget(self, raw: Any) -> Budget:
        f = self.fields(raw, S.BUDGET, ("budget",))
        usd = self.number(("budget", "usd"), f["usd"], lo=0, lo_open=True)
        hours = self.number(("budget", "endpoint_warn_hours"), f["endpoint_warn_hours"], lo=0, lo_open=True)
        if INVALID in (usd, hours, f["policy"]):
            return Budget()
        return Budget(usd=float(usd) if usd is not None else None, policy=f["policy"], endpoint_warn_hours=float(hours))

    def prices(self, raw: Any) -> dict[str, float]:
        if not isinstance(raw, dict):
            return {}
        out: dict[str, float] = {}
        for itype, usd in raw.items():
            at = ("prices", itype)
            msg = V.instance_type_problem(itype)
            if msg:
                self.p.error(at, msg)
                continue
            msg = V.type_problem(usd, S.NUMBER)
            if msg:
                self.p.error(at, msg)
                continue
            if self.number(at, usd, lo=0, lo_open=True, what=" USD per hour") is not INVALID:
                out[itype] = float(usd)
        return out

    def emulator(self, raw: Any, backend: Any) -> EmulatorSettings:
        at = ("emulator",)
        f = self.fields(raw, S.EMULATOR, at)
        speed = self.number(at + ("speed",), f["speed"], lo=0, lo_open=True)
        noise = self.number(at + ("noise",), f["noise"], lo=0)
        catalogs: list[Path] = []
        cat = f["catalog"]
        if cat is not INVALID and cat is not None:
            for i, rel in enumerate([cat] if isinstance(cat, str) else cat):
                p = (self.base / rel).resolve()
                if not p.is_file():
                    self.p.error(at + ("catalog",), f"catalog {rel!r} not found (looked for {p})")
                catalogs.append(p)
        meta = f["jumpstart_metadata"]
        meta_dir: Path | None = None
        if isinstance(meta, str):
            meta_dir = (self.base / meta).resolve()
            if not meta_dir.is_dir():
                self.p.error(at + ("jumpstart_metadata",), f"JumpStart snapshot directory {meta!r} not found "
                                                           f"(looked for {meta_dir})")
        elif meta is None and (self.base / "jumpstart").is_dir():
            meta_dir = (self.base / "jumpstart").resolve()
        if INVALID in (speed, noise, f["seed"]):
            return EmulatorSettings(catalogs=tuple(catalogs), jumpstart_metadata=meta_dir)
        return EmulatorSettings(catalogs=tuple(catalogs), speed=float(speed), seed=int(f["seed"]),
                                noise=float(noise), jumpstart_metadata=meta_dir)

    # --- candidates ---------------------------------------------------------------------------------
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
                direction=direction,
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
                                                    f"algorithm; candidate models[{at[1] + 1}] is tuned on {family[0]} "
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

