"""The line above the footer that says when: the study's expected end and its spend then, and the
current candidate's expected end (all from jstui.domain.estimate, the plan's one estimator, updated
from what has run). Times are the backend's clock (simulated on the emulator, as the header says)."""

from __future__ import annotations

from datetime import timedelta
from statistics import mean

from rich.text import Text
from textual.widgets import DataTable, Static

from jstui.domain import estimate
from jstui.domain.model import Study
from jstui.domain.snapshot import TERMINAL_TUNING, StudySnapshot
from jstui.tui import format as fmt
from jstui.tui.host import CandidateScreen, host


def _parallel(study: Study) -> dict[str, int]:
    return {c.name: c.tuning.max_parallel_jobs for c in study.candidates}


def candidate_eta(snapshot: StudySnapshot, study: Study, candidate: str) -> float | None:
    row = next((r for r in snapshot.rows_with_plan() if r.candidate == candidate), None)
    if row is None:
        return None
    planned = next((p for p in snapshot.planned if p.candidate == candidate), None)
    done = [t.billable_seconds for t in snapshot.training_jobs
            if t.status == "Completed" and t.billable_seconds and not t.cost_is_estimate]
    jobs = snapshot.training_jobs_of(row.tuning_job_name) if row.tuning_job_name else ()
    return estimate.candidate_eta_s(row, jobs, planned, mean(done) if done else None,
                                    _parallel(study).get(candidate, 1), snapshot.taken_at)


def study_text(snapshot: StudySnapshot, study: Study, *, short: bool = False) -> Text:
    """When the study ends and at what spend (one pass over the snapshot). `short`: the same
    figures in fewer words, for a narrow terminal."""
    text = Text(" ")
    running = [r for r in snapshot.rows_with_plan() if r.status not in TERMINAL_TUNING]
    if not running:
        text.append("Nothing running or queued")
        return text
    parallel = _parallel(study)
    eta = estimate.study_eta_s(snapshot, lambda c: parallel.get(c, 1), study.max_parallel_tuning_jobs)
    if eta is None:
        text.append("Study end: unknown (no duration figures yet)")
        return text
    text.append("Ends " if short else "Study ends ")
    if snapshot.taken_at is not None:
        text.append(f"~{snapshot.taken_at + timedelta(seconds=eta):%H:%M} ", style="bold")
    text.append(f"(~{fmt.duration(eta)})" if short else f"(in ~{fmt.duration(eta)})")
    if snapshot.projected_usd is not None:
        text.append(" at ")
        text.append(fmt.usd(snapshot.projected_usd, True), style="bold")
    return text


def candidate_text(snapshot: StudySnapshot, study: Study, candidate: str | None, *, short: bool = False,
                   named: bool = True) -> str:
    """The current candidate's end; `short`: in fewer words; `named` False: "selected" for its name
    (the row under the cursor), for a line that would otherwise not fit."""
    if candidate is None:
        return ""
    row = next((r for r in snapshot.tuning_jobs if r.candidate == candidate), None)
    if row is None or row.status in TERMINAL_TUNING:
        return ""
    left = candidate_eta(snapshot, study, candidate)
    name = fmt.printable(candidate, newlines=False) if named else "selected"
    if left is None:
        return f" · {name}: end unknown"
    if left < 1:  # its jobs run longer than its completed ones did
        return f" · {name}: past expected end" if short else f" · {name}: past its expected end"
    return f" · {name} ~{fmt.duration(left)} left" if short else f" · {name}: ends in ~{fmt.duration(left)}"


def eta_text(snapshot: StudySnapshot, study: Study, candidate: str | None, width: int | None = None) -> Text:
    """The line; when it is wider than `width`, the same figures in fewer words (and if even
    those do not fit, the widget wraps them onto a second line: nothing is cut)."""
    text = study_text(snapshot, study)
    text.append(candidate_text(snapshot, study, candidate))
    if width is not None and text.cell_len > width:
        text = _fitted(study_text(snapshot, study, short=True), snapshot, study, candidate, width)
    return text


def _fitted(short_study: Text, snapshot: StudySnapshot, study: Study, candidate: str | None, width: int) -> Text:
    """The short line with the candidate's name, else with "selected" for it (the time stays on the line)."""
    text = short_study.copy()
    text.append(candidate_text(snapshot, study, candidate, short=True))
    if text.cell_len > width:
        text = short_study.copy()
        text.append(candidate_text(snapshot, study, candidate, short=True, named=False))
    return text


class EtaLine(Static):
    """Drawn from the app's snapshot when the screen's cursor moves, on resize and each second."""

    DEFAULT_CSS = "EtaLine { height: auto; max-height: 2; background: $panel; }"

    def on_mount(self) -> None:
        self.show_eta()
        # at once when the cursor moves (the current candidate changes), and each second for new snapshots
        for table in self.screen.query(DataTable):
            self.watch(table, "cursor_coordinate", lambda *_: self._soon(), init=False)
        self.set_interval(1.0, self.show_eta)

    _pending = False

    def _soon(self) -> None:
        """Once for a burst of cursor moves: filling a table of 1,000 rows moves it ~1,000 times, and
        drawing the line for each cost 0.8 s of a big study's first paint."""
        if not self._pending:
            self._pending = True
            self.call_after_refresh(self._show_pending)

    def _show_pending(self) -> None:
        self._pending = False
        self.show_eta()

    # (snapshot, its study line in full and short): computed once per snapshot
    _study: tuple[StudySnapshot, Text, Text] | None = None
    _shown: tuple[StudySnapshot, str | None, int] | None = None  # what is drawn: redrawn only when it changes

    def on_resize(self) -> None:
        self.show_eta()

    def show_eta(self) -> None:
        h = host(self)
        screen = self.screen
        candidate = screen.current_candidate() if isinstance(screen, CandidateScreen) else None
        snapshot = h.snapshot
        width = self.size.width or self.app.size.width
        if self._shown is not None and self._shown[0] is snapshot and self._shown[1:] == (candidate, width):
            return
        study = h.session.study
        if self._study is None or self._study[0] is not snapshot:
            self._study = (snapshot, study_text(snapshot, study), study_text(snapshot, study, short=True))
        text = self._study[1].copy()
        text.append(candidate_text(snapshot, study, candidate))
        if text.cell_len > width:  # fewer words; then "selected" for the name; then it wraps (height auto)
            text = _fitted(self._study[2], snapshot, study, candidate, width)
        self._shown = (snapshot, candidate, width)
        self.update(text)
