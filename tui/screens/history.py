"""Optimization history (`H` on the study screen): the best objective so far against training jobs
completed, the study's (when its candidates share one objective) and each candidate's, overlaid;
`t` toggles the study's line alone. Drawn with plotext from jstui.domain.history."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual_plotext import PlotextPlot

from jstui.domain.history import histories
from jstui.domain.snapshot import StudySnapshot
from jstui.tui import format as fmt
from jstui.tui.host import CandidateScreen, host
from jstui.tui.screens.curves import COLORS, LEGEND_STYLES, MARKERS, MAX_OVERLAID, printable
from jstui.tui.widgets.study_header import StudyHeader


def _jobs(n: int) -> str:
    return f"{n} job" + ("" if n == 1 else "s")


class HistoryScreen(Screen[None]):
    BINDINGS: ClassVar = [
        Binding("escape", "back", "Back", id="history.back"),
        Binding("t", "toggle_candidates", "Study only / with candidates", id="history.candidates"),
        Binding("v", "slices", "Slices", id="history.slices"),  # jstui.tui.screens.slices
    ]
    DEFAULT_CSS = """
    HistoryScreen #history-plot { height: 1fr; min-height: 6; }
    HistoryScreen #history-legend { height: auto; max-height: 10; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__(id="history")
        self.with_candidates = True

    def compose(self) -> ComposeResult:
        yield StudyHeader(id="header")
        yield PlotextPlot(id="history-plot")
        yield Static(id="history-legend")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        host(self).render_chrome(self)
        self.apply_snapshot(host(self).snapshot)

    def on_resize(self) -> None:
        if self.is_mounted:
            self.apply_snapshot(host(self).snapshot)

    def apply_snapshot(self, snapshot: StudySnapshot) -> None:
        if not self.is_attached:
            return
        per, study = histories(snapshot)
        objectives = {(r.objective_name, r.direction) for r in snapshot.tuning_jobs if r.tuning_job_name}
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        name = ", ".join(sorted(printable(o) for o, _ in objectives)) or "objective"
        plt.title(f"↑ best {name} so far   → training jobs completed")
        legend = Text()
        shown = sorted(per, key=lambda c: -len(per[c]))[: MAX_OVERLAID - 1] if self.with_candidates else []
        if study:
            plt.plot([n for n, _ in study], [v for _, v in study], marker="braille", color="white")
            plt.scatter([study[-1][0]], [study[-1][1]], marker="★", color="white")
            legend.append(" ★ study", style="bold")
            legend.append(f"  best {fmt.number(study[-1][1])} after {_jobs(study[-1][0])}\n")
        for i, cand in enumerate(shown):
            points = per[cand]
            color = COLORS[(i + 1) % len(COLORS)]
            xs, ys = [n for n, _ in points], [v for _, v in points]
            if len(xs) > 1:
                plt.plot(xs, ys, marker="braille", color=color)
            plt.scatter(xs, ys, marker=MARKERS[(i + 1) % len(MARKERS)], color=color)
            legend.append(f" {MARKERS[(i + 1) % len(MARKERS)]} ", style=LEGEND_STYLES[(i + 1) % len(LEGEND_STYLES)])
            legend.append(f"{printable(cand)}  best {fmt.number(points[-1][1])} after {_jobs(points[-1][0])}\n")
        if not per:
            plt.title("no training job has completed with an objective yet")
        elif study is None:
            legend.append(" candidates optimise different objectives: no study line\n", style="dim")
        left = len(per) - len(shown)
        if self.with_candidates and left > 0:
            legend.append(f" {left} more candidate{'s' if left > 1 else ''} not drawn (the ones with the fewest jobs)\n")
        self.query_one("#history-legend", Static).update(legend)
        plot.refresh()

    def action_back(self) -> None:
        self.dismiss(None)

    def action_toggle_candidates(self) -> None:
        self.with_candidates = not self.with_candidates
        self.apply_snapshot(host(self).snapshot)

    def action_slices(self) -> None:
        """The slice view of the candidate the study screen's cursor is on when one of its training
        jobs reported the objective (else the first candidate with one); `n` there moves on."""
        from jstui.tui.screens.slices import SliceScreen

        below = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else None
        candidate = below.current_candidate() if isinstance(below, CandidateScreen) else None
        snapshot = host(self).snapshot
        launched = [r.candidate for r in snapshot.tuning_jobs if r.tuning_job_name]
        per, _ = histories(snapshot)
        if candidate not in per:  # nothing to draw for it yet: the first candidate that has points
            candidate = next((c for c in launched if c in per), launched[0] if launched else None)
        if candidate is None:
            self.notify("no candidate is launched yet", severity="warning", timeout=3)
            return
        self.app.push_screen(SliceScreen(candidate))
