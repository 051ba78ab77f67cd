"""Learning curves (`c` on a tuning job's screen): a training job's metrics over time, read from its
log with the metric definitions it ran with, the way SageMaker reads them (jstui.domain.curves).
The objective first; `m`/`M` pick another metric; `a` overlays the tuning job's other training jobs.

Logs are read only for the jobs on this screen, incrementally (each cycle asks for what is newer
than the last token), and only while one of them still runs; once every shown job's log is
complete nothing more is asked."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static
from textual_plotext import PlotextPlot

from jstui.domain.curves import CurveReader, metric_order
from jstui.domain.snapshot import TERMINAL_TRAINING, StudySnapshot, TrainingJobRow
from jstui.tui import format as fmt
from jstui.tui.host import host
from jstui.tui.progress import expected_job_seconds, job_progress
from jstui.tui.widgets.study_header import StudyHeader

MAX_OVERLAID = 8  # plotext's distinct colours and markers; more are listed as left out
MAX_PAGES = 20  # GetLogEvents pages read per job per cycle (each up to 10,000 lines)
# each job has its own marker, so the curves tell apart without colour (NO_COLOR, a monochrome tmux)
MARKERS = ("●", "+", "x", "◆", "*", "o", "■", "#")
COLORS = ("cyan", "orange", "green", "magenta", "yellow", "blue", "red", "white")  # plotext's names
LEGEND_STYLES = ("cyan", "dark_orange", "green", "magenta", "yellow", "blue", "red", "white")  # rich's for them


def printable(text: str) -> str:
    """Service or study text made safe for one line of the screen: the rest of the screen's escaping
    (jstui.domain.textfmt.printable: control characters shown as their escapes), newlines too."""
    return fmt.printable(text, newlines=False)


def short_name(job: TrainingJobRow) -> str:
    prefix = job.tuning_job_name + "-"
    name = job.training_job_name
    return name[len(prefix):] if name.startswith(prefix) else name


class CurvesScreen(Screen[None]):
    BINDINGS: ClassVar = [
        Binding("escape", "back", "Back", id="curves.back"),
        Binding("m", "metric(1)", "Next metric", id="curves.metric_next"),
        Binding("M", "metric(-1)", "Previous metric", id="curves.metric_prev", show=False),
        Binding("a", "toggle_all", "All jobs", id="curves.all_jobs"),
    ]
    DEFAULT_CSS = """
    CurvesScreen #curves-title { height: auto; max-height: 2; padding: 0 1; }
    CurvesScreen #curves-plot { height: 1fr; min-height: 6; }
    CurvesScreen #curves-legend { height: auto; max-height: 9; padding: 0 1; }
    """

    def __init__(self, candidate: str, training_job: str | None, *, all_jobs: bool = False,
                 jobs: list[str] | None = None) -> None:
        """`jobs`: these training jobs (of any candidates: compare's best jobs) instead of the candidate's."""
        super().__init__(id="curves")
        self.candidate = candidate
        self.fixed_jobs = list(jobs or [])
        self.focus_job = training_job
        self.all_jobs = all_jobs
        self.metric: str | None = None  # None: the objective
        self.readers: dict[str, CurveReader] = {}
        self._tokens: dict[str, str | None] = {}
        self._complete: set[str] = set()
        self._jobs: list[TrainingJobRow] = []  # every training job of the tuning job
        self._shown: list[TrainingJobRow] = []
        self._objective: str | None = None
        self._direction = "Maximize"
        self._reading = False
        self._timer: Timer | None = None
        self._problem: str | None = None  # the last read's failure, one line

    # --- layout -----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StudyHeader(id="header")
        yield Static(id="curves-title")
        yield PlotextPlot(id="curves-plot")
        yield Static(id="curves-legend")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        host(self).render_chrome(self)
        self.apply_snapshot(host(self).snapshot)

    def on_unmount(self) -> None:
        if self._timer is not None:
            self._timer.stop()

    def on_resize(self) -> None:
        if self.is_mounted:
            self._draw()

    def current_candidate(self) -> str:
        return self.candidate

    # --- data -------------------------------------------------------------------------------
    def apply_snapshot(self, snapshot: StudySnapshot) -> None:
        if not self.is_attached:
            return
        row = next((r for r in snapshot.tuning_jobs if r.candidate == self.candidate), None)
        if row is not None:
            self._objective, self._direction = row.objective_name or None, row.direction
        jobs = snapshot.training_jobs_of(row.tuning_job_name) if row and row.tuning_job_name else ()
        if self.fixed_jobs:
            by_name = {t.training_job_name: t for t in snapshot.training_jobs}
            jobs = tuple(by_name[n] for n in self.fixed_jobs if n in by_name)
        self._jobs = sorted(jobs, key=lambda j: (j.created_at is None, j.created_at, j.training_job_name))
        if self.focus_job is None and self._jobs:
            best = next((j for j in self._jobs if j.is_best), self._jobs[-1])
            self.focus_job = best.training_job_name
        self._shown = self._pick_shown()
        self._draw()
        self._read_soon(0.0)

    def _pick_shown(self) -> list[TrainingJobRow]:
        """The focused job; with `a`, the others too: running ones, the best, then the newest."""
        if self.fixed_jobs:
            order = {n: i for i, n in enumerate(self.fixed_jobs)}
            return sorted(self._jobs, key=lambda j: order[j.training_job_name])[:MAX_OVERLAID]
        focus = [j for j in self._jobs if j.training_job_name == self.focus_job]
        if not self.all_jobs:
            return focus
        rest = [j for j in self._jobs if j.training_job_name != self.focus_job]
        rest.sort(key=lambda j: (j.status in TERMINAL_TRAINING, not j.is_best,
                                 -(j.created_at.timestamp() if j.created_at else 0)))
        return focus + rest[: MAX_OVERLAID - len(focus)]

    def _read_soon(self, delay: float) -> None:
        if self._reading or self._timer is not None:
            return
        wanted = [j.training_job_name for j in self._shown if j.training_job_name not in self._complete]
        if not wanted:
            return
        if delay <= 0:
            self._read(wanted)
        else:
            self._timer = self.set_timer(delay, self._timer_fired)

    def _timer_fired(self) -> None:
        self._timer = None
        self._read_soon(0.0)

    def _read(self, names: list[str]) -> None:
        """One cycle: for each job on screen, its definitions (once) and the log lines since its token."""
        session = host(self).session
        tokens = {n: self._tokens.get(n) for n in names}
        known = set(self.readers)
        self._reading = True

        def work() -> list[tuple[str, Any, list[tuple[tuple[str, ...], tuple[int, ...]]], str | None, bool]]:
            out = []
            for name in names:
                definitions = None if name in known else session.metric_definitions(name)
                token, chunks, complete = tokens[name], [], False
                for _ in range(MAX_PAGES):
                    chunk = session.logs(name, token)
                    token, complete = chunk.next_token, chunk.complete
                    if chunk.lines:
                        chunks.append((chunk.lines, chunk.timestamps))
                    if complete or not chunk.lines:
                        break
                out.append((name, definitions, chunks, token, complete))
            return out

        host(self).run_io(self, "Read learning curves", "curves", work, self._landed)

    def _landed(self, results: list) -> None:
        self._reading = False
        self._problem = None
        for name, definitions, chunks, token, complete in results:
            if definitions is not None:
                self.readers[name] = CurveReader(definitions)
            reader = self.readers.get(name)
            if reader is None:
                continue
            for lines, stamps in chunks:
                reader.feed(lines, stamps if len(stamps) == len(lines) else None)
            self._tokens[name] = token
            if complete:
                self._complete.add(name)
        if self.is_attached:
            self._draw()
            if any(j.training_job_name not in self.readers for j in self._shown):
                self._read_soon(0.0)  # jobs put on screen (`a`) while this read was out
            else:
                self._schedule()

    def _schedule(self) -> None:
        interval = host(self).log_interval
        if interval is not None:
            self._read_soon(interval)

    def worker_failed(self, worker_name: str, group: str, error: str) -> bool:
        """The app's one failure policy hands a failed read here: shown on the title, tried again later."""
        self._reading = False
        self._problem = f"could not read the log: {printable(error)}; retrying"
        if self.is_attached:
            self._draw()
            self._schedule()
        return True

    # --- drawing ----------------------------------------------------------------------------
    def metrics(self) -> list[str]:
        names: list[str] = []
        for job in self._shown:
            reader = self.readers.get(job.training_job_name)
            if reader is not None:
                names.extend(d.name for d in reader.definitions)
        return metric_order(self._objective, names)

    def current_metric(self) -> str | None:
        names = self.metrics()
        if self.metric in names:
            return self.metric
        return names[0] if names else self._objective

    def _draw(self) -> None:
        metric = self.current_metric()
        self._draw_title(metric)
        self._draw_plot(metric)
        self._draw_legend(metric)

    def _draw_title(self, metric: str | None) -> None:
        text = Text()
        text.append(" Curves ", style="bold reverse")
        text.append(" ")
        text.append(printable(self.candidate if not self.fixed_jobs else
                              f"{len(self._shown)} candidates' best training jobs"), style="bold")
        if metric:
            arrow = fmt.direction_arrow(self._direction) if metric == self._objective else ""
            text.append(f"  {printable(metric)} {arrow}".rstrip())
            text.append(" (objective)" if metric == self._objective else "")
        names = self.metrics()
        if len(names) > 1:
            text.append(f"  metric {names.index(metric) + 1 if metric in names else 1} of {len(names)}: m next")
        if self._problem:
            text.append(f"\n {self._problem}", style="bold")
        self.query_one("#curves-title", Static).update(text)

    def _series(self, metric: str | None) -> list[tuple[TrainingJobRow, list[tuple[float, float]]]]:
        out = []
        for job in self._shown:
            reader = self.readers.get(job.training_job_name)
            points = reader.series.get(metric or "", []) if reader is not None else []
            out.append((job, points))
        return out

    def _draw_plot(self, metric: str | None) -> None:
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        series = self._series(metric)
        longest = max((pts[-1][0] for _, pts in series if pts), default=0.0)
        timed = all(r.timed for j in self._shown if (r := self.readers.get(j.training_job_name)) is not None)
        minutes = timed and longest > 120
        unit = ("minutes" if minutes else "seconds") + " since the job's first log line" if timed else "log line"
        plt.title(f"↑ {printable(metric or 'no metric')}   → {unit}")
        drawn = 0
        for i, (_job, points) in enumerate(series):
            if not points:
                continue
            xs = [x / 60.0 if minutes else x for x, _ in points]
            ys = [v for _, v in points]
            color = COLORS[i % len(COLORS)]
            if len(xs) > 1:
                plt.plot(xs, ys, marker="braille", color=color)  # the line, thin
            plt.scatter(xs, ys, marker=MARKERS[i % len(MARKERS)], color=color)  # each reading, by its job's mark
            drawn += 1
        if not drawn:
            plt.title(self._empty_reason(metric))
        plot.refresh()

    def _empty_reason(self, metric: str | None) -> str:
        if not self._shown:
            return "no training job to draw yet"
        if not any(j.training_job_name in self.readers for j in self._shown):
            return "reading the log…"
        if metric is None:
            return "the job ran without metric definitions: nothing to read"
        return f"no {printable(metric)} in the log yet"

    def _draw_legend(self, metric: str | None) -> None:
        text = Text()
        for i, (job, points) in enumerate(self._series(metric)):
            if i:
                text.append("\n")
            text.append(f" {MARKERS[i % len(MARKERS)]} ", style=LEGEND_STYLES[i % len(LEGEND_STYLES)])
            text.append(printable(short_name(job) if not self.fixed_jobs else f"{job.candidate} {short_name(job)}"))
            text.append(" ")
            text.append_text(fmt.status_text(job.status))
            last = fmt.number(points[-1][1]) if points else fmt.dash()
            text.append(f"  last {last}  {len(points)} pts")
            text.append(f"  {self.progress_text(job)}")
            reader = self.readers.get(job.training_job_name)
            if reader is not None and metric in reader.problems:
                text.append(f"  {printable(reader.problems[metric])}", style="bold")
        left = len(self._jobs) - len(self._shown)
        if self.fixed_jobs:
            pass
        elif self.all_jobs and left > 0:
            text.append(f"\n {left} more training job{'s' if left > 1 else ''} of this tuning job not drawn")
        elif not self.all_jobs and len(self._jobs) > 1:
            text.append(f"\n a: overlay the other {len(self._jobs) - 1} training job"
                        f"{'s' if len(self._jobs) > 2 else ''}", style="dim")
        self.query_one("#curves-legend", Static).update(text)

    def progress_text(self, job: TrainingJobRow) -> str:
        """`epoch 3 of 10` from the log as far as it has been read (else the share of its expected
        time) and a running job's ETA: jstui.tui.progress, as the tuning job's table shows them."""
        reader = self.readers.get(job.training_job_name)
        snapshot = host(self).snapshot
        jobs = None if self.fixed_jobs else tuple(self._jobs)  # compare's jobs: each candidate's own
        return job_progress(job, expected_job_seconds(snapshot, job.candidate, jobs), snapshot.taken_at,
                            reader.progress if reader is not None else None)

    # --- actions ----------------------------------------------------------------------------
    def action_back(self) -> None:
        self.dismiss(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_all" and self.fixed_jobs:
            return False  # compare's jobs are fixed
        return True

    def action_metric(self, step: int) -> None:
        names = self.metrics()
        if not names:
            self.notify("no metric definitions read yet", severity="warning", timeout=3)
            return
        current = self.current_metric()
        i = names.index(current) if current in names else 0
        self.metric = names[(i + step) % len(names)]
        self._draw()

    def action_toggle_all(self) -> None:
        self.all_jobs = not self.all_jobs
        self._shown = self._pick_shown()
        self._draw()
        self._read_soon(0.0)
