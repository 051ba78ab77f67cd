"""Slice view (`v` on a tuning job's screen or in the optimization history): the candidate's
objective against each tuned hyperparameter, one point per training job that reported it (Optuna's
slice plot), drawn with plotext from jstui.domain.slices. One plot per hyperparameter: `p`/`→` the
next, `P`/`←` the previous; `n`/`N` the next or previous candidate. A range the tuning job searched
on a log scale (its ParameterRanges' ScalingType) is drawn on a log axis; categorical values as
categories. The best training job is the ★."""

from __future__ import annotations

import math
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual_plotext import PlotextPlot

from jstui.domain.slices import Slice, slices
from jstui.domain.snapshot import StudySnapshot, TuningJobRow
from jstui.tui import format as fmt
from jstui.tui.host import host
from jstui.tui.screens.curves import printable
from jstui.tui.widgets.study_header import StudyHeader

LABEL_WIDTH = 14  # a category's label under the axis, cut with an ellipsis beyond this


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _tick(value: float) -> str:
    """A log axis' decade as a person reads it: 1e-04, 0.01, 1, 100, 1e+05."""
    if 1e-3 <= value < 1e4:
        return f"{value:g}"
    return f"{value:.0e}"


def log_ticks(xs: list[float]) -> tuple[list[float], list[str]]:
    """Ticks of a log axis drawn as log10(x): each decade in the span, else the ends' values."""
    lo, hi = min(xs), max(xs)
    decades = list(range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1))
    if len(decades) >= 3:
        return [float(d) for d in decades], [_tick(10.0 ** d) for d in decades]
    ends = sorted({lo, hi})
    return [math.log10(v) for v in ends], [f"{v:.3g}" for v in ends]


class SliceScreen(Screen[None]):
    BINDINGS: ClassVar = [
        Binding("escape", "back", "Back", id="slices.back"),
        Binding("p,right", "parameter(1)", "Next hyperparameter", id="slices.next"),
        Binding("P,left", "parameter(-1)", "Previous hyperparameter", id="slices.previous", show=False),
        Binding("n", "candidate(1)", "Next candidate", id="slices.next_candidate"),
        Binding("N", "candidate(-1)", "Previous candidate", id="slices.previous_candidate", show=False),
    ]
    DEFAULT_CSS = """
    SliceScreen #slices-title { height: auto; max-height: 2; padding: 0 1; }
    SliceScreen #slices-plot { height: 1fr; min-height: 6; }
    SliceScreen #slices-legend { height: auto; max-height: 6; padding: 0 1; }
    """

    def __init__(self, candidate: str) -> None:
        super().__init__(id="slices")
        self.candidate = candidate
        self.index = 0  # which hyperparameter (kept by name across refreshes)
        self.parameter: str | None = None
        self._slices: list[Slice] = []
        self._row: TuningJobRow | None = None

    def compose(self) -> ComposeResult:
        yield StudyHeader(id="header")
        yield Static(id="slices-title")
        yield PlotextPlot(id="slices-plot")
        yield Static(id="slices-legend")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        host(self).render_chrome(self)
        self.apply_snapshot(host(self).snapshot)

    def on_resize(self) -> None:
        if self.is_mounted:
            self._draw()

    def current_candidate(self) -> str:
        return self.candidate

    # --- data -------------------------------------------------------------------------------
    def candidates(self, snapshot: StudySnapshot) -> list[str]:
        """The candidates with a tuning job, in the study's order (what `n` cycles through)."""
        return [r.candidate for r in snapshot.tuning_jobs if r.tuning_job_name]

    def apply_snapshot(self, snapshot: StudySnapshot) -> None:
        if not self.is_attached:
            return
        self._row = next((r for r in snapshot.tuning_jobs if r.candidate == self.candidate), None)
        row = self._row
        jobs = snapshot.training_jobs_of(row.tuning_job_name) if row and row.tuning_job_name else ()
        self._slices = slices(jobs, row.parameter_scales if row else {})
        names = [s.name for s in self._slices]
        if self.parameter in names:
            self.index = names.index(self.parameter)
        elif self._slices:
            self.index = min(self.index, len(self._slices) - 1)
            self.parameter = names[self.index]
        self._draw()

    def current(self) -> Slice | None:
        return self._slices[self.index] if self._slices else None

    # --- drawing ----------------------------------------------------------------------------
    def _draw(self) -> None:
        current = self.current()
        self._draw_title(current)
        self._draw_plot(current)
        self._draw_legend(current)

    def _draw_title(self, current: Slice | None) -> None:
        row = self._row
        text = Text()
        text.append(" Slice ", style="bold reverse")
        text.append(" ")
        text.append(printable(self.candidate), style="bold")
        if row is not None and row.objective_name:
            text.append(f"  {printable(row.objective_name)} {fmt.direction_arrow(row.direction)}")
        if current is not None:
            text.append(f"  vs {printable(current.name)}")
            if len(self._slices) > 1:
                text.append(f"  ({self.index + 1} of {len(self._slices)}: p next)", style="dim")
        self.query_one("#slices-title", Static).update(text)

    def _draw_plot(self, current: Slice | None) -> None:
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_figure()
        row = self._row
        objective = printable(row.objective_name) if row is not None and row.objective_name else "objective"
        if current is None or not current.points:
            plt.title(self._empty_reason(current))
            plot.refresh()
            return
        name = printable(current.name)
        if current.categories:
            unit = f"{name} (categories)"
        elif current.log_x:
            unit = f"1 − {name} (log scale)" if current.reverse else f"{name} (log scale)"
        else:
            unit = name
        plt.title(f"↑ {objective}   → {unit}")
        xs = [p.x for p in current.points]
        drawn = [math.log10(x) for x in xs] if current.log_x else xs
        ys = [p.objective for p in current.points]
        plt.scatter(drawn, ys, marker="●", color="cyan")
        best = [(x, p.objective) for x, p in zip(drawn, current.points) if p.is_best]
        if best:
            plt.scatter([best[0][0]], [best[0][1]], marker="★", color="yellow")
        if current.categories:
            n = len(current.categories)
            plt.xticks([float(i + 1) for i in range(n)], [_cut(printable(c), LABEL_WIDTH) for c in current.categories])
            plt.xlim(0.5, n + 0.5)
        else:
            lo, hi = min(drawn), max(drawn)
            if current.log_x:
                ticks, labels = log_ticks(xs)
                plt.xticks(ticks, labels)
                lo, hi = min(lo, *ticks), max(hi, *ticks)  # the whole decades, so each is labelled
            pad = (hi - lo) * 0.04 or 1.0  # room either side: no point sits on the frame
            plt.xlim(lo - pad, hi + pad)
        low, high = min(ys), max(ys)
        pad = (high - low) * 0.08 or abs(high) * 0.05 or 1.0
        plt.ylim(low - pad, high + pad)
        plot.refresh()

    def _empty_reason(self, current: Slice | None) -> str:
        row = self._row
        if row is None or not row.tuning_job_name:
            return "not launched yet: no training job to draw"
        if current is None:
            return "this tuning job tunes no hyperparameter"
        return "no training job has reported the objective yet"

    def _draw_legend(self, current: Slice | None) -> None:
        text = Text()
        if current is not None:
            text.append(f" {len(current.points)} training job{'s' if len(current.points) != 1 else ''} with an objective")
            best = next((p for p in current.points if p.is_best), None)
            if best is not None:
                text.append("  ★ ", style="bold yellow")
                text.append(f"best {fmt.number(best.objective)} at {printable(current.name)} = ")
                text.append(printable(_cut(best.text, 40)), style="bold")
            scale = current.scale or "no ParameterRanges in the snapshot"
            text.append(f"\n range: {printable(scale)}")
            if current.note:
                text.append(f" · {printable(current.note)}", style="dim")
            if current.categories and any(len(printable(c)) > LABEL_WIDTH for c in current.categories):
                text.append("\n values in full: ")
                text.append(" · ".join(printable(c) for c in current.categories))
        if len(self._slices) > 1:
            others = [printable(s.name) for i, s in enumerate(self._slices) if i != self.index]
            text.append(f"\n p/←→: {', '.join(others)}", style="dim")
        self.query_one("#slices-legend", Static).update(text)

    # --- actions ----------------------------------------------------------------------------
    def action_back(self) -> None:
        self.dismiss(None)

    def action_parameter(self, step: int) -> None:
        if len(self._slices) < 2:
            self.notify("only one tuned hyperparameter" if self._slices else "no tuned hyperparameter",
                        severity="warning", timeout=3)
            return
        self.index = (self.index + step) % len(self._slices)
        self.parameter = self._slices[self.index].name
        self._draw()

    def action_candidate(self, step: int) -> None:
        snapshot = host(self).snapshot
        names = self.candidates(snapshot)
        if not names:
            return
        i = names.index(self.candidate) if self.candidate in names else -step
        self.candidate = names[(i + step) % len(names)]
        self.apply_snapshot(snapshot)
