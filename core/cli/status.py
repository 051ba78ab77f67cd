"""Show a study's tuning jobs, spend and budget (a table, or --json); --watch stays attached."""

from __future__ import annotations

import json
import sys
import time

from rich.console import JustifyMethod

from jstui.domain.metrics import implausibility, plausible_range
from jstui.domain.snapshot import StudySnapshot
from jstui.domain.textfmt import printable
from jstui.cli.progress import exit_code_for, progress_line


def add_arguments(parser) -> None:
    parser.add_argument("study", nargs="?", metavar="STUDY", help="study file or journal name (default: the last opened)")
    parser.add_argument("--watch", action="store_true", help="refresh until every tuning job has ended (launches queued candidates)")
    parser.add_argument("--json", action="store_true", help="one JSON object (the contract's keys) instead of a table")
    parser.add_argument("--reread-metrics", action="store_true",
                        help="re-read every ended training job's metrics from its log with the study's current "
                             "metric definitions (docs/exports-plausibility.md)")


def status_object(snap: StudySnapshot) -> dict:
    """`status --json` (its keys: docs/exports.md)."""
    return {
        "study": snap.study,
        "backend": snap.backend,
        "counts": snap.counts_by_status(),
        "spend_usd": round(snap.spend_usd, 6),
        "spend_is_estimate": snap.spend_is_estimate,
        "projected_usd": None if snap.projected_usd is None else round(snap.projected_usd, 6),
        "budget_usd": snap.budget_usd,
        "budget_policy": snap.budget_policy,
        "endpoints": [
            {
                "name": e.name,
                "status": e.status,
                "usd_per_hour": e.usd_per_hour,
                "accrued_usd": None if e.accrued_usd is None else round(e.accrued_usd, 6),
            }
            for e in snap.endpoints
        ],
    }


def _money(v: float | None, estimate: bool = False) -> str:
    return "-" if v is None else f"${v:,.2f}{'~' if estimate else ''}"


def render_table(snap: StudySnapshot):
    from rich.table import Table
    from rich.text import Text

    def cell(text: str) -> Text:  # service and study-file text: control characters escaped, never markup
        return Text(printable(text))

    when = snap.taken_at.strftime("%Y-%m-%d %H:%M:%SZ") if snap.taken_at else "not refreshed"
    budget = f" of {_money(snap.budget_usd)} ({snap.budget_policy}, {snap.budget_state})" if snap.budget_usd else ""
    caption = (
        f"spend {_money(snap.spend_usd, snap.spend_is_estimate)}{budget} · projected {_money(snap.projected_usd)}"
        + (f" · endpoints {_money(snap.endpoint_spend_usd)}" if snap.endpoints else "")
        + ("  (~ estimate: still running)" if snap.spend_is_estimate else "")
    )
    table = Table(title=cell(f"{snap.study} · {snap.backend} {snap.region} · {when}"), caption=caption,
                  caption_justify="left")
    just: JustifyMethod
    for col, just in (
        ("candidate", "left"), ("status", "left"), ("jobs c/r/f/s of max", "right"), ("best objective", "right"),
        ("cost", "right"), ("tuning job", "left"),
    ):  # fmt: skip
        table.add_column(col, justify=just, overflow="fold")
    for r in snap.tuning_jobs:
        status = r.status + (f" ({r.waiting_reason})" if r.waiting_reason else "")
        best = "-" if r.best_objective is None else f"{r.objective_name} {r.best_objective:.4g}"
        best += "⚠" if implausibility(r.objective_name, r.best_objective) else ""
        table.add_row(
            cell(r.candidate),
            cell(status),
            f"{r.jobs_completed}/{r.jobs_in_progress}/{r.jobs_failed}/{r.jobs_stopped} of {r.max_jobs}",
            cell(best),
            _money(r.cost_usd, r.cost_is_estimate),
            cell(r.tuning_job_name or "-"),
        )
    return table


def _print(snap: StudySnapshot, as_json: bool) -> None:
    if as_json:
        print(json.dumps(status_object(snap), indent=2))
        return
    from rich.console import Console

    console = Console(file=sys.stdout, width=None if sys.stdout.isatty() else 160)
    console.print(render_table(snap))
    if snap.connection.state not in ("ok", "connecting") and snap.connection.message:
        print(printable(f"{snap.study}: {snap.connection.state}: {snap.connection.message}"), file=sys.stderr)
    if snap.budget_state != "ok" and snap.budget_usd:
        print(
            f"{snap.study}: budget {snap.budget_state}: ${snap.spend_usd:,.2f} of ${snap.budget_usd:,.2f}",
            file=sys.stderr,
        )


def _value(v: float | None) -> str:
    return "-" if v is None else f"{v:.6g}"


def _print_reread(session, as_json: bool) -> None:
    """The metrics the current definitions read from each ended job's log, where they differ from what
    SageMaker recorded or either value is implausible."""
    from jstui.engine.reread import reread_metrics

    report = reread_metrics(session)
    shown = [r for r in report.rows if r.differs or r.recorded_problem or r.reread_problem]
    if as_json:
        print(json.dumps({"reread_metrics": {
            "jobs_read": report.jobs_read,
            "rows": [{"candidate": r.candidate, "training_job_name": r.training_job_name, "metric": r.metric,
                      "recorded": r.recorded, "reread": r.reread, "differs": r.differs,
                      "recorded_implausible": r.recorded_problem, "reread_implausible": r.reread_problem}
                     for r in shown],
            "skipped": list(report.skipped)}}, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console(file=sys.stdout, width=None if sys.stdout.isatty() else 160)
    if shown:
        table = Table(title="metrics re-read from the logs with the study's current definitions")
        for col in ("candidate", "training job", "metric", "recorded", "re-read", "note"):
            table.add_column(col, overflow="fold", justify="right" if col in ("recorded", "re-read") else "left")
        for r in shown:
            rng = plausible_range(r.metric)
            where = f"outside {rng.text()}, {rng.what}" if rng else ""
            note = "; ".join(x for x in (
                "differs" if r.differs else "",
                f"recorded value {where}" if r.recorded_problem else "",
                f"re-read value {where}" if r.reread_problem else "",
            ) if x)
            table.add_row(r.candidate, r.training_job_name, r.metric, _value(r.recorded) + ("⚠" if r.recorded_problem else ""),
                          _value(r.reread) + ("⚠" if r.reread_problem else ""), note)
        console.print(table)
    differ = sum(1 for r in shown if r.differs)
    print(f"{session.study.name}: re-read {report.jobs_read} training job logs: {differ} value(s) differ from what "
          f"SageMaker recorded, {sum(1 for r in shown if r.recorded_problem)} recorded value(s) implausible"
          + ("; each tuning job picked its best training job on the recorded values: to tune on the corrected "
             "ones, run the study again under a new [study] name" if differ else ""), file=sys.stderr)
    for line in report.skipped:
        print(f"{session.study.name}: not re-read: {line}", file=sys.stderr)


def run(args) -> int:
    from jstui.engine.session import open_session

    # Plain `status` only looks; `--watch` is an attached jstui (launches queued candidates, runs the guard).
    with open_session(args, args.study, readonly=not args.watch) as session:
        snap = session.refresh(strict=True)
        _print(snap, args.json)
        if args.watch:
            shown = (progress_line(snap), snap.connection.state)
            while not session.all_terminal():
                time.sleep(session.poll_interval_s)
                snap = session.refresh(raise_refusals=True)
                # print again only when something changed (the connection too: expired credentials say how to renew)
                if (progress_line(snap), snap.connection.state) != shown:
                    shown = (progress_line(snap), snap.connection.state)
                    _print(snap, args.json)
        if args.reread_metrics:
            _print_reread(session, args.json)
        return exit_code_for(snap)
