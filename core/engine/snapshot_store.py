"""The snapshot store: the snapshot the session shows, and the copy the journal keeps.

`show` replaces what `current()` answers (an atomic reference swap: readers never wait); `publish`
also keeps it in the journal. Serialising a 20,000-job snapshot holds the GIL for a quarter of a second
(keys stall in the TUI), so a snapshot whose content equals the last saved one (only the clock and
connection moved) is saved at most every SAVE_UNCHANGED_EVERY_S, and on `flush` (close): the journal
never loses the last state. Partial snapshots (a catch-up in progress) are shown, never saved."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

from jstui.domain.snapshot import ConnectionState, StudySnapshot
from jstui.engine.journal import Journal
from jstui.engine.snapshot_codec import snapshot_from_json, snapshot_to_json

SAVE_UNCHANGED_EVERY_S = 60.0
_ANY_CONNECTION = ConnectionState("ok")  # stands for every connection state when comparing contents


class SnapshotStore:
    def __init__(self, journal: Journal, study_name: str):
        self._journal = journal
        self._study = study_name
        self._lock = threading.Lock()  # guards the save bookkeeping; never held across a network call
        self._current: StudySnapshot | None = None
        self._saved_content: StudySnapshot | None = None  # the last saved snapshot, clock and connection blanked
        self._saved_at = 0.0  # time.monotonic() of that save
        self._unsaved: StudySnapshot | None = None  # published but not saved (same content as the last save)

    def load_saved(self) -> StudySnapshot | None:
        """The journal's last snapshot of the study, marked as not live."""
        body = self._journal.snapshot_body(self._study)
        if body is None:
            return None
        snap = replace(snapshot_from_json(body), connection=ConnectionState("connecting", message="last saved snapshot"))
        self._current = snap
        return snap

    def current(self) -> StudySnapshot:
        assert self._current is not None, "SnapshotStore: nothing shown yet"
        return self._current

    def show(self, snap: StudySnapshot) -> None:
        """Show without saving (a partial catch-up)."""
        self._current = snap

    def publish(self, snap: StudySnapshot) -> None:
        self._current = snap
        content = replace(snap, taken_at=None, connection=_ANY_CONNECTION)
        with self._lock:
            stale = time.monotonic() - self._saved_at >= SAVE_UNCHANGED_EVERY_S
            if content == self._saved_content and not stale:
                self._unsaved = snap
                return
            self._save(snap, content)

    def flush(self) -> None:
        with self._lock:
            if self._unsaved is not None and self._saved_content is not None:
                self._save(self._unsaved, self._saved_content)

    def _save(self, snap: StudySnapshot, content: StudySnapshot) -> None:
        self._journal.save_snapshot(self._study, snapshot_to_json(snap))
        self._saved_content = content
        self._saved_at = time.monotonic()
        self._unsaved = None
