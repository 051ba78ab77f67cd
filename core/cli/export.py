"""`jstui --export csv|json`: a study's table to stdout (or -o FILE); messages to stderr."""

from __future__ import annotations

import sys
from pathlib import Path

from jstui.domain.errors import UsageError
from jstui.domain.exitcodes import ExitCode


def add_arguments(parser) -> None:  # the options live on the main parser (core/cli.py)
    pass


def _snapshot(args, session):
    if args.offline:
        body = session.journal.snapshot_body(session.study.name)
        if body is None:
            raise UsageError(f"{session.study.name}: no saved snapshot in the journal yet; export without --offline")
        return session.snapshot()  # EngineSession decoded this body already (decoding 20,000 rows costs ~0.6 s)
    return session.refresh(strict=True)  # unreachable: exit 3, and no data written


def _frontier_frame(snap, session, base):
    import pandas as pd

    from jstui.domain.frontier import frontier_export_columns, frontier_export_rows

    settings = session.study.frontier
    rows = frontier_export_rows(snap, settings, base=base)
    return pd.DataFrame(rows, columns=frontier_export_columns(settings, base), dtype=object)


def _picked_frame(session, model):
    import pandas as pd

    from jstui.engine.deployments import picked_configuration

    if not model:
        raise UsageError("--what picked needs --model CAND")
    rec = picked_configuration(session, model)  # the deploy work knows the best job's full recipe
    return pd.DataFrame([rec], columns=list(rec), dtype=object)


def plausibility_notes(snap, what: str) -> list[str]:
    """Per exported row (same order as the frame), its implausible metrics and objective, "; "-joined
    ("" when all are plausible): docs/exports-plausibility.md."""
    from jstui.domain.metrics import implausibilities, implausibility

    notes = []
    if what == "tuning-jobs":
        for r in snap.tuning_jobs:
            found = implausibilities(r.best_metrics)
            obj = implausibility(r.objective_name, r.best_objective)
            if obj and r.objective_name not in r.best_metrics:
                found.insert(0, obj)
            notes.append("; ".join(found))
    else:
        objective_of = {r.tuning_job_name: r.objective_name for r in snap.tuning_jobs}
        for t in snap.training_jobs:
            found = implausibilities(t.metrics)
            name = objective_of.get(t.tuning_job_name, "objective")
            obj = implausibility(name, t.objective)
            if obj and name not in t.metrics:
                found.insert(0, obj)
            notes.append("; ".join(found))
    return notes


def _warn_implausible(study: str, what: str, notes: list[str]) -> None:
    """One stderr line per export that holds implausible values (the data itself is unchanged)."""
    flagged = [n for n in notes if n]
    if not flagged:
        return
    rows = "row" if len(flagged) == 1 else "rows"
    print(f"jstui: warning: {len(flagged)} {what} {rows} hold values outside their metric's plausible range "
          f"(first: {flagged[0]}); a metric regex may misread the log: `jstui status {study} --reread-metrics` "
          "re-reads them, `--plausibility` adds an `implausible` column", file=sys.stderr)


def run(args) -> int:
    from jstui.engine.session import open_session
    from jstui.domain.export import frame, to_csv, to_json

    # An export only looks: it never launches, stops or guards.
    with open_session(args, args.study, readonly=True) as session:
        snap = _snapshot(args, session)
        if args.what in ("tuning-jobs", "training-jobs"):
            df = frame(snap, args.what)
            notes = plausibility_notes(snap, args.what)
            _warn_implausible(session.study.name, args.what, notes)
            if args.plausibility:
                df["implausible"] = [n or None for n in notes]
        elif args.what == "frontier":
            df = _frontier_frame(snap, session, args.base)
        else:
            df = _picked_frame(session, args.model)
        # CSV to a terminal shows control characters escaped; to a file or a pipe it keeps data exact
        # (docs/exports-safety.md). JSON escapes them by its format either way.
        to_terminal = not args.output and sys.stdout.isatty()
        text = to_csv(df, for_terminal=to_terminal) if args.export == "csv" else to_json(df)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"-o {args.output}: cannot write ({exc.strerror})") from None
        print(f"wrote {len(df)} row(s) to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    return ExitCode.OK
