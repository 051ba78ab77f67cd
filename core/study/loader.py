"""`load_study(path) -> Study`: read a study file (tomllib), check every key against the schema,
resolve each candidate's overrides, and report ALL problems at once as one line each
(`FILE:LINE: field: what is wrong (suggestion)`) in a StudyFileError (exit 2)."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path
from typing import Any

from jstui.domain.commands import SUBCOMMANDS  # the CLI takes STUDY where a subcommand could stand
from jstui.domain.errors import StudyFileError
from jstui.domain.limits import budget_problem, speed_problem
from jstui.study import schema as S
from jstui.study import values as V
from jstui.study.locate import LineIndex
from jstui.domain.model import Budget, Candidate, Channel, EmulatorSettings, FrontierSettings, Study
from jstui.study.problems import Problems, suggest
from jstui.study.read_base import INVALID, misplaced_hint
from jstui.study.read_candidate import CandidateReader
from jstui.study.validate import validate_candidates

STUDY_NAME_MAX = 20  # it prefixes every job name, which SageMaker caps at 32

EMULATOR_ROLE = "arn:aws:iam::111122223333:role/jstui-emulator"


def load_study(path: Path | str) -> Study:
    """Load and validate a study file. Raises StudyFileError listing every problem."""
    given = str(path)
    p = Path(path).expanduser()
    if not p.exists():
        raise StudyFileError([f"{given}: no such study file"])
    if p.is_dir():
        raise StudyFileError([f"{given}: is a directory, not a study file (.toml)"])
    if not p.is_file():  # a FIFO would block the read forever, a device never ends
        raise StudyFileError([f"{given}: is not a regular file (a pipe or device?), not a study file (.toml)"])
    try:
        text = p.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        line = p.read_bytes()[: exc.start].count(b"\n") + 1
        raise StudyFileError([f"{given}:{line}: (file): not UTF-8 text (byte {exc.start}); save it as UTF-8"]) from None
    except OSError as exc:
        raise StudyFileError([f"{given}: cannot read the study file: {exc.strerror or exc}"]) from None
    try:
        raw = tomllib.loads(text)
        problems = Problems(given, LineIndex(text))
        study = _StudyReader(raw, p.resolve(), problems).build()
    except tomllib.TOMLDecodeError as exc:
        raise StudyFileError([toml_syntax_line(given, exc)]) from None
    except RecursionError:  # tomllib parses nested arrays and inline tables recursively
        raise StudyFileError([f"{given}: TOML syntax: arrays or inline tables nested too deeply "
                              "(a study file needs at most a few levels)"]) from None
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


class _StudyReader(CandidateReader):
    # --- the study ----------------------------------------------------------------------------------
    def build(self) -> Study | None:
        raw = self.raw
        top_names = tuple(t.name for t in S.TOP_LEVEL)
        for k, v in raw.items():
            if k not in top_names:
                if isinstance(v, dict) or (isinstance(v, list) and v and all(isinstance(x, dict) for x in v)):
                    self.p.error((k,), f"unknown table [{k}]{suggest(k, top_names)}")
                else:
                    hint = misplaced_hint(k, "") or " (keys belong inside a table such as [study])"
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

        channels = self.data(raw.get("data"), backend, nm)
        self.study_channels = channels
        self.study_data_given = "data" in raw
        self.placeholder_root = f"s3://jstui-emulator/{nm}/"
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
            data={c.name: c.uri for c in channels},
            content_types={c.name: c.content_type for c in channels if c.content_type},
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

    def data(self, raw: Any, backend: Any, study_name: str) -> tuple[Channel, ...]:
        if raw is None:
            if backend == "sagemaker":
                self.p.error(("data",), "the [data] table is missing: the sagemaker backend needs at least "
                                        "training = \"s3://...\"")
            return (Channel("training", f"s3://jstui-emulator/{study_name}/train/"),)
        if not isinstance(raw, dict):
            return ()  # reported with the top-level tables
        channels = self.channels(raw, ("data",))
        if channels is INVALID:
            self.study_data_invalid = True  # reported once: the candidates' channel checks skip it
            return ()
        return channels

    def budget(self, raw: Any) -> Budget:
        f = self.fields(raw, S.BUDGET, ("budget",))
        usd = f["usd"]
        if usd is not INVALID and usd is not None and (problem := budget_problem(usd)):
            self.p.error(("budget", "usd"), problem)
            usd = INVALID
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
            if self.number(at, usd, lo=0, lo_open=True, hi=100_000, what=" USD per hour") is not INVALID:
                out[itype] = float(usd)
        return out

    def emulator(self, raw: Any, backend: Any) -> EmulatorSettings:
        at = ("emulator",)
        f = self.fields(raw, S.EMULATOR, at)
        speed = f["speed"]
        if speed is not INVALID and speed is not None and (problem := speed_problem(speed)):
            self.p.error(at + ("speed",), problem)
            speed = INVALID
        noise = self.number(at + ("noise",), f["noise"], lo=0)
        catalogs: list[Path] = []
        cat = f["catalog"]
        if cat is not INVALID and cat is not None:
            for rel in [cat] if isinstance(cat, str) else cat:
                p = (self.base / rel).resolve()
                if not p.is_file():
                    what = "is a folder, not a CSV file" if p.is_dir() else (
                        "is not a regular file (a pipe or device?)" if p.exists() else "not found")
                    self.p.error(at + ("catalog",), f"catalog {rel!r} {what} (looked for {p})")
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
