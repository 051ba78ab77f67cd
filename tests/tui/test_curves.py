"""Learning curves (issue 19 item 1): read from the log with the definitions the job ran with, the way
SageMaker reads them; incremental; drawn with plotext; several jobs overlaid."""

from __future__ import annotations

import pytest

from jstui.domain.curves import CurveReader, Definition, definitions_from_description, metric_order
from jstui.engine.protocol import LogChunk
from jstui.tui.screens.curves import CurvesScreen

from tests.tui.fake_session import T0, FakeSession, tuning_job_name
from tests.tui.helpers import make_app, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
EFF = tuning_job_name("effv2-m")
DONE_JOB, RUNNING_JOB = f"{EFF}-001-a1b2c3d4", f"{EFF}-002-e5f6a7b8"


def epoch_lines(epochs: int, total: int, start_acc: float, step: float) -> list[str]:
    out = ["Starting training"]
    for e in range(1, epochs + 1):
        out.append(f"Epoch {e}/{total}")
        out.append(f"- loss: {2.0 / e:.4f} - accuracy: {start_acc + step * e:.4f} - val_loss: {2.2 / e:.4f}"
                   f" - val_accuracy: {start_acc + step * e - 0.01:.4f}")
    return out


class TimedSession(FakeSession):
    """Logs with CloudWatch timestamps, 30 s a line, served a page of `page` lines at a time; the
    running job's log grows when a test appends to it."""

    page = 4

    def logs(self, training_job_name, next_token=None):
        self.calls.append(("logs", training_job_name, next_token))
        lines = self.log_lines.get(training_job_name, [])
        start = int(next_token or 0)
        chunk = lines[start:start + self.page]
        running = training_job_name == RUNNING_JOB
        stamps = tuple(int(T0.timestamp() * 1000) + 30_000 * (start + i) for i in range(len(chunk)))
        return LogChunk(tuple(chunk), str(start + len(chunk)), complete=not chunk and not running, timestamps=stamps)


def session() -> TimedSession:
    s = TimedSession()
    s.log_lines = {DONE_JOB: epoch_lines(5, 5, 0.60, 0.06), RUNNING_JOB: epoch_lines(3, 8, 0.50, 0.05)}
    return s


# --- the domain: SageMaker's reading ---------------------------------------------------------------
def test_reader_applies_each_regex_per_line_and_skips_what_is_not_a_number():
    reader = CurveReader((Definition("acc", r"acc=(\S+)"), Definition("bad", r"no group"), Definition("x", "(")))
    added = reader.feed(["acc=0.5", "acc=nan?", "acc=0.7 acc=0.9", "other"], [1000, 2000, 4000, 5000])
    assert reader.series["acc"] == [(0.0, 0.5), (3.0, 0.7)]  # first match of the line, its first group
    assert added == 2
    assert set(reader.problems) == {"bad", "x"}  # cannot be read: said, not guessed
    reader.feed(["acc=1.0"], [11000])  # incremental: x keeps counting from the first line
    assert reader.series["acc"][-1] == (10.0, 1.0)


def test_reader_counts_lines_without_timestamps_and_notes_epochs():
    reader = CurveReader((Definition("v", r"Validation-accuracy=([0-9.]+)"),))
    reader.feed(["Epoch[0] Validation-accuracy=0.4", "Epoch[1] Validation-accuracy=0.6"])
    assert not reader.timed and reader.series["v"] == [(0.0, 0.4), (1.0, 0.6)]
    assert reader.progress.epoch == 2 and reader.progress.epochs is None  # MXNet counts from 0
    reader.feed(["Epoch 3/10"])
    assert (reader.progress.epoch, reader.progress.epochs) == (3, 10)


def test_definitions_come_from_the_description_the_job_ran_with():
    described = {"AlgorithmSpecification": {"MetricDefinitions": [{"Name": "a", "Regex": "a=(.*)"}, {"Name": ""}]}}
    assert definitions_from_description(described) == (Definition("a", "a=(.*)"),)
    assert definitions_from_description({}) == ()
    assert metric_order("obj", ["x", "obj", "y", "x"]) == ["obj", "x", "y"]


# --- the screen ------------------------------------------------------------------------------------
async def open_curves(pilot, *keys: str) -> CurvesScreen:
    await settle(pilot)
    await pilot.press("j", "enter")  # effv2-m: one completed, one running
    await settle(pilot)
    await pilot.press(*keys, "c")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CurvesScreen)
    return screen


async def test_curves_read_the_selected_job_with_its_own_definitions_then_overlay():
    s = session()
    app = make_app(s)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_curves(pilot)
        shown = [j.training_job_name for j in screen._shown]
        assert shown == [DONE_JOB]  # the best job was selected on the tuning-job screen
        assert ("metric_definitions", DONE_JOB) in s.calls
        assert screen.current_metric() == "val_accuracy"  # the objective first
        values = [v for _, v in screen.readers[DONE_JOB].series["val_accuracy"]]
        assert values == pytest.approx([0.60 + 0.06 * e - 0.01 for e in range(1, 6)])
        assert DONE_JOB in screen._complete  # its log is whole: not asked for again
        await pilot.press("m")
        assert screen.current_metric() == "train_loss"
        await pilot.press("a")
        await settle(pilot)
        assert [j.training_job_name for j in screen._shown] == [DONE_JOB, RUNNING_JOB]
        assert screen.progress_text(screen._shown[1]).startswith("epoch 3 of 8 · ~")
        assert "epoch 3 of 8" in str(screen.query_one("#curves-legend").render())


async def test_a_running_job_is_read_incrementally_and_a_finished_one_not_at_all():
    s = session()
    app = make_app(s)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_curves(pilot, "j")  # the running job
        assert [j.training_job_name for j in screen._shown] == [RUNNING_JOB]
        before = len(screen.readers[RUNNING_JOB].series["val_accuracy"])
        s.log_lines[RUNNING_JOB] += epoch_lines(4, 8, 0.50, 0.05)[-2:]  # epoch 4 arrives
        s.calls.clear()
        screen._read_soon(0.0)
        await settle(pilot)
        asked = [c for c in s.calls if c[0] == "logs"]
        assert asked and all(c[1] == RUNNING_JOB and c[2] is not None for c in asked)  # from its token on
        assert not any(c[0] == "metric_definitions" for c in s.calls)  # described once
        assert len(screen.readers[RUNNING_JOB].series["val_accuracy"]) == before + 1
        assert screen.progress_text(screen._shown[0]).startswith("epoch 4 of 8")


async def test_a_failed_read_is_said_on_the_screen_and_not_a_crash(monkeypatch):
    s = session()

    def broken(name, token=None):
        raise RuntimeError("ThrottlingException: Rate exceeded\x1b[31m")

    app = make_app(s)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("j", "enter")
        await settle(pilot)
        monkeypatch.setattr(s, "logs", broken)
        await pilot.press("c")
        await settle(pilot)
        title = str(pilot.app.screen.query_one("#curves-title").render())
        assert "could not read the log: RuntimeError" in title or "Rate exceeded" in title
        assert "\x1b" not in title


@pytest.mark.parametrize("size", SIZES)
def test_curves_snapshot_overlaid(snap_compare, size):
    async def run_before(pilot):
        await open_curves(pilot, "a")
        await pilot.press("a")
        await settle(pilot)

    assert snap_compare(make_app(session()), terminal_size=size, run_before=run_before)
