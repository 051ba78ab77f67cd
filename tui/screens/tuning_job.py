"""A candidate's tuning job: its training jobs (tuned hyperparameters, objective, status,
duration, cost, FailureReason, the best one starred) and a log pane that follows the selected
training job's log while it runs. The log wraps (w toggles), `/` searches it and `n` finds the
next match; esc from the full-size log returns to the split."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Input, RichLog, Static

from jstui.domain.curves import CurveReader
from jstui.domain.snapshot import TERMINAL_TRAINING, StudySnapshot, TrainingJobRow, TuningJobRow

from jstui.tui import format as fmt
from jstui.tui.host import host
from jstui.tui.messages import LogChunkReady
from jstui.tui.progress import expected_job_seconds, job_progress
from jstui.tui.widgets.eta_line import EtaLine
from jstui.tui.widgets.spend_bar import SpendBar
from jstui.tui.widgets.study_header import StudyHeader

BEST = "★"


def _short_name(job: TrainingJobRow) -> str:
    """HPO names its training jobs `<tuning job>-<nnn>-<hash>`: the tail is what tells them apart."""
    prefix = job.tuning_job_name + "-"
    return job.training_job_name[len(prefix):] if job.training_job_name.startswith(prefix) else job.training_job_name


def hyperparameter_text(value: str) -> str:
    """A tuned value as a person reads it: 0.0003452600552 -> 0.0003453 (4 significant figures);
    integers and words unchanged."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value
    if number.is_integer() and "e" not in value.lower() and "." not in value:
        return value
    return f"{number:.4g}"


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
        Binding("l", "logs", "Log", id="tuning.logs", tooltip="the log full size, or back to the split"),
        Binding("w", "toggle_wrap", "Wrap log lines (toggle)", id="tuning.wrap", show=False),
        Binding("slash", "search", "Search", id="tuning.search", priority=True),
        Binding("n", "search_next", "Next match in the log", id="tuning.search_next", show=False),
        Binding("c", "curves", "Curves", id="tuning.curves"),  # jstui.tui.screens.curves
        Binding("v", "slices", "Slices", id="tuning.slices"),  # jstui.tui.screens.slices
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
        self._log_request = 0  # the newest log request: answers to older ones are dropped
        self._log_lines: list[str] = []
        self._log_reader = CurveReader(())  # reads the followed job's epochs from its log (no metrics)
        self._per_job_s: float | None = None  # a training job's expected billed seconds (the estimator's)
        self._line_y: list[int] = []  # where each log line starts in the pane (wrapping moves them)
        self.wrap = True
        self.search_text = ""
        self._match = -1  # index of the log line of the current match
        self._placed_cursor = False

    def compose(self) -> ComposeResult:
        yield StudyHeader(id="header")
        yield Static(id="tuning-title")
        yield DataTable(id="training-jobs", cursor_type="row", zebra_stripes=True)
        yield Static(id="log-title")
        yield RichLog(id="log", max_lines=5000, auto_scroll=True, wrap=True, min_width=20)
        with Vertical(id="bottom"):
            yield Input(id="log-search", placeholder="search the log (enter finds, n next, esc closes)")
            yield SpendBar(id="spend")
            yield EtaLine(id="eta")  # jstui.tui.widgets.eta_line (issue 19 item 3)
            yield Footer(compact=True)

    def on_mount(self) -> None:
        self.set_class(self.logs_full, "logs-full")
        self.query_one(DataTable).focus()
        host(self).render_chrome(self)
        self._ready = True
        self.apply_snapshot(host(self).snapshot)

    def on_screen_resume(self) -> None:
        snap = host(self).snapshot
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
        self._per_job_s = expected_job_seconds(snapshot, self.candidate, jobs)
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
        # progress only while a job runs: once all ended, 80 columns keep the first hyperparameter
        running = any(j.status not in TERMINAL_TRAINING for j in jobs)
        columns = ["best", "job", "status", "objective", "duration", "cost", *(["progress"] if running else []),
                   *(f"hp.{n}" for n in hp_names), "reason"]
        table = self.table
        cells = {j.training_job_name: self._cells_of(j, hp_names, snapshot, running) for j in jobs}
        if columns != self._columns or list(cells) != [str(r.key.value) for r in table.ordered_rows]:
            cursor = self.selected_job()
            table.clear(columns=columns != self._columns)
            if columns != self._columns:
                for key in columns:
                    label = {"best": BEST, "job": "Job", "status": "Status", "objective": "Objective",
                             "duration": "Duration", "cost": "Cost", "progress": "Done · left",
                             "reason": "FailureReason"}.get(key, fmt.printable(key[3:]))
                    table.add_column(label, key=key)
            for name, row_cells in cells.items():
                table.add_row(*row_cells, key=name)
            if cursor in cells:
                table.move_cursor(row=list(cells).index(cursor), animate=False)
        else:
            for name, row_cells in cells.items():
                if self._cells.get(name) != row_cells:
                    for key, value in zip(columns, row_cells):
                        table.update_cell(name, key, value, update_width=True)
        self._columns = columns
        self._cells = cells

    def _cells_of(self, job: TrainingJobRow, hp_names: list[str], snapshot: StudySnapshot, progress: bool) -> tuple:
        return (
            Text(BEST if job.is_best else " ", style="bold"),
            fmt.printable(_short_name(job)),
            fmt.status_text(job.status),
            Text(fmt.number(job.objective), justify="right"),
            Text(fmt.duration(_duration_s(job, snapshot.taken_at)), justify="right"),
            Text(fmt.usd(job.cost_usd, job.cost_is_estimate), justify="right"),
            *([self._progress_cell(job, snapshot)] if progress else []),  # issue 19 item 3: epoch n/N or %, ETA
            *(fmt.printable(hyperparameter_text(job.hyperparameters[n]), newlines=False) if n in job.hyperparameters
              else fmt.dash() for n in hp_names),
            fmt.one_line(job.failure_reason, 60),
        )

    def _progress_cell(self, job: TrainingJobRow, snapshot: StudySnapshot) -> str:
        reader = self._log_reader if job.training_job_name == self._log_job else None
        return job_progress(job, self._per_job_s, snapshot.taken_at,
                            reader.progress if reader is not None else None, short=True)

    def _show_log_title(self) -> None:
        job = self._jobs.get(self._log_job or "")
        text = Text(" Log ", style="bold reverse")
        if self.search_text:
            where = f"line {self._match + 1}" if self._match >= 0 else "no match"
            text.append(f" /{self.search_text}/ {where} ·")
        if not self.wrap:
            text.append(" (not wrapped: w) ")
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
        self._log_lines, self._line_y, self._match = [], [], -1
        self._log_reader = CurveReader(())  # epochs only: the progress column's `ep n/N` for this job
        self.query_one(RichLog).clear()
        if job is not None:
            self._fetch_log(job, None)

    def _fetch_log(self, job: str, token: str | None) -> None:
        # the app runs it, so that its one worker-error handler sees failures; the request number
        # lets an answer that arrives after a newer request (A -> B -> A) be dropped
        self._log_request += 1
        host(self).fetch_log(self, job, token, self._log_request)

    def on_log_chunk_ready(self, message: LogChunkReady) -> None:
        if message.training_job_name != self._log_job or message.request != self._log_request or not self._ready:
            return  # the user moved on to another job (or screen), or a newer request is out
        if message.chunk.lines:
            self._write_lines(list(message.chunk.lines))
            self._show_progress(message.training_job_name, message.chunk.lines)
        self._log_token = message.chunk.next_token
        if not message.chunk.complete:
            self._schedule_log()

    def _show_progress(self, name: str, lines: tuple[str, ...]) -> None:
        """The followed job's epoch, as far as its log has been read: its progress cell."""
        before = self._log_reader.progress.epoch
        self._log_reader.feed(lines)
        job = self._jobs.get(name)
        if (job is not None and self._log_reader.progress.epoch != before and self._rendered is not None
                and "progress" in self._columns):
            cell = self._progress_cell(job, self._rendered)
            self.table.update_cell(name, "progress", cell, update_width=True)
            if name in self._cells:
                cells = list(self._cells[name])
                cells[self._columns.index("progress")] = cell
                self._cells[name] = tuple(cells)

    def log_failed(self, error: str) -> None:
        """Called by the app's one worker-error handler: say so in the pane and try again later."""
        if not self._ready:
            return
        self._write_lines([f"[jstui] could not read the log: {fmt.one_line(error)}; retrying"])
        self._schedule_log()

    # --- the log's text: wrap, search -------------------------------------------------------
    def _line_text(self, i: int) -> Text:
        text = Text(fmt.printable(self._log_lines[i]))  # training code writes the log: never raw escapes
        if self.search_text:
            text.highlight_words([self.search_text], style="reverse" if i != self._match else "bold reverse yellow",
                                 case_sensitive=False)
        return text

    def _write_lines(self, lines: list[str]) -> None:
        pane = self.query_one(RichLog)
        for line in lines:
            self._log_lines.append(line)
            self._line_y.append(len(pane.lines))
            pane.write(self._line_text(len(self._log_lines) - 1))

    def log_lines(self) -> list[str]:
        """The log's lines as read (for tests and the search)."""
        return list(self._log_lines)

    def _redraw_log(self, scroll_to: int | None = None) -> None:
        pane = self.query_one(RichLog)
        y = pane.scroll_y
        pane.wrap = self.wrap
        pane.clear()
        lines, self._log_lines, self._line_y = self._log_lines, [], []
        auto, pane.auto_scroll = pane.auto_scroll, False
        self._write_lines(lines)
        pane.auto_scroll = auto
        if scroll_to is not None and 0 <= scroll_to < len(self._line_y):
            pane.scroll_to(y=self._line_y[scroll_to], animate=False, immediate=True)
        else:
            pane.scroll_to(y=y, animate=False, immediate=True)

    def action_toggle_wrap(self) -> None:
        self.wrap = not self.wrap
        self._redraw_log(self._match if self._match >= 0 else None)
        self._show_log_title()

    def action_search(self) -> None:
        box = self.query_one("#log-search", Input)
        box.value = self.search_text
        box.add_class("shown")
        self.set_focus(box)

    @on(Input.Submitted, "#log-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#log-search", Input).remove_class("shown")
        self.table.focus()
        self.search_text = event.value.strip()
        self._match = -1
        self.action_search_next()

    def action_search_next(self) -> None:
        if not self.search_text:
            self.notify("/ searches the log first", timeout=3)
            return
        needle = self.search_text.lower()
        n = len(self._log_lines)
        hit = next((i % n for i in range(self._match + 1, self._match + 1 + n)
                    if n and needle in self._log_lines[i % n].lower()), None)
        if hit is None:
            self._match = -1
            self.notify(f"not in the log: {self.search_text}", severity="warning", timeout=3)
        else:
            self._match = hit
        self._redraw_log(hit)
        self._show_log_title()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("search", "search_next") and isinstance(self.focused, Input):
            return False  # typing in the search box
        return True

    def _schedule_log(self) -> None:
        interval = host(self).log_interval
        job, token = self._log_job, self._log_token
        if interval is None or job is None:
            return
        self._log_timer = self.set_timer(interval, lambda: self._fetch_log(job, token))

    # --- actions ----------------------------------------------------------------------------
    def action_back(self) -> None:
        box = self.query_one("#log-search", Input)
        if box.has_class("shown"):
            box.remove_class("shown")
            self.table.focus()
            return
        if self.logs_full:
            self.action_logs()  # esc from the full-size log returns to the split
            return
        self.dismiss(None)

    def action_cursor_down(self) -> None:
        self.table.action_cursor_down()

    def action_cursor_up(self) -> None:
        self.table.action_cursor_up()

    def action_curves(self) -> None:
        from jstui.tui.screens.curves import CurvesScreen  # local: it imports plotext

        self.app.push_screen(CurvesScreen(self.candidate, self.selected_job()))

    def action_slices(self) -> None:
        from jstui.tui.screens.slices import SliceScreen  # local: it imports plotext

        self.app.push_screen(SliceScreen(self.candidate))

    def action_logs(self) -> None:
        self.logs_full = not self.logs_full
        self.set_class(self.logs_full, "logs-full")
