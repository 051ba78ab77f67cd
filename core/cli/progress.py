"""What headless commands print about a study's state, and the exit code it means."""

from __future__ import annotations

from jstui.domain.exitcodes import ExitCode
from jstui.domain.snapshot import StudySnapshot
from jstui.domain.textfmt import printable


def progress_line(snap: StudySnapshot) -> str:
    """One line for stderr: statuses, training jobs done, spend, connection."""
    counts = snap.counts_by_status()
    states = ", ".join(f"{n} {s}" for s, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    done = sum(1 for t in snap.training_jobs if t.status in ("Completed", "Failed", "Stopped"))
    total = sum(t.max_jobs for t in snap.tuning_jobs)
    spend = f"${snap.spend_usd:,.2f}{' (est.)' if snap.spend_is_estimate else ''}"
    when = snap.taken_at.strftime("%Y-%m-%d %H:%M:%SZ") if snap.taken_at else "-"
    tail = ""
    if snap.budget_state in ("stopped", "exceeded", "warning"):
        tail += f" · budget {snap.budget_state}"
    capped = sum(1 for t in snap.tuning_jobs if t.ended_at_runtime_cap)
    if capped:
        tail += f" · {capped} ended at the budget's runtime cap"
    if snap.connection.state not in ("ok", "connecting"):
        retry = f" in {snap.connection.retry_in_s:.0f} s" if snap.connection.retry_in_s else ""
        tail += f" · {snap.connection.state}{retry}"
    line = f"{snap.study} [{when}] {states or 'nothing launched'} · {done}/{total} training jobs ended · {spend}{tail}"
    return printable(line, newlines=False)  # statuses come from the service


def exit_code_for(snap: StudySnapshot, *, budget_only: bool = False) -> int:
    """6 budget exceeded, stopped by the guard, or a tuning job ended by the runtime cap jstui derives
    from the budget (ResourceLimits.MaxRuntimeInSeconds: the service's own budget stop) — 6 wins over
    5; 5 a tuning job ended Failed."""
    if snap.budget_state in ("stopped", "exceeded"):
        return ExitCode.BUDGET
    if any(t.ended_at_runtime_cap for t in snap.tuning_jobs):
        return ExitCode.BUDGET
    if not budget_only and any(t.status == "Failed" for t in snap.tuning_jobs):
        return ExitCode.FAILED
    return ExitCode.OK
