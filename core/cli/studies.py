"""List the journal's studies with state and spend; --forget NAME --yes removes one from the journal."""

from __future__ import annotations

import sys
from datetime import datetime, UTC

from jstui.domain.errors import UsageError
from jstui.domain.exitcodes import ExitCode
from jstui.domain.textfmt import printable


def add_arguments(parser) -> None:
    parser.add_argument("--forget", metavar="NAME", help="remove this study from the journal (never from the service)")
    parser.add_argument("--yes", action="store_true", help="confirm --forget")


def run(args) -> int:
    from jstui.engine.journal import Journal
    from jstui.engine.snapshot_codec import snapshot_from_json

    journal = Journal.open(args.home)
    try:
        if args.forget:
            if journal.study(args.forget) is None:
                raise UsageError(f"{args.forget}: no study of that name in the journal ({journal.path})")
            if not args.yes:
                print(f"would forget study {args.forget!r} (jobs on the service are left alone); add --yes", file=sys.stderr)
                return ExitCode.OK
            if args.readonly:
                raise UsageError("--readonly: forgetting a study is not allowed")
            journal.forget_study(args.forget)
            print(f"forgot study {args.forget!r}; its jobs on the service are untouched", file=sys.stderr)
            return ExitCode.OK
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        table = Table(title=f"studies in {journal.path}")
        for col in ("study", "backend", "state", "spend", "last opened", "file"):
            table.add_column(col, overflow="fold")
        for rec in journal.studies():
            body = journal.snapshot_body(rec.name)
            state, spend = "not launched", "-"
            try:
                snap = snapshot_from_json(body) if body else None
            except (ValueError, TypeError, KeyError, AttributeError):  # one damaged row: list the others
                snap, state = None, "snapshot unreadable (journal damaged)"
            if snap is not None:
                counts = snap.counts_by_status()
                state = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "not launched"
                spend = f"${snap.spend_usd:,.2f}{'~' if snap.spend_is_estimate else ''}"
            elif body is None and journal.launches(rec.name):
                state = "launched, not refreshed yet"
            opened = datetime.fromtimestamp(rec.opened_at, tz=UTC).strftime("%Y-%m-%d %H:%MZ")
            table.add_row(*(Text(printable(v)) for v in (rec.name, rec.backend, state, spend, opened, rec.path)))
        Console(file=sys.stdout, width=None if sys.stdout.isatty() else 160).print(table)
        return ExitCode.OK
    finally:
        journal.close()
