"""A table built afresh on a big study: a screenful of rows first, the rest a chunk per screen refresh
(jstui.tui.screens.study, FIRST_FILL / FILL_CHUNK), so the first paint does not wait for every row.
While rows are still being added, what the screen says it shows is the whole build, and a refresh
that changes a row not added yet shows the new value when it is added."""

from __future__ import annotations

import dataclasses

from jstui.tui.screens import study as study_screen

from tests.tui.fake_session import FakeSession, make_snapshot, replace_row
from tests.tui.helpers import make_app, settle, until

N = study_screen.FIRST_FILL + 2 * study_screen.FILL_CHUNK + 7  # a head and more than two chunks


def big_snapshot():
    snap = make_snapshot()
    template = snap.tuning_jobs[0]
    rows = tuple(dataclasses.replace(template, candidate=f"cand-{i:04d}", tuning_job_name=f"tj-{i:04d}",
                                     best_objective=0.5 + i / (10 * N)) for i in range(N))
    return dataclasses.replace(snap, tuning_jobs=rows, training_jobs=(), planned=())


def table_keys(screen) -> list[str]:
    return [str(r.key.value) for r in screen.table.ordered_rows]


async def test_every_row_arrives_in_order():
    app = make_app(FakeSession(big_snapshot()))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        wanted = [f"cand-{i:04d}" for i in range(N)]
        assert screen.visible_candidates() == wanted  # the whole build, even while rows are pending
        await until(pilot, lambda: screen.table.row_count == N, "every row added")
        assert table_keys(screen) == wanted


async def test_a_row_changed_while_pending_is_added_with_its_new_value():
    snap = big_snapshot()
    app = make_app(FakeSession(snap))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        await until(pilot, lambda: screen.table.row_count == N, "the first build")
        # a build afresh (a sort), then at once (no screen refresh between) a refresh changing a late row;
        # the cursor (kept on its candidate) and the scroll position stay at the top of the new order
        screen.table.move_cursor(row=N - 1, scroll=False)
        screen.table.scroll_to(y=0, animate=False, immediate=True)
        screen.sort_key, screen.sort_reverse = "model", True
        screen._sync(mark=False)
        assert study_screen.FIRST_FILL <= screen.table.row_count < N  # the head only, so far
        late = "cand-0000"  # last in this order: pending
        changed = replace_row(snap, late, best_objective=0.123456)
        app.on_snapshot_ready(type("Ready", (), {"snapshot": changed})())
        await until(pilot, lambda: screen.table.row_count == N, "every row added")
        assert table_keys(screen) == sorted((f"cand-{i:04d}" for i in range(N)), reverse=True)
        shown = str(screen.table.get_row(late)[screen.table.get_column_index("best")])
        assert "0.123" in shown
        assert screen.current_candidate() == f"cand-{N - 1:04d}"


async def test_cursor_moves_through_rows_added_later():
    app = make_app(FakeSession(big_snapshot()))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        await until(pilot, lambda: screen.table.row_count == N, "every row added")
        await pilot.press("ctrl+end")
        assert screen.current_candidate() == f"cand-{N - 1:04d}"
