"""A candidate's tuning job: its training jobs (tuned hyperparameters, objective, status,
duration, cost, FailureReason, the best one starred) and a log pane that follows the selected
training job's log while it runs."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Log, Static

from jstui.domain.snapshot import StudySnapshot, TrainingJobRow, TuningJobRow

from jstui.tui import format as fmt
from jstui.tui.messages import LogChunkReady
from jstui.tui.widgets.spend_bar import SpendBar
from jstui.tui.widgets.study_header import StudyHeader

BEST = "★"


def _short_name(job: TrainingJobRow) -> str:
    """HPO names its training jobs `<tuning job>-<nnn>-<hash>`: the tail is what tells them apart."""
    prefix = job.tuning_job_name + "-"
    return job.training_job_name[len(prefix):] if job.training_job_name.startswith(prefix) else job.training_job_name


def _duration_s(job: TrainingJobRow, taken_at) -> float | None:
    if job.training_seconds is not None:
        return job.training_seconds
    if job.started_at is None:
        return None
    return fmt.seconds_between(job.ended_at or taken_at, job.started_at)


class TuningJobScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "back", "Back", id="tuning.back"),
        Binding("j", "cursor_down", "Down", id="tuning.down", show=False),
        Binding("k", "cursor_up", "Up", id="tuning.up", show=False),
        Binding("l", "logs", "Logs full size", id="tuning.logs"),
    ]

    def __init__(self, candidate: str, *, logs_full: bool = False) -> None:
        super().__init__(id="tuning-job")
        self.candidate = candidate
        self.logs_full = logs_full
        self._rendered: StudySnapshot | None = None
        self._ready = False  # composed and mounted: until then on_mount renders the app's snapshot
        self._columns: list[str] = []
        self._cells: dict[str, tuple] = {}
        self._jobs: dict[str, TrainingJobRow] = {}
        self._log_job: str | None = None
        self._log_token: str | None = None
        self._log_timer: Timer | None = None
        self._placed_cursor = False

    def compose(self) -> ComposeResult:
        yield StudyHeader(id="header")
        yield Static(id="tuning-title")
        yield DataTable(id="training-jobs", cursor_type="row", zebra_stripes=True)
        yield Static(id="log-title")
        yield Log(id="log", max_lines=5000, auto_scroll=True)
        with Vertical(id="bottom"):
            yield SpendBar(id="spend")
            yield Footer(compact=True)

    def on_mount(self) -> None:
        self.set_class(self.logs_full, "logs-full")
        self.query_one(DataTable).focus()
        self.app.render_chrome(self)  # type: ignore[attr-defined]  # self.app is typed App; here a JstuiApp (the typed seam is the TUI issue)
        self._ready = True
        self.apply_snapshot(self.app.snapshot)  # type: ignore[attr-defined]  # self.app is typed App; here a JstuiApp (the typed seam is the TUI issue)

    def on_screen_resume(self) -> None:
        snap = self.app.snapshot  # type: ignore[attr-defined]  # self.app is typed App; here a JstuiApp (the typed seam is the TUI issue)
        if snap is not self._rendered and self._ready:
            self.apply_snapshot(snap)

    def on_unmount(self) -> None:
        self._ready = False
        if self._log_timer is not None:
            self._log_timer.stop()

    @property
    def table(self) -> DataTable:
        return self.query_one("#training-jobs", DataTable)

    def current_candidate(self) -> str:
        return self.candidate

    def selected_job(self) -> str | None:
        table = self.table
        if table.row_count == 0:
            return None
        return str(table.ordered_rows[table.cursor_row].key.value)

    # --- rendering --------------------------------------------------------------------------
    def _tuning_row(self, snapshot: StudySnapshot) -> TuningJobRow | None:
        return next((r for r in snapshot.tuning_jobs if r.candidate == self.candidate), None)

    def apply_snapshot(self, snapshot: StudySnapshot) -> None:
        if not self._ready or not self.is_attached:
            return
        self._rendered = snapshot
        row = self._tuning_row(snapshot)
        self.query_one("#tuning-title", Static).update(self._title(row))
        jobs = snapshot.training_jobs_of(row.tuning_job_name) if row and row.tuning_job_name else ()
        jobs = tuple(sorted(jobs, key=lambda j: (j.created_at is None, j.created_at, j.training_job_name)))
        self._jobs = {j.training_job_name: j for j in jobs}
        self._fill(jobs, snapshot)
        if not self._placed_cursor and jobs:
            self._placed_cursor = True
            best = next((i for i, j in enumerate(jobs) if j.is_best), 0)
            self.table.move_cursor(row=best, animate=False)
        self._follow(self.selected_job())
        self._show_log_title()

    def _title(self, row: TuningJobRow | None) -> Text:
        text = Text(" ")
        text.append(self.candidate, style="bold")
        if row is None:
            text.append("  (not in this study's snapshot)")
            return text
        text.append(f"  {fmt.printable(row.model_id)}\n ")
        text.append_text(fmt.status_text(row.status))
        text.append(f"  {fmt.printable(row.tuning_job_name or 'no tuning job yet')}")
        text.append(f"  jobs ✓{row.jobs_completed} ▶{row.jobs_in_progress} ✗{row.jobs_failed} of {row.max_jobs}\n ")
        text.append(f"{row.direction} {fmt.printable(row.objective_name)}")
        if row.best_objective is not None:
            text.append(f": best {fmt.number(row.best_objective)}")
        text.append(f"  spend {fmt.usd(row.cost_usd, row.cost_is_estimate)}  billed {fmt.duration(row.billable_seconds)}")
        reason = row.failure_reason or row.waiting_reason
        if reason:
            text.append(f"\n {fmt.one_line(reason)}", style="bold")
        return text

    def _fill(self, jobs: tuple[TrainingJobRow, ...], snapshot: StudySnapshot) -> None:
        hp_names = sorted({k for j in jobs for k in j.hyperparameters})
        # the facts every job has first, so they stay on screen at 80 columns; hyperparameters after
        columns = ["best", "job", "status", "objective", "duration", "cost", *(f"hp.{n}" for n in hp_names), "reason"]
        table = self.table
        cells = {j.training_job_name: self._cells_of(j, hp_names, snapshot) for j in jobs}
        if columns != self._columns or list(cells) != [str(r.key.value) for r in table.ordered_rows]:
            cursor = self.selected_job()
            table.clear(columns=columns != self._columns)
            if columns != self._columns:
                for key in columns:
                    label = {"best": BEST, "job": "Job", "status": "Status", "objective": "Objective",
                             "duration": "Duration", "cost": "Cost", "reason": "FailureReason"}.get(key, fmt.printable(key[3:]))
                    table.add_column(label, key=key)
            for name, row_cells in cells.items():
                table.add_row(*row_cells, key=name)
            if cursor in cells:
                table.move_cursor(row=list(cells).index(cursor), animate=False)
        else:
            for name, row_cells in cells.items():
                if self._cells.get(name) != row_cells:
                    for key, value in zip(columns, row_cells):
                        table.update_cell(name, key, value)
        self._columns = columns
        self._cells = cells

    def _cells_of(self, job: TrainingJobRow, hp_names: list[str], snapshot: StudySnapshot) -> tuple:
        return (
            Text(BEST if job.is_best else " ", style="bold"),
            fmt.printable(_short_name(job)),
            fmt.status_text(job.status),
            Text(fmt.number(job.objective), justify="right"),
            Text(fmt.duration(_duration_s(job, snapshot.taken_at)), justify="right"),
            Text(fmt.usd(job.cost_usd, job.cost_is_estimate), justify="right"),
            *(fmt.printable(job.hyperparameters.get(n, fmt.dash()), newlines=False) for n in hp_names),
            fmt.one_line(job.failure_reason, 60),
        )

    def _show_log_title(self) -> None:
        job = self._jobs.get(self._log_job or "")
        text = Text(" Log ", style="bold reverse")
        if job is None:
            text.append(" no training job selected")
        else:
            text.append(f" {fmt.printable(job.training_job_name)} ")
            text.append_text(fmt.status_text(job.status))
            if job.failure_reason:
                text.append(f"\n FailureReason: {fmt.one_line(job.failure_reason)}", style="bold")
        self.query_one("#log-title", Static).update(text)

    # --- the log pane -----------------------------------------------------------------------
    @on(DataTable.RowHighlighted, "#training-jobs")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._follow(str(event.row_key.value) if event.row_key is not None else None)
        self._show_log_title()

    def _follow(self, job: str | None) -> None:
        if job == self._log_job:
            return
        self._log_job, self._log_token = job, None
        if self._log_timer is not None:
            self._log_timer.stop()
            self._log_timer = None
        self.query_one(Log).clear()
        if job is not None:
            self._fetch_log(job, None)

    def _fetch_log(self, job: str, token: str | None) -> None:
        # the app runs it, so that its one worker-error handler sees failures
        self.app.fetch_log(self, job, token)  # type: ignore[attr-defined]  # self.app is typed App; here a JstuiApp (the typed seam is the TUI issue)

    def on_log_chunk_ready(self, message: LogChunkReady) -> None:
        if message.training_job_name != self._log_job or not self._ready:
            return  # the user moved on to another job (or screen) meanwhile
        if message.chunk.lines:
            self.query_one(Log).write_lines(message.chunk.lines)
        self._log_token = message.chunk.next_token
        if not message.chunk.complete:
            self._schedule_log()

    def log_failed(self, error: str) -> None:
        """Called by the app's one worker-error handler: say so in the pane and try again later."""
        if not self._ready:
            return
        self.query_one(Log).write_line(f"[jstui] could not read the log: {fmt.one_line(error)}; retrying")
        self._schedule_log()

    def _schedule_log(self) -> None:
        interval = self.app.log_interval  # type: ignore[attr-defined]  # self.app is typed App; here a JstuiApp (the typed seam is the TUI issue)
        job, token = self._log_job, self._log_token
        if interval is None or job is None:
            return
        self._log_timer = self.set_timer(interval, lambda: self._fetch_log(job, token))

    # --- actions ----------------------------------------------------------------------------
    def action_back(self) -> None:
        self.dismiss(None)

    def action_cursor_down(self) -> None:
        self.table.action_cursor_down()

    def action_cursor_up(self) -> None:
        self.table.action_cursor_up()

    def action_logs(self) -> None:
        self.logs_full = not self.logs_full
        self.set_class(self.logs_full, "logs-full")
