"""The journal: everything jstui must not forget, in one SQLite file (`<home>/journal.sqlite`, WAL).

Studies, launches (queued -> launching -> launched, per candidate and generation), what the poller
last saw of each tuning job, terminal training jobs (described once, never again), the last snapshot
of each study, JumpStart lookups, endpoints and events. Safe for two processes on one home (WAL plus
a busy timeout) and for the threads of one process (one lock per connection).

A file that is corrupt or was written by a newer jstui is refused (JournalError, exit 7) after a
read-only look, so it is never touched."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

from jstui.domain.errors import JournalError
from jstui.domain.times import iso

SCHEMA_VERSION = 1
FILE_NAME = "journal.sqlite"
BUSY_TIMEOUT_MS = 10_000

# Launch states. `launching` is written before the Create call and `launched` after it, so a process
# killed in between finds `launching` and retries the Create under the same name (ResourceInUse ->
# adopt): never a lost job, never a duplicate.
QUEUED, LAUNCHING, LAUNCHED, WAITING, REFUSED, DROPPED = (
    "queued",
    "launching",
    "launched",
    "waiting",
    "refused",
    "dropped",
)
PENDING_STATES = (QUEUED, LAUNCHING, WAITING)

_SCHEMA = """
CREATE TABLE studies (
    name TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    backend TEXT NOT NULL,
    region TEXT NOT NULL,
    created_at REAL NOT NULL,
    opened_at REAL NOT NULL
);
CREATE TABLE launches (
    study TEXT NOT NULL,
    candidate TEXT NOT NULL,
    generation INTEGER NOT NULL,
    state TEXT NOT NULL,
    tuning_job_name TEXT NOT NULL,
    model_id TEXT NOT NULL,
    reason TEXT,
    adopted INTEGER NOT NULL DEFAULT 0,
    recipe TEXT,
    queued_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (study, candidate, generation)
);
CREATE UNIQUE INDEX launches_by_name ON launches (tuning_job_name);
CREATE TABLE adopt_prefixes (
    study TEXT NOT NULL,
    prefix TEXT NOT NULL,
    PRIMARY KEY (study, prefix)
);
CREATE TABLE tuning_jobs (
    name TEXT PRIMARY KEY,
    study TEXT NOT NULL,
    fingerprint TEXT,
    summary TEXT,
    describe TEXT,
    counters TEXT,
    training_summaries TEXT,
    updated_at REAL NOT NULL
);
CREATE TABLE training_jobs (
    name TEXT PRIMARY KEY,
    tuning_job_name TEXT NOT NULL,
    describe TEXT NOT NULL
);
CREATE TABLE snapshots (
    study TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    saved_at REAL NOT NULL
);
CREATE TABLE jumpstart (
    model_id TEXT NOT NULL,
    version TEXT NOT NULL,
    region TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (model_id, version, region)
);
CREATE TABLE endpoints (
    name TEXT PRIMARY KEY,
    study TEXT NOT NULL,
    candidate TEXT,
    training_job_name TEXT,
    instance_type TEXT,
    instance_count INTEGER,
    state TEXT NOT NULL,
    body TEXT,
    created_at REAL NOT NULL
);
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    study TEXT NOT NULL,
    at TEXT,
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    body TEXT
);
CREATE INDEX events_by_study ON events (study, id);
"""


def to_json(value: Any) -> str:
    """JSON of API responses: datetimes as ISO 8601 UTC (read back with `parse_time`)."""
    return json.dumps(value, default=_default, sort_keys=True)


def _default(o: Any) -> Any:
    if isinstance(o, datetime):
        return iso(o)
    if isinstance(o, (set, frozenset, tuple)):
        return list(o)
    raise TypeError(f"not JSON: {type(o).__name__}")


@dataclass(frozen=True)
class Launch:
    study: str
    candidate: str
    generation: int
    state: str
    tuning_job_name: str
    model_id: str
    reason: str | None
    adopted: bool
    recipe: str | None  # JSON of what the candidate looked like when queued (plan shows changes)


@dataclass(frozen=True)
class TuningJobRecord:
    name: str
    study: str
    fingerprint: str | None
    summary: dict | None
    describe: dict | None
    counters: str | None
    training_summaries: list[dict]


@dataclass(frozen=True)
class StudyRecord:
    name: str
    path: str
    backend: str
    region: str
    created_at: float
    opened_at: float


def _check_readable(path: Path) -> None:
    """Look at an existing journal read-only; refuse it (untouched) if corrupt or newer."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise JournalError(f"{path}: journal cannot be opened ({exc})") from None
    try:
        version = con.execute("PRAGMA user_version").fetchone()[0]
        check = con.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise JournalError(f"{path}: journal is unreadable ({exc}); move it away to start afresh") from None
    finally:
        con.close()
    if check != "ok":
        raise JournalError(f"{path}: journal is corrupt ({check}); move it away to start afresh")
    if version > SCHEMA_VERSION:
        raise JournalError(
            f"{path}: journal was written by a newer jstui (schema {version}, this jstui reads up to "
            f"{SCHEMA_VERSION}); upgrade jstui or use another --home"
        )


class Journal:
    def __init__(self, path: Path, con: sqlite3.Connection):
        self.path = path
        self._con = con
        self._lock = threading.RLock()
        self._depth = 0  # nesting of _tx() on this connection
        self._parsed_tuning_jobs: dict[str, tuple[tuple, TuningJobRecord]] = {}  # name -> (stored row, record)

    # --- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, home: Path) -> "Journal":
        home = Path(home)
        path = home / FILE_NAME
        if path.exists() and path.stat().st_size > 0:
            _check_readable(path)
        try:
            home.mkdir(parents=True, exist_ok=True)
            con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
            con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            con.execute("PRAGMA journal_mode = WAL")
            con.execute("PRAGMA synchronous = NORMAL")
            journal = cls(path, con)
            journal._migrate()
        except sqlite3.DatabaseError as exc:
            raise JournalError(f"{path}: journal is unreadable ({exc})") from None
        except OSError as exc:
            raise JournalError(f"{path}: cannot create the journal ({exc.strerror})") from None
        return journal

    def _migrate(self) -> None:
        with self._tx() as con:
            version = con.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                for statement in filter(None, (s.strip() for s in _SCHEMA.split(";"))):
                    con.execute(statement)
                con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            elif version > SCHEMA_VERSION:  # another process upgraded it meanwhile
                raise JournalError(f"{self.path}: journal was written by a newer jstui (schema {version})")

    def close(self) -> None:
        with self._lock:
            self._con.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; nested ones join the outer one (see `transaction`)."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self._con
                finally:
                    self._depth -= 1
                return
            self._con.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self._con
            except BaseException:
                self._con.execute("ROLLBACK")
                raise
            else:
                self._con.execute("COMMIT")
            finally:
                self._depth = 0

    def transaction(self):
        """Hold the journal's write lock across several reads and writes (other processes wait):
        e.g. count the tuning jobs in flight and claim a launch slot as one step."""
        return self._tx()

    def _query(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._con.execute(sql, params).fetchall()

    # --- studies ---------------------------------------------------------------------------
    def upsert_study(self, name: str, path: Path, backend: str, region: str) -> None:
        now = time.time()
        with self._tx() as con:
            con.execute(
                "INSERT INTO studies (name, path, backend, region, created_at, opened_at) VALUES (?,?,?,?,?,?) "
                "ON CONFLICT(name) DO UPDATE SET path=excluded.path, backend=excluded.backend, "
                "region=excluded.region, opened_at=excluded.opened_at",
                (name, str(path), backend, region, now, now),
            )

    def study(self, name: str) -> StudyRecord | None:
        rows = self._query("SELECT name, path, backend, region, created_at, opened_at FROM studies WHERE name=?", (name,))
        return StudyRecord(*rows[0]) if rows else None

    def studies(self) -> list[StudyRecord]:
        rows = self._query("SELECT name, path, backend, region, created_at, opened_at FROM studies ORDER BY name")
        return [StudyRecord(*r) for r in rows]

    def last_opened(self) -> StudyRecord | None:
        rows = self._query(
            "SELECT name, path, backend, region, created_at, opened_at FROM studies ORDER BY opened_at DESC LIMIT 1"
        )
        return StudyRecord(*rows[0]) if rows else None

    def forget_study(self, name: str) -> bool:
        """Remove the study and everything recorded for it from the journal (never from the service)."""
        with self._tx() as con:
            names = [r[0] for r in con.execute("SELECT name FROM tuning_jobs WHERE study=?", (name,))]
            for n in names:
                con.execute("DELETE FROM training_jobs WHERE tuning_job_name=?", (n,))
            for table in ("launches", "adopt_prefixes", "tuning_jobs", "snapshots", "endpoints", "events"):
                con.execute(f"DELETE FROM {table} WHERE study=?", (name,))
            return con.execute("DELETE FROM studies WHERE name=?", (name,)).rowcount > 0

    # --- launches --------------------------------------------------------------------------
    _LAUNCH_COLS = "study, candidate, generation, state, tuning_job_name, model_id, reason, adopted, recipe"

    def launches(self, study: str) -> list[Launch]:
        rows = self._query(
            f"SELECT {self._LAUNCH_COLS} FROM launches WHERE study=? ORDER BY queued_at, candidate, generation",
            (study,),
        )
        return [Launch(*r[:7], bool(r[7]), r[8]) for r in rows]

    def current_launches(self, study: str) -> dict[str, Launch]:
        """The latest generation of every candidate ever queued."""
        out: dict[str, Launch] = {}
        for launch in self.launches(study):
            if launch.candidate not in out or launch.generation > out[launch.candidate].generation:
                out[launch.candidate] = launch
        return out

    def launch_by_name(self, tuning_job_name: str) -> Launch | None:
        rows = self._query(f"SELECT {self._LAUNCH_COLS} FROM launches WHERE tuning_job_name=?", (tuning_job_name,))
        return Launch(*rows[0][:7], bool(rows[0][7]), rows[0][8]) if rows else None

    def queue(
        self,
        study: str,
        candidate: str,
        generation: int,
        tuning_job_name: str,
        model_id: str,
        *,
        state: str = QUEUED,
        adopted: bool = False,
        recipe: str | None = None,
    ) -> bool:
        """Record a launch; False when this (candidate, generation) was already recorded."""
        now = time.time()
        with self._tx() as con:
            cur = con.execute(
                "INSERT OR IGNORE INTO launches (study, candidate, generation, state, tuning_job_name, model_id, "
                "adopted, recipe, queued_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (study, candidate, generation, state, tuning_job_name, model_id, int(adopted), recipe, now, now),
            )
            return cur.rowcount > 0

    def set_launch_state(self, study: str, candidate: str, generation: int, state: str, reason: str | None = None) -> None:
        with self._tx() as con:
            con.execute(
                "UPDATE launches SET state=?, reason=?, updated_at=? WHERE study=? AND candidate=? AND generation=?",
                (state, reason, time.time(), study, candidate, generation),
            )

    def add_adopt_prefix(self, study: str, prefix: str) -> None:
        with self._tx() as con:
            con.execute("INSERT OR IGNORE INTO adopt_prefixes (study, prefix) VALUES (?,?)", (study, prefix))

    def adopt_prefixes(self, study: str) -> list[str]:
        return [r[0] for r in self._query("SELECT prefix FROM adopt_prefixes WHERE study=? ORDER BY prefix", (study,))]

    # --- what the poller saw ---------------------------------------------------------------
    def tuning_jobs(self, study: str) -> dict[str, TuningJobRecord]:
        """Records are shared between calls while their row is unchanged: treat them as read-only."""
        rows = self._query(
            "SELECT name, study, fingerprint, summary, describe, counters, training_summaries FROM tuning_jobs "
            "WHERE study=?",
            (study,),
        )
        # A refresh reads every tuning job three times (launcher, poller, snapshot) and few rows change
        # between reads: parse a row's JSON only when its stored text differs from the last parse.
        out: dict[str, TuningJobRecord] = {}
        with self._lock:
            for r in rows:
                raw = tuple(r)
                hit = self._parsed_tuning_jobs.get(r[0])
                if hit is None or hit[0] != raw:
                    record = TuningJobRecord(r[0], r[1], r[2], _load(r[3]), _load(r[4]), r[5], _load(r[6]) or [])
                    hit = self._parsed_tuning_jobs[r[0]] = (raw, record)
                out[r[0]] = hit[1]
        return out

    def save_tuning_job(
        self,
        name: str,
        study: str,
        *,
        fingerprint: str | None = None,
        summary: dict | None = None,
        describe: dict | None = None,
        counters: str | None = None,
        training_summaries: list[dict] | None = None,
    ) -> None:
        """Upsert; only the fields given are changed."""
        fields = {
            "fingerprint": fingerprint,
            "summary": None if summary is None else to_json(summary),
            "describe": None if describe is None else to_json(describe),
            "counters": counters,
            "training_summaries": None if training_summaries is None else to_json(training_summaries),
        }
        given = {k: v for k, v in fields.items() if v is not None}
        with self._tx() as con:
            con.execute(
                "INSERT OR IGNORE INTO tuning_jobs (name, study, updated_at) VALUES (?,?,?)", (name, study, time.time())
            )
            if given:
                sets = ", ".join(f"{k}=?" for k in given)
                con.execute(
                    f"UPDATE tuning_jobs SET {sets}, updated_at=? WHERE name=?", (*given.values(), time.time(), name)
                )

    def terminal_training_jobs(self, tuning_job_names: list[str]) -> dict[str, dict]:
        if not tuning_job_names:
            return {}
        marks = ",".join("?" * len(tuning_job_names))
        rows = self._query(f"SELECT name, describe FROM training_jobs WHERE tuning_job_name IN ({marks})", tuple(tuning_job_names))
        return {r[0]: json.loads(r[1]) for r in rows}

    def terminal_training_jobs_after(self, rowid: int) -> list[tuple[int, str, str]]:
        """(rowid, name, describe JSON) of the terminal training jobs saved after `rowid` (a replaced row
        gets a new rowid): a reader keeps what it parsed and reads only what is new."""
        rows = self._query("SELECT rowid, name, describe FROM training_jobs WHERE rowid > ? ORDER BY rowid", (rowid,))
        return [(r[0], r[1], r[2]) for r in rows]

    def has_training_job(self, name: str) -> bool:
        return bool(self._query("SELECT 1 FROM training_jobs WHERE name=?", (name,)))

    def save_terminal_training_job(self, name: str, tuning_job_name: str, describe: dict) -> None:
        with self._tx() as con:
            con.execute(
                "INSERT OR REPLACE INTO training_jobs (name, tuning_job_name, describe) VALUES (?,?,?)",
                (name, tuning_job_name, to_json(describe)),
            )

    # --- snapshots -------------------------------------------------------------------------
    def save_snapshot(self, study: str, body: str) -> None:
        with self._tx() as con:
            con.execute(
                "INSERT OR REPLACE INTO snapshots (study, body, saved_at) VALUES (?,?,?)", (study, body, time.time())
            )

    def snapshot_body(self, study: str) -> str | None:
        rows = self._query("SELECT body FROM snapshots WHERE study=?", (study,))
        return rows[0][0] if rows else None

    # --- JumpStart cache -------------------------------------------------------------------
    def jumpstart(self, model_id: str, version: str, region: str) -> dict | None:
        rows = self._query(
            "SELECT body FROM jumpstart WHERE model_id=? AND version=? AND region=?", (model_id, version, region)
        )
        return json.loads(rows[0][0]) if rows else None

    def save_jumpstart(self, model_id: str, version: str, region: str, body: dict) -> None:
        with self._tx() as con:
            con.execute(
                "INSERT OR REPLACE INTO jumpstart (model_id, version, region, body) VALUES (?,?,?,?)",
                (model_id, version, region, to_json(body)),
            )

    # --- endpoints -------------------------------------------------------------------------
    def save_endpoint(
        self,
        name: str,
        study: str,
        *,
        candidate: str | None = None,
        training_job_name: str | None = None,
        instance_type: str | None = None,
        instance_count: int | None = None,
        state: str = "creating",
        body: dict | None = None,
    ) -> None:
        with self._tx() as con:
            con.execute(
                "INSERT INTO endpoints (name, study, candidate, training_job_name, instance_type, instance_count, "
                "state, body, created_at) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(name) DO UPDATE SET "
                "state=excluded.state, body=COALESCE(excluded.body, endpoints.body)",
                (
                    name,
                    study,
                    candidate,
                    training_job_name,
                    instance_type,
                    instance_count,
                    state,
                    None if body is None else to_json(body),
                    time.time(),
                ),
            )

    def endpoints(self, study: str | None = None) -> list[dict]:
        sql = "SELECT name, study, candidate, training_job_name, instance_type, instance_count, state, body FROM endpoints"
        rows = self._query(sql + (" WHERE study=?" if study else "") + " ORDER BY created_at", (study,) if study else ())
        keys = ("name", "study", "candidate", "training_job_name", "instance_type", "instance_count", "state", "body")
        return [dict(zip(keys, r[:7]), body=_load(r[7])) for r in rows]

    def delete_endpoint(self, name: str) -> None:
        with self._tx() as con:
            con.execute("DELETE FROM endpoints WHERE name=?", (name,))

    # --- events ----------------------------------------------------------------------------
    def add_event(self, study: str, kind: str, message: str, *, at: datetime | None = None, body: dict | None = None) -> None:
        with self._tx() as con:
            con.execute(
                "INSERT INTO events (study, at, kind, message, body) VALUES (?,?,?,?,?)",
                (study, iso(at) if at else None, kind, message, None if body is None else to_json(body)),
            )

    def prune_events(self, study: str, kind: str, keep: int) -> None:
        """Keep only the newest `keep` events of a frequent kind (the guard checks every cycle)."""
        with self._tx() as con:
            con.execute(
                "DELETE FROM events WHERE study=? AND kind=? AND id NOT IN "
                "(SELECT id FROM events WHERE study=? AND kind=? ORDER BY id DESC LIMIT ?)",
                (study, kind, study, kind, keep),
            )

    def events(self, study: str, *, kind: str | None = None, limit: int = 50) -> list[dict]:
        sql = "SELECT id, at, kind, message, body FROM events WHERE study=?"
        params: tuple = (study,)
        if kind:
            sql += " AND kind=?"
            params += (kind,)
        rows = self._query(sql + " ORDER BY id DESC LIMIT ?", params + (limit,))
        return [
            {"id": r[0], "at": r[1], "kind": r[2], "message": r[3], "body": _load(r[4])} for r in reversed(rows)
        ]


def _load(text: str | None) -> Any:
    return None if text is None else json.loads(text)
