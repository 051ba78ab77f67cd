"""`L` right after a launch, before the next snapshot shows it: the launch dialog must not offer the
candidates again (found in issue 18's tmux pass: it offered all 21). What a launch would queue comes
from the engine's journal, not from the snapshot on screen."""

from __future__ import annotations

from jstui.tui.screens.confirm import ConfirmModal

from tests.tui.fake_session import FakeSession, make_snapshot
from tests.tui.helpers import make_app, settle


async def test_L_after_a_launch_the_snapshot_does_not_show_yet_says_nothing_to_launch():
    session = FakeSession(make_snapshot(tuning_jobs=(), training_jobs=()), launched=True)
    stale = [p.candidate for p in session.snapshot().not_launched()]
    assert stale  # the snapshot on screen still lists candidates as not launched
    session.waiting = []  # the journal: every one of them is queued already
    app = make_app(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("L")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmModal)
        assert any(n.message.startswith("Nothing to launch") for n in app._notifications)


async def test_L_offers_what_the_journal_says_is_left():
    session = FakeSession(make_snapshot(tuning_jobs=(), training_jobs=()), launched=True)
    left = [p.candidate for p in session.snapshot().not_launched()][-1:]
    session.waiting = left
    app = make_app(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("L")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal) and app.screen.id == "confirm-launch"
        assert f"Launch the 1 candidate not launched yet ({left[0]})?" in str(app.screen.title_text)
