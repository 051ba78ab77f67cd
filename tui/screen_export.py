"""Export from the screen (`E` on the study screen): the rows the table shows, in its filter and sort
order, written as CSV in `jstui export`'s format (jstui.domain.export: raw values, not the screen's
rounded text) to a new file in the current directory; the app says where."""

from __future__ import annotations

from pathlib import Path

from jstui.domain.export import frame, to_csv
from jstui.domain.snapshot import StudySnapshot


def shown_rows_csv(snapshot: StudySnapshot, candidates: list[str]) -> tuple[str, int, list[str]]:
    """(CSV text, rows written, candidates shown but left out: never launched, so no tuning job row)."""
    df = frame(snapshot, "tuning-jobs")
    order = {c: i for i, c in enumerate(candidates)}
    df = df[df["candidate"].isin(order)]
    df = df.iloc[sorted(range(len(df)), key=lambda i: order[df["candidate"].iloc[i]])]
    left_out = [c for c in candidates if c not in set(df["candidate"])]
    return to_csv(df), len(df), left_out


def new_path(directory: Path, snapshot: StudySnapshot) -> Path:
    """`<study>-tuning-jobs-<backend time>.csv`, never over an existing file."""
    stamp = f"-{snapshot.taken_at:%Y%m%dT%H%M%S}" if snapshot.taken_at is not None else ""
    base = f"{snapshot.study}-tuning-jobs{stamp}"
    path = directory / f"{base}.csv"
    n = 2
    while path.exists():
        path, n = directory / f"{base}-{n}.csv", n + 1
    return path


def write_shown(snapshot: StudySnapshot, candidates: list[str], directory: Path) -> str:
    """Write the file; the one line that says what was written where."""
    text, count, left_out = shown_rows_csv(snapshot, candidates)
    path = new_path(directory, snapshot)
    with path.open("x", encoding="utf-8") as f:  # "x": never overwrite, even if one appeared meanwhile
        f.write(text)
    line = f"wrote {count} row{'s' if count != 1 else ''} (as shown: filter and sort) to {path.resolve()}"
    if left_out:
        line += f"; left out {len(left_out)} not launched ({', '.join(left_out[:3])}{'…' if len(left_out) > 3 else ''})"
    return line
