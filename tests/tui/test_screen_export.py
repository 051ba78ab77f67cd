"""Export from the screen (issue 19 item 7): the rows shown, in their order, in the export's format."""

from __future__ import annotations

import csv
import io

from jstui.domain.export import frame, to_csv

from tests.tui.fake_session import FakeSession
from tests.tui.helpers import make_app, settle


async def test_e_writes_the_filtered_sorted_rows_with_raw_values(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    session = FakeSession()
    app = make_app(session)
    notes: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"eff|res", "enter", "4")  # filter, then sort by Best obj
        shown = pilot.app.screen.visible_candidates()
        monkeypatch.setattr(app, "notify", lambda text, **kw: notes.append(text))
        await pilot.press("E")
        await settle(pilot)
    files = list(tmp_path.glob("*.csv"))
    assert len(files) == 1 and notes and str(files[0]) in notes[-1]
    rows = list(csv.DictReader(io.StringIO(files[0].read_text(encoding="utf-8"))))
    assert [r["candidate"] for r in rows] == shown
    # the export's own columns and cells: the same as `jstui export` writes for those rows
    full = list(csv.DictReader(io.StringIO(to_csv(frame(session.snapshot(), "tuning-jobs")))))
    by_name = {r["candidate"]: r for r in full}
    assert rows == [by_name[c] for c in shown]
    assert rows[0]["best_objective"] == "0.9101"


async def test_a_second_export_does_not_overwrite_and_not_launched_rows_are_named(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    from dataclasses import replace

    session = FakeSession()
    snap = session.snapshot()
    session._snapshot = replace(snap, tuning_jobs=tuple(r for r in snap.tuning_jobs if r.candidate != "bit-m-r50x1"))
    app = make_app(session)
    notes: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        monkeypatch.setattr(app, "notify", lambda text, **kw: notes.append(text))
        await pilot.press("E")
        await settle(pilot)
        await pilot.press("E")
        await settle(pilot)
    assert len(list(tmp_path.glob("*.csv"))) == 2
    assert "left out 1 not launched (bit-m-r50x1)" in notes[-1]
