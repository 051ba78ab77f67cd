"""Launch a study: without --yes print the plan and create nothing; with --yes launch (progress on stderr)."""

from __future__ import annotations

import sys
import time

from jstui.domain.errors import UsageError
from jstui.domain.exitcodes import ExitCode
from jstui.domain.limits import budget_problem
from jstui.domain.snapshot import StudySnapshot
from jstui.domain.textfmt import printable
from jstui.cli.progress import exit_code_for, progress_line


def add_arguments(parser) -> None:
    parser.add_argument("study", metavar="STUDY", help="study file, or the name of a study in the journal")
    parser.add_argument("--yes", action="store_true", help="really launch (without it: print the plan only)")
    parser.add_argument("--wait", action="store_true", help="stay attached until every tuning job has ended")
    parser.add_argument("--budget", type=float, metavar="USD", help="budget for this run (policy stop unless the study says)")
    parser.add_argument("--retry-failed", action="store_true", help="relaunch Failed or Stopped candidates as a new generation")
    parser.add_argument("--adopt", metavar="PREFIX", help="adopt existing tuning jobs named PREFIX... (e.g. bm-)")


def _print_plan(path, home, budget_usd=None) -> None:
    from jstui.study import plan

    plan.print_plan(path, home, budget_usd)
    if not (home / "journal.sqlite").exists():  # the plan creates nothing, not even a journal
        return
    from jstui.engine.session import load
    from jstui.engine.journal import Journal
    from jstui.engine.launcher import launch_changes

    journal = Journal.open(home)
    try:
        changes = launch_changes(load(path), journal)
    finally:
        journal.close()
    if changes:
        print("\nSince the last launch:")
        for line in changes:
            print(printable(f"  {line}"))


def run(args) -> int:
    from jstui.engine.session import open_session, resolve_study

    if args.budget is not None and (problem := budget_problem(args.budget)):
        raise UsageError(f"--budget: {problem}")
    if not args.yes:
        _print_plan(resolve_study(args.study, args.home), args.home, args.budget)
        return ExitCode.OK
    if args.readonly:
        raise UsageError("--readonly: launch is not allowed")
    with open_session(args, args.study, budget_usd=args.budget) as session:
        name = session.study.name
        if args.adopt:
            matched, unmatched = session.adopt(args.adopt)
            for job, cand in sorted(matched.items()):
                print(printable(f"{name}: adopted {job} as {cand}"), file=sys.stderr)
            for job in unmatched:
                print(printable(f"{name}: {job} matches no candidate of the study (left alone)"), file=sys.stderr)
            if not matched:
                print(printable(f"{name}: no tuning job named {args.adopt}* matched a candidate"), file=sys.stderr)
        if args.retry_failed:
            session.refresh(strict=True)
            for cand in session.retry_failed():
                print(f"{name}: {cand}: queued again as a new generation", file=sys.stderr)
        session.launcher.queue()
        session.launch_now()  # an instance quota or a clash: exit 4 here, before waiting
        snap = session.refresh(strict=True)
        last = progress_line(snap)
        print(last, file=sys.stderr)
        if not args.wait:
            queued = sum(1 for r in snap.tuning_jobs if r.tuning_job_name is None)
            if queued:
                print(
                    f"{name}: {queued} candidate(s) stay queued; any attached jstui (the TUI, `launch --wait`, "
                    "`status --watch`) launches them as slots free",
                    file=sys.stderr,
                )
            return exit_code_for(snap, budget_only=True)
        snap = _wait(session, last)
        return exit_code_for(snap)


def _wait(session, last: str) -> StudySnapshot:
    snap = session.snapshot()
    while not session.all_terminal():
        time.sleep(session.poll_interval_s)
        snap = session.refresh(raise_refusals=True)
        line = progress_line(snap)
        if line != last:
            print(line, file=sys.stderr)
            last = line
    return snap
