"""Stop a study's running tuning jobs (or one candidate's) and drop queued candidates."""

from __future__ import annotations

import sys

from jstui.domain.errors import UsageError
from jstui.domain.exitcodes import ExitCode
from jstui.domain.snapshot import TERMINAL_TUNING
from jstui.domain.textfmt import printable


def add_arguments(parser) -> None:
    parser.add_argument("study", metavar="STUDY", help="study file or journal name")
    parser.add_argument("model", nargs="?", metavar="MODEL", help="candidate name, unique substring, or job name (default: all)")
    parser.add_argument("--yes", action="store_true", help="really stop (without it: show what would stop)")


def run(args) -> int:
    from jstui.engine.session import open_session

    if args.model is not None and not args.model.strip():
        # `jstui stop STUDY "$CAND" --yes` with CAND unset must not mean "stop everything"
        raise UsageError("stop: MODEL is empty (an unset shell variable?); leave it out to stop every candidate")
    if args.yes and args.readonly:
        raise UsageError("--readonly: stop is not allowed")
    with open_session(args, args.study, readonly=not args.yes) as session:
        snap = session.refresh(strict=True)
        wanted = {session.find_candidate(args.model)} if args.model is not None else None
        targets = [
            r for r in snap.tuning_jobs
            if (wanted is None or r.candidate in wanted) and r.status not in TERMINAL_TUNING and r.status != "Stopping"
        ]  # fmt: skip
        if not targets:
            print(f"{session.study.name}: nothing to stop", file=sys.stderr)
            return ExitCode.OK
        for r in targets:
            what = f"stop {r.tuning_job_name}" if r.tuning_job_name else "remove from the queue"
            print(printable(f"{session.study.name}: {r.candidate}: {'' if args.yes else 'would '}{what}"), file=sys.stderr)
        if not args.yes:
            print("nothing was stopped; add --yes to stop", file=sys.stderr)
            return ExitCode.OK
        for r in targets:
            session.stop(r.candidate)
        return ExitCode.OK
