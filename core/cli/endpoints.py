"""`jstui endpoints [STUDY] [--delete NAME --yes]`: the endpoints jstui created, so none is forgotten.

Lists every endpoint jstui created for the study with status, age, $/hour and accrued cost (a
table on stdout), then jstui's leftovers: models and endpoint configs tagged for the study that no
endpoint uses (an endpoint deleted outside jstui leaves them), one line each on stderr. `--delete NAME
--yes` deletes the endpoint, its config and its model (only ones jstui created), or a leftover's model
and config; without --yes it says what it would delete and deletes nothing."""

from __future__ import annotations

import sys

from jstui.engine import deployments as deploying
from jstui.domain.errors import JstuiError, UsageError
from jstui.domain.textfmt import age_text as _age
from jstui.domain.textfmt import money as _usd
from jstui.domain.textfmt import printable


def add_arguments(parser) -> None:
    parser.add_argument("study", nargs="?", metavar="STUDY", help="study file or journal name (default: the last one)")
    parser.add_argument("--delete", metavar="NAME", help="delete this endpoint, its config and its model")
    parser.add_argument("--yes", action="store_true", help="really delete (with --delete)")


def _say(text: str) -> None:
    print(printable(text), file=sys.stderr, flush=True)


def run(args) -> int:
    from jstui.engine.session import open_session

    if args.yes and not args.delete:
        raise UsageError("--yes goes with --delete NAME")
    if args.delete and args.readonly:
        raise UsageError("--readonly: not allowed to delete an endpoint")
    # The session only looks (a listing must not launch queued candidates); delete is ours.
    with open_session(args, args.study, readonly=True) as session:
        study = session.study
        if args.delete:
            known = {r["name"] for r in session.journal.endpoints(study.name)}
            if args.delete not in known:
                leftover = {lo.name: lo for lo in deploying.leftovers(session)}.get(args.delete)
                if leftover is None:
                    raise UsageError(f"endpoint {args.delete!r} was not created by jstui for study {study.name}: "
                                     "not deleting it")
                if not args.yes:
                    _say(f"would delete the leftover {leftover.what} {args.delete}; add --yes")
                    return 0
                deploying.delete_leftover(session, args.delete)
                _say(f"deleted the leftover {leftover.what} {args.delete}")
                return 0
            if not args.yes:
                _say(f"would delete endpoint {args.delete}, its endpoint config and its model; add --yes")
                return 0
            deploying.delete_endpoint(session, args.delete)
            _say(f"deleted endpoint {args.delete} (and its config and model)")
            return 0
        session.refresh(strict=True)
        rows = deploying.endpoint_rows(session, session.snapshot().taken_at)
        _print_table(rows, session.snapshot().taken_at)
        if not rows:
            _say(f"study {study.name} has no endpoints jstui created")
        try:
            found = deploying.leftovers(session)
        except JstuiError as exc:  # e.g. no permission to list models: the table above still stands
            found = []
            _say(f"could not look for leftover models and endpoint configs: {exc}")
        for lo in found:
            _say(f"leftover: {lo.what} {lo.name} (no endpoint uses it; nothing bills for it): "
                 f"jstui endpoints {study.name} --delete {lo.name} --yes")
    return 0


def _print_table(rows, now) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    def cell(text: str) -> Text:  # service text: control characters escaped, never markup
        return Text(printable(text, newlines=False))

    table = Table(box=None, header_style="bold", pad_edge=False)
    for heading in ("endpoint", "status", "age", "$/hour", "accrued", "candidate", "instances", "reason"):
        table.add_column(heading, no_wrap=heading != "reason",
                         justify="right" if heading in ("age", "$/hour", "accrued") else "left")
    for r in rows:
        age = _age((now - r.created_at).total_seconds()) if now and r.created_at else "–"
        table.add_row(cell(r.name), cell(r.status), age, _usd(r.usd_per_hour), _usd(r.accrued_usd),
                      cell(r.candidate or "–"), cell(f"{r.instance_count} × {r.instance_type}"),
                      cell(" ".join((r.failure_reason or "").split())))
    if rows:
        Console(file=sys.stdout, width=200, soft_wrap=True).print(table)
