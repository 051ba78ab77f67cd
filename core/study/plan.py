"""The launch plan: what `jstui launch STUDY` would create and what it may cost, before a cent
is spent. Per candidate: the tuning job's name, its training jobs, instance hours at most and
expected, spend at most and expected; then the study's totals.

- At most: every training job runs its full `max_runtime_s` (SageMaker stops it there), so
  jobs x max_runtime_s x instance_count instance-seconds, times the hourly price.
- Expected: from the emulator catalog's figures for the model (`train_epoch_duration` x epochs,
  else `train_duration`) plus the billed download/upload around training; unknown without them."""

from __future__ import annotations

import dataclasses

import sys
from dataclasses import dataclass
from pathlib import Path

from jstui.domain import budget, estimate
from jstui.domain.textfmt import printable
from jstui.domain.catalog import Catalog
from jstui.domain.prices import PriceTable, load_price_table
from jstui.study import load_study
from jstui.domain.jumpstart_defaults import builtin_defaults, jumpstart_defaults
from jstui.domain.model import Candidate, Study
from jstui.domain.snapshot import PlannedCandidate
from jstui.study.validate import grid_combinations

# Billed time around the training itself: SageMaker bills from TrainingStartTime (input and image
# download) to the end of the model upload; instance provisioning is not billed.
BILLED_OVERHEAD_S = 75.0
# Instance provisioning before TrainingStartTime ("Starting"): takes wall time, is not billed.
PROVISIONING_S = estimate.PROVISIONING_S  # one figure for the plan's duration and the TUI's ETAs


def tuning_job_name(study: str, candidate: str, generation: int = 1) -> str:
    from jstui.domain.naming import tuning_job_name as name  # the engine's scheme: one source of job names

    return name(study, candidate, generation)


@dataclass(frozen=True)
class CandidatePlan:
    candidate: str
    model: str  # JumpStart id, or the built-in's catalog id
    tuning_job_name: str
    strategy: str
    training_jobs: int
    max_parallel_jobs: int
    instance_type: str
    instance_count: int
    spot: bool
    max_runtime_s: int
    usd_per_hour: float | None
    price_source: str
    max_instance_hours: float
    max_usd: float | None
    expected_seconds_per_job: float | None  # billed seconds of one training job
    expected_basis: str  # how the expectation was made, or why there is none
    expected_instance_hours: float | None
    expected_usd: float | None


@dataclass(frozen=True)
class Plan:
    study: str
    backend: str
    region: str
    max_parallel_tuning_jobs: int
    rows: tuple[CandidatePlan, ...]
    budget_usd: float | None
    budget_policy: str
    emulator_speed: float | None = None  # simulated seconds per wall second (emulator backend)

    @property
    def expected_duration_s(self) -> float | None:
        """Expected time from launch to the last job's end: candidates start in file order as tuning-job
        slots free; each runs its training jobs in waves of max_parallel_jobs."""
        if not self.rows or any(r.expected_seconds_per_job is None for r in self.rows):
            return None
        slots = [0.0] * max(1, min(self.max_parallel_tuning_jobs, len(self.rows)))
        for r in self.rows:
            waves = -(-r.training_jobs // max(1, r.max_parallel_jobs))
            i = slots.index(min(slots))
            slots[i] += waves * (PROVISIONING_S + (r.expected_seconds_per_job or 0.0))
        return max(slots)

    @property
    def training_jobs(self) -> int:
        return sum(r.training_jobs for r in self.rows)

    @property
    def max_instance_hours(self) -> float:
        return sum(r.max_instance_hours for r in self.rows)

    @property
    def max_usd(self) -> float | None:
        """None when some instance type has no price (the maximum would be understated)."""
        if any(r.max_usd is None for r in self.rows):
            return None
        return sum(r.max_usd or 0.0 for r in self.rows)

    @property
    def expected_instance_hours(self) -> float | None:
        if any(r.expected_instance_hours is None for r in self.rows):
            return None
        return sum(r.expected_instance_hours or 0.0 for r in self.rows)

    @property
    def expected_usd(self) -> float | None:
        if any(r.expected_usd is None for r in self.rows):
            return None
        return sum(r.expected_usd or 0.0 for r in self.rows)

    @property
    def unpriced_instance_types(self) -> tuple[str, ...]:
        return tuple(sorted({r.instance_type for r in self.rows if r.usd_per_hour is None}))


def training_jobs_of(c: Candidate) -> int:
    """Grid runs every combination; Bayesian and Random run max_jobs."""
    if c.tuning.strategy == "Grid":
        return grid_combinations(c.tuning.ranges)
    return c.tuning.max_jobs


def _epochs(c: Candidate, defaults: dict[str, str]) -> tuple[float | None, str]:
    """Epochs a training job runs: fixed (candidate, then static), the largest tuned value, or the
    model's default. Early stopping may end sooner: the expectation is an upper estimate."""
    for r in c.tuning.ranges:
        if r.name == "epochs":
            if r.values:
                nums = [float(v) for v in r.values if _is_number(v)]
                return (max(nums), "largest tuned epochs") if nums else (None, "")
            if r.max is not None:
                return r.max, "largest tuned epochs"
    for source, where in ((c.hyperparameters, "fixed epochs"), (c.tuning.static, "static epochs"),
                          (defaults, "default epochs")):
        if "epochs" in source and _is_number(source["epochs"]):
            return float(source["epochs"]), where
    return None, ""


def _is_number(s: str) -> bool:
    try:
        float(s)
        return True
    except (TypeError, ValueError):
        return False


def _expected_seconds(c: Candidate, catalog: Catalog | None, study: Study) -> tuple[float | None, str]:
    if catalog is None or len(catalog) == 0:
        return None, "no catalog"
    cid = c.catalog_id
    if not catalog.has_model(cid):
        return None, "not in catalog"
    per_epoch = catalog.value(cid, "train_epoch_duration")
    if per_epoch is not None:
        if c.model_id:
            defaults = jumpstart_defaults(study.emulator.jumpstart_metadata, c.model_id, c.model_version) or {}
        else:
            defaults = builtin_defaults(c.algorithm or "")
        epochs, where = _epochs(c, defaults)
        if epochs is not None:
            seconds = estimate.job_seconds(per_epoch, epochs, None, BILLED_OVERHEAD_S, c.resources.max_runtime_s)
            return seconds, f"{epochs:g} x {per_epoch:g} s/epoch ({where})"
    total = catalog.value(cid, "train_duration")
    if total is not None:
        seconds = estimate.job_seconds(None, None, total, BILLED_OVERHEAD_S, c.resources.max_runtime_s)
        return seconds, f"train_duration {total:g} s"
    return None, "no duration figures"


def build_plan(study: Study, catalog: Catalog | None, prices: PriceTable | None = None) -> Plan:
    prices = prices or PriceTable()
    rows = []
    for c in study.candidates:
        jobs = training_jobs_of(c)
        r = c.resources
        usd_h, source = prices.price(r.instance_type, study.prices)
        max_h = jobs * r.max_runtime_s * r.instance_count / 3600.0
        per_job, basis = _expected_seconds(c, catalog, study)  # capped at max_runtime_s (estimate.job_seconds)
        exp_h = None if per_job is None else jobs * per_job * r.instance_count / 3600.0
        rows.append(
            CandidatePlan(
                candidate=c.name,
                model=c.model_id or c.catalog_id,
                tuning_job_name=tuning_job_name(study.name, c.name, 1),
                strategy=c.tuning.strategy,
                training_jobs=jobs,
                max_parallel_jobs=c.tuning.max_parallel_jobs,
                instance_type=r.instance_type,
                instance_count=r.instance_count,
                spot=r.spot,
                max_runtime_s=r.max_runtime_s,
                usd_per_hour=usd_h,
                price_source=source,
                max_instance_hours=max_h,
                max_usd=None if usd_h is None else max_h * usd_h,
                expected_seconds_per_job=per_job,
                expected_basis=basis,
                expected_instance_hours=exp_h,
                expected_usd=estimate.usd(None if per_job is None else jobs * per_job, r.instance_count, usd_h),
            )
        )
    return Plan(
        study=study.name,
        backend=study.backend,
        region=study.region,
        max_parallel_tuning_jobs=study.max_parallel_tuning_jobs,
        rows=tuple(rows),
        budget_usd=study.budget.usd,
        budget_policy=study.budget.policy,
        emulator_speed=study.emulator.speed if study.backend == "emulator" else None,
    )


def planned_candidates(plan: Plan, study: Study) -> tuple[PlannedCandidate, ...]:
    """The plan's figures as the snapshot carries them (the projection and the TUI read them)."""
    tuning = {c.name: c.tuning for c in study.candidates}
    return tuple(
        PlannedCandidate(
            candidate=r.candidate, model_id=r.model, training_jobs=r.training_jobs, instance_type=r.instance_type,
            instance_count=r.instance_count, usd_per_hour=r.usd_per_hour,
            expected_seconds_per_job=r.expected_seconds_per_job, expected_usd=r.expected_usd, max_usd=r.max_usd,
            objective_name=tuning[r.candidate].objective, direction=tuning[r.candidate].direction,
        )
        for r in plan.rows
    )


def _money(x: float | None) -> str:
    return "unknown" if x is None else f"${x:,.2f}"


def _hours(x: float | None) -> str:
    return "-" if x is None else f"{x:,.1f}"


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def format_plan(plan: Plan) -> str:
    """The plan as text: a table (one row per candidate, then the total) and a summary."""
    head = ("candidate", "tuning job", "jobs", "instance", "$/h", "max h", "max $", "exp h", "exp $", "expected from")
    body = []
    for r in plan.rows:
        inst = f"{r.instance_count}x {r.instance_type}" + (" spot" if r.spot else "")
        body.append((
            r.candidate, r.tuning_job_name, f"{r.training_jobs} ({r.max_parallel_jobs} par)", inst,
            "?" if r.usd_per_hour is None else f"{r.usd_per_hour:g}",
            _hours(r.max_instance_hours), _money(r.max_usd), _hours(r.expected_instance_hours),
            "-" if r.expected_usd is None else _money(r.expected_usd), r.expected_basis,
        ))
    total = ("total", "", str(plan.training_jobs), "", "", _hours(plan.max_instance_hours), _money(plan.max_usd),
             _hours(plan.expected_instance_hours), _money(plan.expected_usd), "")
    table = [head, *body, total]
    numeric = {2, 4, 5, 6, 7, 8}
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]

    def line(row: tuple[str, ...]) -> str:
        cells = [row[i].rjust(widths[i]) if i in numeric else row[i].ljust(widths[i]) for i in range(len(row))]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    n = len(plan.rows)
    out = [
        f"Plan for study '{plan.study}' ({plan.backend}, {plan.region}): {n} candidate{'s' if n != 1 else ''}, "
        f"one tuning job each, {plan.max_parallel_tuning_jobs} at a time",
        "",
        line(head),
        rule,
        *[line(b) for b in body],
        rule,
        line(total),
    ]
    out += _summary_lines(plan)
    out.append("Nothing was created. Launch with: jstui launch STUDY --yes")
    return "\n".join(out)


def _summary_lines(plan: Plan) -> list[str]:
    """Spend (maximum, expected), duration and budget: what a user must read before saying yes."""
    out = [
        "",
        f"Maximum spend: {_money(plan.max_usd)} ({plan.training_jobs} training jobs, each stopped at its "
        f"max_runtime_s; {_hours(plan.max_instance_hours)} instance hours)",
        f"Expected spend: {_money(plan.expected_usd)}"
        + ("" if plan.expected_usd is not None else " (some candidates have no duration figures; see the table)"),
    ]
    if plan.unpriced_instance_types:
        out.append("No price known for " + ", ".join(plan.unpriced_instance_types)
                   + ": add them to the study's [prices] table.")
    duration = plan.expected_duration_s
    if duration is not None:
        line = f"Expected duration: {_duration(duration)}"
        if plan.emulator_speed:
            line += f" of simulated time (about {_duration(duration / plan.emulator_speed)} of wall time at " \
                    f"emulator speed {plan.emulator_speed:g})"
        out.append(line)
    if plan.budget_usd is not None:
        guard = ""
        if plan.budget_policy == "stop" and (plan.max_usd is None or plan.max_usd > plan.budget_usd):
            guard = " (the guard stops running jobs before spend crosses it)"
        out.append(f"Budget: ${plan.budget_usd:,.2f}, policy {plan.budget_policy}{guard}")
        if plan.budget_policy == "stop":
            out.append("Hard budget: each tuning job's MaxRuntimeInSeconds is sized so that what is running can "
                       "never bill more than the budget left, even with jstui closed; candidates wait for room")
            out += budget.minimum_lines(plan.budget_usd, plan.budget_policy, [
                (r.candidate, None if r.usd_per_hour is None else budget.burn_usd_per_s(
                    r.usd_per_hour, r.instance_count, budget.parallel_of(r.max_parallel_jobs, r.training_jobs)))
                for r in plan.rows])
        if plan.expected_usd is not None and plan.expected_usd > plan.budget_usd:
            out.append(f"Expected spend {_money(plan.expected_usd)} is over the budget: "
                       + ("candidates the budget cannot cap stay unlaunched, and the study ends when it is spent"
                          if plan.budget_policy == "stop" else "policy warn will only warn"))
    return out


def format_plan_compact(plan: Plan, width: int = 64) -> str:
    """The plan for a dialog: the summary first (readable without scrolling), then one short line per
    candidate (training jobs, maximum and expected spend); tuning-job names are in `format_plan`."""
    n = len(plan.rows)
    import textwrap

    head = [f"{n} candidate{'s' if n != 1 else ''} on {plan.backend} ({plan.region}), one tuning job each, "
            f"{plan.max_parallel_tuning_jobs} at a time", *_summary_lines(plan)]
    out = [wrapped for line in head for wrapped in (textwrap.wrap(line, width, subsequent_indent="  ") or [""])]
    out += ["", f"{'candidate':<{max(10, width - 30)}} {'jobs':>5} {'max $':>11} {'exp $':>11}"]
    name_w = max(10, width - 30)
    for r in plan.rows:
        name = r.candidate
        if len(name) > name_w:  # never cut (two names may differ only at their end): its own line
            out.append(name)
            name = ""
        exp = "-" if r.expected_usd is None else _money(r.expected_usd)
        out.append(f"{name:<{name_w}} {r.training_jobs:>5} {_money(r.max_usd):>11} {exp:>11}")
    return "\n".join(out)


def print_plan(study_path: Path | str, home: Path | None, budget_usd: float | None = None) -> int:
    """`jstui launch STUDY` without --yes: print the plan (stdout) and the study's warnings
    (stderr); create nothing. Study-file problems raise StudyFileError (exit 2). `budget_usd`
    (`--budget`) replaces the study's budget, with policy stop when the study has none (as a launch)."""
    study = load_study(study_path)
    for w in study.warnings:
        print(printable(w), file=sys.stderr)
    catalog = Catalog.load(study.emulator.catalogs) if study.emulator.catalogs else None
    plan = build_plan(study, catalog, load_price_table(home))
    if budget_usd is not None:
        plan = dataclasses.replace(plan, budget_usd=budget_usd,
                                   budget_policy=study.budget.policy if study.budget.usd is not None else "stop")
    # the command to run is the one planned: with the same --budget, or the launch would use another
    again = f"jstui launch {study_path}" + (f" --budget {budget_usd:g}" if budget_usd is not None else "") + " --yes"
    print(printable(format_plan(plan).replace("jstui launch STUDY --yes", again)))
    return 0
