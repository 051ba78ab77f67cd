"""Show a study's tuning jobs, spend and budget (a table, or --json); --watch stays attached."""

from __future__ import annotations

import json
import sys
import time

from rich.console import JustifyMethod

from jstui.domain.snapshot import StudySnapshot
from jstui.cli.progress import exit_code_for, progress_line


def add_arguments(parser) -> None:
    parser.add_argument("study", nargs="?", metavar="STUDY", help="study file or journal name (default: the last opened)")
    parser.add_argument("--watch", action="store_true", help="refresh until every tuning job has ended (launches queued candidates)")
    parser.add_argument("--json", action="store_true", help="one JSON object (the contract's keys) instead of a table")


def status_object(snap: StudySnapshot) -> dict:
    """`status --json` (DESIGN, "Contract: exports")."""
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

    when = snap.taken_at.strftime("%Y-%m-%d %H:%M:%SZ") if snap.taken_at else "not refreshed"
    budget = f" of {_money(snap.budget_usd)} ({snap.budget_policy}, {snap.budget_state})" if snap.budget_usd else ""
    caption = (
        f"spend {_money(snap.spend_usd, snap.spend_is_estimate)}{budget} · projected {_money(snap.projected_usd)}"
        + (f" · endpoints {_money(snap.endpoint_spend_usd)}" if snap.endpoints else "")
        + ("  (~ estimate: still running)" if snap.spend_is_estimate else "")
    )
    table = Table(title=f"{snap.study} · {snap.backend} {snap.region} · {when}", caption=caption, caption_justify="left")
    just: JustifyMethod
    for col, just in (
        ("candidate", "left"), ("status", "left"), ("jobs c/r/f/s of max", "right"), ("best objective", "right"),
        ("cost", "right"), ("tuning job", "left"),
    ):  # fmt: skip
        table.add_column(col, justify=just, overflow="fold")
    for r in snap.tuning_jobs:
        status = r.status + (f" ({r.waiting_reason})" if r.waiting_reason else "")
        best = "-" if r.best_objective is None else f"{r.objective_name} {r.best_objective:.4g}"
        table.add_row(
            r.candidate,
            status,
            f"{r.jobs_completed}/{r.jobs_in_progress}/{r.jobs_failed}/{r.jobs_stopped} of {r.max_jobs}",
            best,
            _money(r.cost_usd, r.cost_is_estimate),
            r.tuning_job_name or "-",
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
        print(f"{snap.study}: {snap.connection.state}: {snap.connection.message}", file=sys.stderr)
    if snap.budget_state != "ok" and snap.budget_usd:
        print(
            f"{snap.study}: budget {snap.budget_state}: ${snap.spend_usd:,.2f} of ${snap.budget_usd:,.2f}",
            file=sys.stderr,
        )


def run(args) -> int:
    from jstui.engine.session import open_session

    # Plain `status` only looks; `--watch` is an attached jstui (launches queued candidates, runs the guard).
    with open_session(args, args.study, readonly=not args.watch) as session:
        snap = session.refresh(strict=True)
        _print(snap, args.json)
        if args.watch:
            shown = progress_line(snap)
            while not session.all_terminal():
                time.sleep(session.poll_interval_s)
                snap = session.refresh(raise_refusals=True)
                if progress_line(snap) != shown:  # print again only when something changed
                    shown = progress_line(snap)
                    _print(snap, args.json)
        return exit_code_for(snap)
