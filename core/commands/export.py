"""`jstui --export csv|json`: a study's table to stdout (or -o FILE); messages to stderr."""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import UsageError
from ..exitcodes import ExitCode


def add_arguments(parser) -> None:  # the options live on the main parser (core/cli.py)
    pass


def _snapshot(args, session):
    from ..snapshot_codec import snapshot_from_json

    if args.offline:
        body = session.journal.snapshot_body(session.study.name)
        if body is None:
            raise UsageError(f"{session.study.name}: no saved snapshot in the journal yet; export without --offline")
        return snapshot_from_json(body)
    return session.refresh(strict=True)  # unreachable: exit 3, and no data written


def _frontier_frame(snap, session, base):
    import pandas as pd

    from ..frontier import frontier_export_columns, frontier_export_rows

    settings = session.study.frontier
    rows = frontier_export_rows(snap, settings, base=base)
    return pd.DataFrame(rows, columns=frontier_export_columns(settings, base), dtype=object)


def _picked_frame(snap, session, model):
    import pandas as pd

    if not model:
        raise UsageError("--what picked needs --model CAND")
    cand = session.find_candidate(model)
    row = next((r for r in snap.tuning_jobs if r.candidate == cand), None)
    if row is None or not row.best_training_job_name:
        raise UsageError(f"{cand}: no best training job yet (nothing to reproduce)")
    best = next((t for t in snap.training_jobs if t.training_job_name == row.best_training_job_name), None)
    from ..deploy import picked_configuration

    # Model id and version, training and inference images, every hyperparameter the best job ran
    # with, its artifact URI, objective and metrics: what reproducing it outside jstui needs.
    rec = picked_configuration(session, cand)
    if best is not None:
        rec["cost_usd"] = best.cost_usd
    return pd.DataFrame([rec], columns=list(rec), dtype=object)


def run(args) -> int:
    from ..engine import open_session
    from ..export import frame, to_csv, to_json

    # An export only looks: it never launches, stops or guards.
    with open_session(args, args.study, readonly=True) as session:
        snap = _snapshot(args, session)
        if args.what in ("tuning-jobs", "training-jobs"):
            df = frame(snap, args.what)
        elif args.what == "frontier":
            df = _frontier_frame(snap, session, args.base)
        else:
            df = _picked_frame(snap, session, args.model)
        text = to_csv(df) if args.export == "csv" else to_json(df)
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
