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


def study_text(snapshot: StudySnapshot, study: Study) -> Text:
    """When the study ends and at what spend (one pass over the snapshot)."""
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
    text.append("Study ends ")
    if snapshot.taken_at is not None:
        text.append(f"~{snapshot.taken_at + timedelta(seconds=eta):%H:%M} ", style="bold")
    text.append(f"(in ~{fmt.duration(eta)})")
    if snapshot.projected_usd is not None:
        text.append(" at ")
        text.append(fmt.usd(snapshot.projected_usd, True), style="bold")
    return text


def candidate_text(snapshot: StudySnapshot, study: Study, candidate: str | None, *, named: bool = True) -> str:
    """The current candidate's end; `named` False: "selected" for its name (a narrow line keeps the time)."""
    if candidate is None:
        return ""
    row = next((r for r in snapshot.tuning_jobs if r.candidate == candidate), None)
    if row is None or row.status in TERMINAL_TUNING:
        return ""
    left = candidate_eta(snapshot, study, candidate)
    name = fmt.printable(candidate, newlines=False) if named else "selected"
    if left is None:
        return f" · {name}: end unknown"
    if left < 1:
        return f" · {name}: past its expected end"  # its jobs run longer than its completed ones did
    return f" · {name}: ends in ~{fmt.duration(left)}" if named else f" · {name}: ~{fmt.duration(left)}"


def eta_text(snapshot: StudySnapshot, study: Study, candidate: str | None) -> Text:
    text = study_text(snapshot, study)
    text.append(candidate_text(snapshot, study, candidate))
    return text


class EtaLine(Static):
    """Drawn from the app's snapshot when the screen's cursor moves and each second."""

    DEFAULT_CSS = "EtaLine { height: 1; text-wrap: nowrap; text-overflow: ellipsis; background: $panel; }"

    def on_mount(self) -> None:
        self.show_eta()
        # at once when the cursor moves (the current candidate changes), and each second for new snapshots
        for table in self.screen.query(DataTable):
            self.watch(table, "cursor_coordinate", lambda *_: self.show_eta(), init=False)
        self.set_interval(1.0, self.show_eta)

    _study: tuple[StudySnapshot, Text] | None = None  # (snapshot, its study line): computed once per snapshot
    _shown: tuple[StudySnapshot, str | None, int] | None = None  # what is drawn: redrawn only when it changes

    def on_resize(self) -> None:
        self.show_eta()

    def show_eta(self) -> None:
        h = host(self)
        screen = self.screen
        candidate = screen.current_candidate() if isinstance(screen, CandidateScreen) else None
        snapshot = h.snapshot
        width = self.size.width
        if self._shown is not None and self._shown[0] is snapshot and self._shown[1:] == (candidate, width):
            return
        if self._study is None or self._study[0] is not snapshot:
            self._study = (snapshot, study_text(snapshot, h.session.study))
        text = self._study[1].copy()
        tail = candidate_text(snapshot, h.session.study, candidate)
        if width and text.cell_len + Text(tail).cell_len > width:  # the name would push the time off the line
            tail = candidate_text(snapshot, h.session.study, candidate, named=False)
        text.append(tail)
        self._shown = (snapshot, candidate, width)
        self.update(text)
