"""Compare (space marks candidates on the study screen, `C` opens them side by side): one column per
candidate, one row per fact (the model ids are on the tuning-job screens; status, jobs, best objective, spend, billed time, instance, each tuned
hyperparameter of the best training job, each of its metrics). A row whose values differ is marked
≠ and bold; `c` overlays the candidates' best training jobs' learning curves."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from jstui.domain.snapshot import StudySnapshot, TuningJobRow
from jstui.tui import format as fmt
from jstui.tui.host import host
from jstui.tui.screens.curves import printable
from jstui.tui.widgets.study_header import StudyHeader

DIFFERS = "≠"


def _tail(row: TuningJobRow) -> str:
    """The best training job's name without its tuning job's (HPO names them `<tuning job>-<nnn>-<hash>`)."""
    name = row.best_training_job_name
    if not name:
        return fmt.dash()
    prefix = (row.tuning_job_name or "") + "-"
    return name[len(prefix):] if row.tuning_job_name and name.startswith(prefix) else name


def compare_rows(rows: list[TuningJobRow]) -> list[tuple[str, list[str]]]:
    """(fact, one text per candidate), in the order a person reads them."""
    out: list[tuple[str, list[str]]] = [
        ("status", [fmt.status_plain(r.status) for r in rows]),
        ("jobs ✓/▶/✗/■", [f"{r.jobs_completed}/{r.jobs_in_progress}/{r.jobs_failed}/{r.jobs_stopped} of {r.max_jobs}"
                          for r in rows]),
        ("objective", [f"{r.objective_name} {fmt.direction_arrow(r.direction)}" for r in rows]),
        ("best objective", [fmt.number(r.best_objective) for r in rows]),
        ("spend", [fmt.usd(r.cost_usd, r.cost_is_estimate) for r in rows]),
        ("billed", [fmt.duration(r.billable_seconds) for r in rows]),
        ("instance", [f"{r.instance_count} x {r.instance_type}" for r in rows]),
        ("best training job", [_tail(r) for r in rows]),
    ]
    for name in sorted({k for r in rows for k in r.best_hyperparameters}):
        out.append((f"hp {name}", [r.best_hyperparameters.get(name, fmt.dash()) for r in rows]))
    for name in sorted({k for r in rows for k in r.best_metrics}):
        out.append((name, [fmt.number(r.best_metrics[name]) if name in r.best_metrics else fmt.dash() for r in rows]))
    return out


class CompareScreen(Screen[None]):
    BINDINGS: ClassVar = [
        Binding("escape", "back", "Back", id="compare.back"),
        Binding("c", "curves", "Curves overlaid", id="compare.curves"),
    ]
    DEFAULT_CSS = """
    CompareScreen #compare-title { height: 1; padding: 0 1; }
    CompareScreen #compare-table { height: 1fr; }
    """

    def __init__(self, candidates: list[str]) -> None:
        super().__init__(id="compare")
        self.candidates = list(candidates)
        self.rows: list[TuningJobRow] = []

    def compose(self) -> ComposeResult:
        yield StudyHeader(id="header")
        yield Static(id="compare-title")
        # the ≠ and fact columns stay put while ← → scroll the candidates (80 columns hold about two)
        yield DataTable(id="compare-table", cursor_type="row", zebra_stripes=True, fixed_columns=2)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        host(self).render_chrome(self)
        self.apply_snapshot(host(self).snapshot)
        self.query_one(DataTable).focus()

    def current_candidate(self) -> str | None:
        return self.candidates[0] if self.candidates else None

    def apply_snapshot(self, snapshot: StudySnapshot) -> None:
        if not self.is_attached:
            return
        by_name = {r.candidate: r for r in snapshot.rows_with_plan()}
        self.rows = [by_name[c] for c in self.candidates if c in by_name]
        facts = compare_rows(self.rows)
        differing = sum(1 for _, values in facts if len(set(values)) > 1)
        title = Text()
        title.append(" Compare ", style="bold reverse")
        title.append(f" {len(self.rows)} candidates · {differing} of {len(facts)} facts differ ({DIFFERS}, bold)")
        self.query_one("#compare-title", Static).update(title)
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        table.add_column(" ", key="differs")
        table.add_column("", key="fact")
        for r in self.rows:
            table.add_column(Text(printable(r.candidate), style="bold"), key=r.candidate)
        for fact, values in facts:
            differs = len(set(values)) > 1
            style = "bold" if differs else "dim"
            table.add_row(DIFFERS if differs else "", Text(printable(fact), style=style),
                          *(Text(printable(v), style=style) for v in values), key=fact)
        if facts:
            table.move_cursor(row=min(cursor, len(facts) - 1), animate=False)

    def action_back(self) -> None:
        self.dismiss(None)

    def action_curves(self) -> None:
        from jstui.tui.screens.curves import CurvesScreen

        best = [r.best_training_job_name for r in self.rows if r.best_training_job_name]
        if not best:
            self.notify("none of these candidates has a best training job yet", severity="warning", timeout=4)
            return
        self.app.push_screen(CurvesScreen(self.candidates[0], best[0], jobs=best))


def toggle_mark(marked: list[str], candidate: str | None) -> str:
    """Mark or unmark a candidate for compare; the line that says what is marked now."""
    if candidate is None:
        return "no candidate here"
    if candidate in marked:
        marked.remove(candidate)
    else:
        marked.append(candidate)
    if not marked:
        return "nothing marked (space marks a candidate for compare)"
    more = "" if len(marked) > 1 else "; mark one more"
    return f"marked for compare: {', '.join(marked)} (C compares{more})"
