"""The snapshot store: the snapshot the session shows, and the copy the journal keeps.

`show` replaces what `current()` answers (an atomic reference swap: readers never wait); `publish`
also keeps it in the journal. Serialising a 20,000-job snapshot holds the GIL for a quarter of a second
(keys stall in the TUI), so it is not done every refresh: the first snapshot is saved at once, a changed
one at most every SAVE_CHANGED_EVERY_S, one whose content equals the last saved one (only the clock and
connection moved) every SAVE_UNCHANGED_EVERY_S, and the last one on `flush` (close). A crash loses at
most that much of the saved picture, never a fact: the journal's launch, tuning-job and training-job
rows are written as they arrive and the next refresh rebuilds the snapshot from them. Partial snapshots (a catch-up in progress) are shown, never saved."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

from jstui.domain.errors import JournalError
from jstui.domain.snapshot import ConnectionState, StudySnapshot
from jstui.engine.journal import Journal
from jstui.engine.snapshot_build import release_free_memory
from jstui.engine.snapshot_codec import snapshot_from_json, snapshot_to_blob

SAVE_UNCHANGED_EVERY_S = 60.0
SAVE_CHANGED_EVERY_S = 15.0  # a changed snapshot waits at most this long (the journal's rows hold the facts)
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
        try:
            saved = snapshot_from_json(body)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:  # a damaged row: exit 7, not a traceback
            raise JournalError(f"{self._journal.path}: journal is damaged (table snapshots, row {self._study!r}: "
                               f"the saved snapshot does not read: {type(exc).__name__}); move it away to start afresh") from None
        snap = replace(saved, connection=ConnectionState("connecting", message="last saved snapshot"))
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
            age = time.monotonic() - self._saved_at
            due = age >= (SAVE_UNCHANGED_EVERY_S if content == self._saved_content else SAVE_CHANGED_EVERY_S)
            if self._saved_content is not None and not due:
                self._unsaved = snap
                return
            self._save(snap, content)

    def flush(self) -> None:
        with self._lock:
            if self._unsaved is not None:
                self._save(self._unsaved, replace(self._unsaved, taken_at=None, connection=_ANY_CONNECTION))

    def _save(self, snap: StudySnapshot, content: StudySnapshot) -> None:
        self._journal.save_snapshot(self._study, snapshot_to_blob(snap))
        # the text (20 MB at 1,000 x 20) and its chunks are garbage now, but glibc keeps the freed heap
        # mapped: a TUI on that study stayed ~60 MB larger after each save (bench/tui.py part 4)
        release_free_memory()
        self._saved_content = content
        self._saved_at = time.monotonic()
        self._unsaved = None
