"""The frontier screen (`f`): every model on two axes, the Pareto front joined and highlighted,
and seed 000's table of the front below it. Left/right walk the front; the table cursor and
the plot's marker move together.

What the front is comes from `core.frontier.frontier_table`; this module only draws it."""

from __future__ import annotations

import math
from dataclasses import replace
from functools import partial
from typing import ClassVar, Literal
from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual_plotext import PlotextPlot

from jstui.domain.frontier import COST, RELATIVE_COLUMNS, FrontierResult, axis_choices, frontier_table
from jstui.engine.protocol import StudySession
from jstui.domain.snapshot import StudySnapshot
from jstui.domain.textfmt import printable
from jstui.domain.model import FrontierSettings
from jstui.domain.textfmt import count
from jstui.tui.host import host
from jstui.tui.widgets.study_header import StudyHeader

# Glyphs say what a point is, so the plot reads without colour (NO_COLOR, a monochrome tmux).
DOMINATED_MARKER = "○"
FRONT_MARKER = "●"
SELECTED_MARKER = "◆"
MISSING = "–"


def format_value(column: str, value: float | None) -> str:
    """A table cell in the units seed 000's table uses (percent, millions, seconds, dollars)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    if column == COST or column.endswith("_usd"):
        return f"${value:,.2f}"
    if column in RELATIVE_COLUMNS:
        return f"{value:.2f}"
    if column.startswith("num_") and column.endswith("params"):
        return count(value)  # the one formatter: 1.2B, 66.8M
    fraction_like = any(w in column for w in ("accuracy", "precision", "recall", "auc", "prc", "mAP"))
    if fraction_like and 0.0 <= value <= 1.0:
        return f"{value * 100:.1f}%"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


# (column key, heading) of seed 000's table, plus cost.
TABLE_COLUMNS = (
    ("num_params", "Params"),
    ("test_accuracy", "Test acc"),
    ("test_top_5_accuracy", "Top-5"),
    ("test_throughput", "img/s"),
    ("train_epoch_duration", "s/epoch"),
    (COST, "Cost"),
)
# Which columns give way first on a narrow terminal.
DROP_ORDER = ("relative_inference_time", "test_top_5_accuracy", "train_epoch_duration", "num_params",
              "relative_training_time")
RELATIVE_HEADINGS = (("relative_accuracy", "Rel acc"), ("relative_training_time", "Rel train"),
                     ("relative_inference_time", "Rel infer"))


class FrontierCommands(Provider):
    """The command palette mirrors the screen: axes, directions, log x, all jobs, base."""

    def _entries(self) -> list[tuple[str, Callable[[], None], str]]:
        screen = self.screen
        if not isinstance(screen, FrontierScreen):
            return []
        return screen.command_entries()

    async def discover(self) -> Hits:
        for title, callback, help_text in self._entries():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, callback, help_text in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)


class FrontierScreen(Screen):
    """Scatter of every model, the front highlighted, and the front's table."""

    COMMANDS: ClassVar = Screen.COMMANDS | {FrontierCommands}
    BINDINGS: ClassVar = [
        Binding("escape", "back", "Back", id="frontier.back"),
        Binding("left", "walk(-1)", "Prev", key_display="←", priority=True, id="frontier.prev"),
        Binding("right", "walk(1)", "Next", key_display="→", priority=True, id="frontier.next"),
        Binding("enter", "open_tuning_job", "Open tuning job", id="frontier.open"),
        Binding("d", "deploy", "Deploy", id="frontier.deploy"),
        Binding("g", "toggle_log_x", "Log x", id="frontier.log_x"),
        Binding("a", "toggle_all_jobs", "All jobs", show=False, id="frontier.all_jobs"),
        Binding("X", "swap_axes", "Swap axes", show=False, id="frontier.swap_axes"),
    ]
    DEFAULT_CSS = """
    FrontierScreen #frontier-summary { height: auto; padding: 0 1; }
    FrontierScreen #frontier-plot { height: 1fr; min-height: 8; }
    FrontierScreen #frontier-table { height: auto; max-height: 45%; }
    """

    def __init__(self, session: StudySession, *, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id or "frontier")
        self.session = session
        self.settings: FrontierSettings = session.study.frontier
        self.log_x = False
        self.all_jobs = False
        self.selected = 0  # index into result.rows
        self._snapshot: StudySnapshot = session.snapshot()
        self.result: FrontierResult = self._compute()
        self._hidden: list[str] = []  # the table's columns left out for the terminal's width

    # --- data -------------------------------------------------------------------------------
    def _compute(self) -> FrontierResult:
        return frontier_table(self._snapshot, self.settings, all_jobs=self.all_jobs)

    def update_snapshot(self, snapshot: StudySnapshot) -> None:
        """Called by the app with each new snapshot: the front follows the study live."""
        self._snapshot = snapshot
        self._recompute()

    apply_snapshot = update_snapshot  # the app's name for it

    def _recompute(self) -> None:
        keep = self.selected_row.candidate if self.selected_row else None
        keep_job = self.selected_row.best_training_job_name if self.selected_row else None
        result = self._compute()
        if result == self.result and self.is_mounted:
            return  # a quiet refresh: nothing moves, the table keeps its scroll
        self.result = result
        # The selection follows its model across refreshes, not its position.
        self.selected = 0
        for i, r in enumerate(self.result.rows):
            if r.candidate == keep and (not self.all_jobs or r.best_training_job_name == keep_job):
                self.selected = i
                break
        if self.is_mounted:
            self._render_all()

    def current_candidate(self) -> str | None:
        """The app's keys that act on "the current model" (deploy, stop, retry) take the selected point."""
        row = self.selected_row
        return row.candidate if row is not None else None

    @property
    def selected_row(self):
        rows = self.result.rows
        return rows[self.selected] if 0 <= self.selected < len(rows) else None

    # --- layout -----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StudyHeader(id="header")
        with Vertical():
            yield Static(id="frontier-summary")
            yield PlotextPlot(id="frontier-plot")
            yield DataTable(id="frontier-table", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        host(self).render_chrome(self)
        self._render_all()
        self.query_one(DataTable).focus()

    def on_resize(self) -> None:
        if self.is_mounted:
            self._fill_table()
            self._draw_plot()

    def _render_all(self) -> None:
        self._render_summary()
        self._fill_table()
        self._draw_plot()

    def _axis_label(self, axis: str, direction: str) -> str:
        return printable(f"{axis} ({direction})", newlines=False)

    def _render_summary(self) -> None:
        r = self.result
        what = "training jobs" if self.all_jobs else "models"
        parts = [f"{FRONT_MARKER} front {len(r.rows)}/{len(r.points)} {what} {SELECTED_MARKER} selected "
                 f"{DOMINATED_MARKER} dominated"]
        if r.base:
            parts.append(f"relative to {r.base}" if not r.base_problem else r.base_problem)
        if r.left_out:
            parts.append(r.left_out_summary())
        if self._hidden:
            parts.append(f"{len(self._hidden)} column{'s' if len(self._hidden) > 1 else ''} hidden for the width: "
                         + ", ".join(self._hidden))
        self.query_one("#frontier-summary", Static).update(Text(printable(" · ".join(parts), newlines=False)))

    def _all_columns(self) -> list[tuple[str, str]]:
        cols = [("rank", "#"), ("candidate", "Model")]
        fixed = {k for k, _ in TABLE_COLUMNS}
        axes = (self.settings.x, self.settings.y)
        for axis in axes:
            if axis not in fixed and axis not in {k for k, _ in cols}:
                cols.append((axis, printable(axis)))
        # a column no model on the front has a value for says nothing (an object-detection study has
        # no top-5 accuracy): left out, except the axes and the cost
        cols.extend((k, h) for k, h in TABLE_COLUMNS
                    if k in axes or k == COST or any(r.value(k) is not None for r in self.result.rows))
        if self.result.base and not self.result.base_problem:
            cols.extend(RELATIVE_HEADINGS)
        return cols

    def _cell(self, row, key: str) -> str:
        if key == "rank":
            return str(row.rank)
        if key == "candidate":
            return row.candidate if not self.all_jobs else f"{row.candidate} {row.best_training_job_name[-12:]}"
        return format_value(key, row.value(key))

    def _columns(self) -> list[tuple[str, str]]:
        """The columns that fit the screen: the least needed go first, never the model name,
        the axes or the cost."""
        cols = every = self._all_columns()
        width = self._widths(cols)
        room = (self.size.width or 120) - 2  # the vertical scrollbar
        for drop in DROP_ORDER:
            if sum(width[k] + 2 for k, _ in cols) <= room:
                break
            if drop not in (self.settings.x, self.settings.y):
                cols = [c for c in cols if c[0] != drop]
        self._hidden = [heading for key, heading in every if (key, heading) not in cols]
        return cols

    def _widths(self, cols: list[tuple[str, str]]) -> dict[str, int]:
        return {k: max([len(h)] + [len(self._cell(r, k)) for r in self.result.rows]) for k, h in cols}

    def _fill_table(self) -> None:
        table = self.query_one(DataTable)
        table.clear(columns=True)
        columns = self._columns()
        widths = self._widths(columns)
        for key, heading in columns:
            table.add_column(heading, key=key, width=widths[key])
        for r in self.result.rows:
            table.add_row(*(self._cell(r, key) for key, _ in columns), key=f"{r.candidate}|{r.best_training_job_name}")
        if self.result.rows:
            table.move_cursor(row=self.selected, animate=False)
        self._render_summary()  # it names the columns the width left out

    def _log_x_possible(self) -> bool:
        return bool(self.result.points) and all(p.x > 0 for p in self.result.points)

    def _draw_plot(self) -> None:
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        s, r = self.settings, self.result
        plt.xscale("log" if self.log_x and self._log_x_possible() else "linear")
        # One title line names both axes: plotext puts x and y labels on one line, where long
        # metric names collide.
        plt.title(f"↑ {self._axis_label(s.y, s.y_direction)}   → {self._axis_label(s.x, s.x_direction)}"
                  + (" log scale" if self.log_x else ""))
        dominated = [p for p in r.points if not p.on_front]
        if dominated:
            plt.scatter([p.x for p in dominated], [p.y for p in dominated], marker=DOMINATED_MARKER,
                        color=(150, 150, 150))
        if r.rows:
            xs, ys = [row.x for row in r.rows], [row.y for row in r.rows]
            if len(xs) > 1:
                plt.plot(xs, ys, marker="braille", color="cyan")
            plt.scatter(xs, ys, marker=FRONT_MARKER, color="cyan")
            sel = self.selected_row
            if sel is not None:
                plt.scatter([sel.x], [sel.y], marker=SELECTED_MARKER, color="orange")
        if not r.points:
            plt.title(printable(f"no model has reported both {s.x} and {s.y} yet", newlines=False))
        plot.refresh()

    # --- selection --------------------------------------------------------------------------
    def action_walk(self, step: int) -> None:
        if not self.result.rows:
            return
        self.selected = max(0, min(len(self.result.rows) - 1, self.selected + step))
        self.query_one(DataTable).move_cursor(row=self.selected, animate=False)
        self._draw_plot()

    @on(DataTable.RowHighlighted, "#frontier-table")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row != self.selected and 0 <= event.cursor_row < len(self.result.rows):
            self.selected = event.cursor_row
            self._draw_plot()

    @on(DataTable.RowSelected, "#frontier-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_tuning_job()

    def action_open_tuning_job(self) -> None:
        row = self.selected_row
        if row is None:
            return
        host(self).open_tuning_job(row.candidate)

    def action_back(self) -> None:
        self.app.pop_screen()

    # --- deploy -----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "deploy" and self.session.readonly:
            return False  # not offered at all under --readonly
        return True

    def action_deploy(self) -> None:
        row = self.selected_row
        if row is None or self.session.readonly:
            return
        from jstui.tui.deploy import DeployModal  # the modal module is optional for the plot itself

        self.app.push_screen(DeployModal(self.session, row.candidate))

    # --- view options -----------------------------------------------------------------------
    def action_toggle_log_x(self) -> None:
        if not self.log_x and not self._log_x_possible():
            self.notify(f"{self.settings.x} has values ≤ 0: a log scale cannot show them", severity="warning")
            return
        self.log_x = not self.log_x
        self._render_summary()
        self._draw_plot()

    def action_toggle_all_jobs(self) -> None:
        self.all_jobs = not self.all_jobs
        self._recompute()

    def action_swap_axes(self) -> None:
        s = self.settings
        self.set_settings(replace(s, x=s.y, y=s.x, x_direction=s.y_direction, y_direction=s.x_direction))

    def set_settings(self, settings: FrontierSettings) -> None:
        self.settings = settings
        if self.log_x and not self._log_x_possible():
            self.log_x = False
        self._recompute()

    def command_entries(self) -> list[tuple[str, Callable[[], None], str]]:
        """(title, callback, help) for the command palette: every axis choice and toggle."""
        s = self.settings
        out: list[tuple[str, Callable[[], None], str]] = []
        for metric in axis_choices(self._snapshot):
            if metric != s.x:
                out.append((f"Frontier x axis: {metric}", partial(self.set_settings, replace(s, x=metric)),
                            f"plot {metric} across"))
            if metric != s.y:
                out.append((f"Frontier y axis: {metric}", partial(self.set_settings, replace(s, y=metric)),
                            f"plot {metric} upwards"))
        flip: dict[str, Literal["max", "min"]] = {"max": "min", "min": "max"}
        out.append((f"Frontier x direction: {flip[s.x_direction]}",
                    partial(self.set_settings, replace(s, x_direction=flip[s.x_direction])), f"{s.x}: prefer the other end"))
        out.append((f"Frontier y direction: {flip[s.y_direction]}",
                    partial(self.set_settings, replace(s, y_direction=flip[s.y_direction])), f"{s.y}: prefer the other end"))
        out.append(("Frontier: toggle log x", self.action_toggle_log_x, "logarithmic x axis"))
        out.append(("Frontier: toggle all training jobs", self.action_toggle_all_jobs,
                    "one point per training job instead of per model"))
        out.append(("Frontier: swap axes", self.action_swap_axes, "exchange x and y"))
        for cand in sorted({t.candidate for t in self._snapshot.tuning_jobs}):
            if cand != s.base:
                out.append((f"Frontier base: {cand}", partial(self.set_settings, replace(s, base=cand)),
                            "relative accuracy, training and inference time (seed 004)"))
        if s.base:
            out.append(("Frontier base: none", partial(self.set_settings, replace(s, base="")), "absolute figures only"))
        if not self.session.readonly and self.selected_row is not None:
            out.append((f"Deploy {self.selected_row.candidate}", self.action_deploy, "create an endpoint"))
        return out
