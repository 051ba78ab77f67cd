"""The journal: everything jstui must not forget, in one SQLite file (`<home>/journal.sqlite`, WAL).

Studies, launches (queued -> launching -> launched, per candidate and generation), what the poller
last saw of each tuning job, terminal training jobs (described once, never again), the last snapshot
of each study, JumpStart lookups, endpoints and events. Safe for two processes on one home (WAL plus
a busy deadline) and for the threads of one process (one lock per connection).

A journal another process is writing is waited for, up to a deadline (`JSTUI_JOURNAL_TIMEOUT` seconds,
default 30; after the first second the CLI says it is waiting); past it, JournalBusy (exit 8, "another
jstui holds the journal"). A home that cannot be written or entered, or a full disk, is an
EnvironmentProblem (exit 8). Only a file that is corrupt or was written by a newer jstui is refused as
unreadable (JournalError, exit 7), after a read-only look, so it is never touched (exit codes:
docs/cli-exit-codes.md). An older journal is upgraded in place, in one transaction, by the ordered
steps in `MIGRATIONS` (its schema version is SQLite's `PRAGMA user_version`)."""

from __future__ import annotations

import functools
import json
import logging
import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from datetime import datetime
from pathlib import Path
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from jstui.domain.errors import EnvironmentProblem, JournalBusy, JournalError, JstuiError, UsageError
from jstui.domain.times import iso
from jstui.engine import journal_shapes as shapes

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
FILE_NAME = "journal.sqlite"
TIMEOUT_ENV = "JSTUI_JOURNAL_TIMEOUT"
DEFAULT_TIMEOUT_S = 30.0  # how long a busy journal is waited for (SQLite's busy_timeout), unless TIMEOUT_ENV says
NOTICE_AFTER_S = 1.0  # a wait longer than this is announced (busy_notice) before waiting on

# What one process sees while another writes. The CLI sets this to print one line on stderr; the TUI
# leaves it None (the screen is not a log), and the wait is logged either way.
busy_notice: Callable[[str], None] | None = None

# SQLite primary result codes (https://www.sqlite.org/rescode.html)
_SQLITE_PERM, _SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY, _SQLITE_IOERR = 3, 5, 6, 8, 10
_SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 11, 13, 14, 26

T = TypeVar("T")


def timeout_s() -> float:
    """The busy deadline in seconds: JSTUI_JOURNAL_TIMEOUT, else 30."""
    text = os.environ.get(TIMEOUT_ENV)
    if text is None or not text.strip():
        return DEFAULT_TIMEOUT_S
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < 1e6:
        raise UsageError(f"{TIMEOUT_ENV}={text!r}: give the seconds to wait for a busy journal (a number >= 0)")
    return value


def _primary(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:  # messages of the codes that matter, for a Python without sqlite_errorcode
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            return _SQLITE_BUSY
        if "disk is full" in text or "database or disk is full" in text:
            return _SQLITE_FULL
        if "readonly" in text or "unable to open" in text:
            return _SQLITE_CANTOPEN
        if "not a database" in text or "malformed" in text:
            return _SQLITE_NOTADB
        return None
    return code & 0xFF


def _is_busy(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and _primary(exc) in (_SQLITE_BUSY, _SQLITE_LOCKED)


def _busy_error(path: Path, waited_s: float) -> JournalBusy:
    return JournalBusy(
        f"another jstui holds the journal {path}: gave up after {waited_s:g} s "
        f"(wait longer with {TIMEOUT_ENV}=SECONDS, or close the other jstui)"
    )


def translate(exc: sqlite3.Error, path: Path, doing: str, waited_s: float) -> JstuiError | None:
    """The user's error for a SQLite failure on the journal, or None when it is a bug (let it raise)."""
    if isinstance(exc, (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError)):
        return None
    code = _primary(exc)
    if code in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return _busy_error(path, waited_s)
    if code == _SQLITE_FULL:
        return EnvironmentProblem(f"{path}: the disk is full ({doing}); free some space and run jstui again")
    if code in (_SQLITE_PERM, _SQLITE_READONLY, _SQLITE_CANTOPEN, _SQLITE_IOERR):
        return EnvironmentProblem(f"{path}: cannot {doing} ({exc}); check that it and its folder are writable (or use --home)")
    if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return JournalError(f"{path}: journal is unreadable ({exc}); move it away to start afresh")
    return None


def _notice(message: str) -> None:
    log.warning("%s", message)
    if busy_notice is not None:
        busy_notice(message)

# Launch states. `launching` is written before the Create call and `launched` after it, so a process
# killed in between finds `launching` and retries the Create under the same name (ResourceInUse ->
# adopt): never a lost job, never a duplicate.
class LaunchState(StrEnum):
    QUEUED = "queued"  # waiting for a slot (max_parallel_tuning_jobs)
    LAUNCHING = "launching"  # the Create call is (or was, when a process died) under way
    LAUNCHED = "launched"  # the service has the tuning job
    WAITING = "waiting"  # the account's tuning-job quota is full; retried as slots free
    REFUSED = "refused"  # the service (or the request builder) refused it; `reason` says why
    DROPPED = "dropped"  # removed from the queue by the user


QUEUED, LAUNCHING, LAUNCHED, WAITING, REFUSED, DROPPED = LaunchState  # the names callers import
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
CREATE TABLE endpoints (
    name TEXT PRIMARY KEY,
    study TEXT NOT NULL,
    candidate TEXT,
    training_job_name TEXT,
    instance_type TEXT,
    instance_count INTEGER,
    state TEXT NOT NULL,
    body TEXT,
    created_at REAL NOT NULL,
    status TEXT
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

# An endpoint's `state` is how far jstui's deploy got (jstui.domain.endpoints.DeployStep); `status` is the
# service's EndpointStatus as last seen (None until then).
_DEPLOY_STEPS = ("planned", "model", "config", "endpoint", "deleting")

# JumpStart lookups depend on the instance type (CPU and GPU images differ) and on the metadata they came
# from: `source` is a fingerprint of it (jstui.aws.jumpstart.metadata_fingerprint), so a rebuilt offline
# snapshot or another SDK release misses the cache instead of reading a stale answer.
_JUMPSTART_TABLE = """
CREATE TABLE jumpstart (
    model_id TEXT NOT NULL,
    version TEXT NOT NULL,
    region TEXT NOT NULL,
    instance_type TEXT NOT NULL,
    source TEXT NOT NULL,
    body TEXT NOT NULL,
    saved_at REAL NOT NULL,
    PRIMARY KEY (model_id, version, region, instance_type, source)
);
"""


def _statements(script: str) -> list[str]:
    return [s for s in (part.strip() for part in script.split(";")) if s]


def _v1_to_v2(con: sqlite3.Connection) -> None:
    """Schema 1 cached JumpStart lookups by (model, version, region) only: forget them (a cache) and key
    the new table by instance type and metadata source too. Schema 1 kept an endpoint's deploy step and
    the service's status in one `state` column: split them (a row past its deploy steps is `endpoint`)."""
    con.execute("DROP TABLE IF EXISTS jumpstart")
    for statement in _statements(_JUMPSTART_TABLE):
        con.execute(statement)
    con.execute("ALTER TABLE endpoints ADD COLUMN status TEXT")
    steps = ", ".join(f"'{step}'" for step in _DEPLOY_STEPS)
    con.execute(f"UPDATE endpoints SET status=state, state='endpoint' WHERE state NOT IN ({steps})")


# Migration steps, in order: MIGRATIONS[n] upgrades a journal of schema n to n + 1. Never edit a step that
# shipped; add the next one and raise SCHEMA_VERSION.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: _v1_to_v2,
}
assert sorted(MIGRATIONS) == list(range(1, SCHEMA_VERSION)), "one step per schema version"


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
    state: LaunchState
    tuning_job_name: str
    model_id: str
    reason: str | None
    adopted: bool
    recipe: str | None  # JSON of what the candidate looked like when queued (plan shows changes)


def _launch(r: Sequence[Any], path: Path | None = None) -> Launch:
    """A Launch from a row of Journal._LAUNCH_COLS."""
    row = f"{r[0]!r}/{r[1]!r} generation {r[2]!r}"
    try:
        state = LaunchState(r[3])
    except (ValueError, TypeError):
        raise _damaged(path, "launches", row, f"state {r[3]!r} is not a launch state") from None
    _columns(path, "launches", row, r, _LAUNCH_TYPES)
    return Launch(r[0], r[1], r[2], state, r[4], r[5], r[6], bool(r[7]), r[8])


def _damaged(path: Path | None, table: str, row: str, what: str) -> JournalError:
    """A row jstui cannot read back: exit 7, like a damaged schema (never a traceback, never a write).
    The message names the file, the table and the row (its key)."""
    return JournalError(f"{path or 'the journal'}: journal is damaged (table {table}, row {row}: {what}); "
                        "move it away to start afresh")


# SQLite stores any type in any column: the Python types jstui reads of each (None: may be NULL).
_TEXT, _OPT_TEXT, _INT, _REAL = (str,), (str, type(None)), (int,), (int, float)
_LAUNCH_NAMES = ("study", "candidate", "generation", "state", "tuning_job_name", "model_id", "reason", "adopted",
                 "recipe")  # fmt: skip
_LAUNCH_TYPES = (_TEXT, _TEXT, _INT, _TEXT, _TEXT, _TEXT, _OPT_TEXT, _INT, _OPT_TEXT)
_STUDY_NAMES = ("name", "path", "backend", "region", "created_at", "opened_at")
_STUDY_TYPES = (_TEXT, _TEXT, _TEXT, _TEXT, _REAL, _REAL)
_ENDPOINT_NAMES = ("name", "study", "candidate", "training_job_name", "instance_type", "instance_count", "state",
                   "status")  # fmt: skip
_ENDPOINT_TYPES = (_TEXT, _TEXT, _OPT_TEXT, _OPT_TEXT, _OPT_TEXT, (int, type(None)), _TEXT, _OPT_TEXT)
_COLUMN_NAMES = {"launches": _LAUNCH_NAMES, "studies": _STUDY_NAMES, "endpoints": _ENDPOINT_NAMES,
                 "tuning_jobs": ("name", "study", "fingerprint", "counters")}  # the columns checked, in order


_SQL_KINDS = {str: "text", bytes: "a BLOB", int: "an integer", float: "a real", type(None): "NULL"}


def _columns(path: Path | None, table: str, row: str, values: Sequence[Any], types: Sequence[tuple[type, ...]]) -> None:
    for i, (value, allowed) in enumerate(zip(values, types)):
        if type(value) not in allowed:
            expected = " or ".join(dict.fromkeys("a number" if allowed == _REAL else _SQL_KINDS[t] for t in allowed))
            raise _damaged(path, table, row, f"{_COLUMN_NAMES[table][i]} is {_SQL_KINDS.get(type(value), 'a value')} "
                                             f"{value!r:.40}, expected {expected}")


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
    path: str  # the study file, as a path of this install (a sample's reference is resolved)
    backend: str
    region: str
    created_at: float
    opened_at: float


# A shipped sample study is remembered by name, not by where this install keeps it: reinstalling
# jstui (a wheel into site-packages, then an editable install) moves the file.
SAMPLE_PREFIX = "sample:"


def study_reference(path: Path | str) -> str:
    """What the journal stores for a study file: `sample:<stem>` for a shipped sample, else the path."""
    from jstui import sample_studies

    p = Path(path)
    try:
        root = Path(sample_studies.ROOT).resolve()
        resolved = p.resolve()
    except OSError:
        return str(p)
    if resolved.parent == root and resolved.suffix == ".toml":
        return SAMPLE_PREFIX + resolved.stem
    return str(p)


def resolve_reference(stored: str, study_name: str) -> str:
    """The file of a stored study: a `sample:` reference against this install's samples; an older
    row's path inside a previous install (gone now, `.../sample_studies/<file>.toml`, the sample of
    that study's name) likewise; any other path as stored."""
    from jstui import sample_studies

    root = Path(sample_studies.ROOT)
    if stored.startswith(SAMPLE_PREFIX):
        return str(root / f"{stored[len(SAMPLE_PREFIX):]}.toml")
    p = Path(stored)
    if p.parent.name == "sample_studies" and p.suffix == ".toml" and not os.path.exists(p):
        shipped = root / p.name
        if shipped.is_file() and _study_name_of(shipped) == study_name:
            return str(shipped)
    return stored


def _study_name_of(path: Path) -> str | None:
    import tomllib

    try:
        return tomllib.loads(path.read_text(encoding="utf-8")).get("study", {}).get("name")
    except (OSError, ValueError):
        return None


def _study_record(row: Any, path: Path | None = None) -> StudyRecord:
    _columns(path, "studies", repr(row[0]), row, _STUDY_TYPES)
    return StudyRecord(row[0], resolve_reference(row[1], row[0]), *row[2:])


def _check_readable(path: Path, wait_s: float) -> None:
    """Look at an existing journal read-only; refuse it (untouched) if corrupt or newer."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=wait_s)
    except sqlite3.Error as exc:
        raise translate(exc, path, "open the journal", wait_s) or JournalError(
            f"{path}: journal cannot be opened ({exc})") from None
    try:
        version = con.execute("PRAGMA user_version").fetchone()[0]
        check = con.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise translate(exc, path, "read the journal", wait_s) or JournalError(
            f"{path}: journal is unreadable ({exc}); move it away to start afresh") from None
    finally:
        con.close()
    if check != "ok":
        raise JournalError(f"{path}: journal is corrupt ({check}); move it away to start afresh")
    if version > SCHEMA_VERSION:
        raise JournalError(
            f"{path}: journal was written by a newer jstui (schema {version}, this jstui reads up to "
            f"{SCHEMA_VERSION}); upgrade jstui or use another --home"
        )


@functools.cache
def _expected_schema() -> dict[str, frozenset[str]]:
    """Table -> columns of this jstui's schema, from _SCHEMA itself (an in-memory database)."""
    mem = sqlite3.connect(":memory:")
    try:
        mem.executescript(_SCHEMA)
        return {t: frozenset(c) for t, c in _schema_of(mem).items()}
    finally:
        mem.close()


def _schema_of(con: sqlite3.Connection) -> dict[str, set[str]]:
    tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                        "AND name NOT LIKE 'sqlite_%'").fetchall()]
    return {t: {r[1] for r in con.execute(f"PRAGMA table_info(\"{t}\")").fetchall()} for t in tables}


def _check_schema(con: sqlite3.Connection, path: Path, version: int) -> None:
    """Refuse (JournalError, exit 7, nothing written) a journal whose tables are not the ones its
    schema version promises: a table dropped or altered by hand, or tables without a version. Only
    missing tables or columns count; extra ones (a later jstui's additions) are left alone."""
    found = _schema_of(con)
    if version == 0:
        if found:
            raise JournalError(f"{path}: journal is damaged (it has tables but no schema version); "
                               "move it away to start afresh")
        return
    if version < 0 or version > SCHEMA_VERSION:
        if version < 0:
            raise JournalError(f"{path}: journal is damaged (schema version {version}); move it away to start afresh")
        return  # newer: _migrate says so
    for table, columns in _expected_schema().items():
        if table not in found:
            raise JournalError(f"{path}: journal is damaged (table {table} is missing); move it away to start afresh")
        missing = sorted(columns - found[table])
        if missing:
            raise JournalError(f"{path}: journal is damaged (table {table} lacks {', '.join(missing)}); "
                               "move it away to start afresh")


class Journal:
    def __init__(self, path: Path, con: sqlite3.Connection, timeout: float = DEFAULT_TIMEOUT_S):
        self.path = path
        self._con = con
        self.timeout_s = timeout
        self._first_wait_s = min(NOTICE_AFTER_S, timeout)
        self._lock = threading.RLock()
        self._depth = 0  # nesting of _tx() on this connection
        # name -> (hash of the stored row's values, its record): the hash, not the row, so the ~20 MB of
        # text of a 1,000-job study is not kept beside its parse (SipHash, 64 bits: two versions of one
        # row colliding is not a practical concern)
        self._parsed_tuning_jobs: dict[str, tuple[int, TuningJobRecord]] = {}
        # tuning_jobs(study) between refreshes: study -> (PRAGMA data_version when read, records); the
        # names this connection saved since (other connections' commits change data_version)
        self._tuning_read: dict[str, tuple[int, dict[str, TuningJobRecord]]] = {}
        self._tuning_saved: dict[str, set[str]] = {}

    # --- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, home: Path, *, timeout: float | None = None) -> Journal:
        """Open (creating if needed) `<home>/journal.sqlite`. `timeout`: seconds to wait for another
        process's write lock (default: JSTUI_JOURNAL_TIMEOUT, else 30)."""
        home = Path(home)
        path = home / FILE_NAME
        wait_s = timeout_s() if timeout is None else float(timeout)
        try:
            exists = path.exists() and path.stat().st_size > 0
        except OSError as exc:  # e.g. a home folder that cannot be entered
            raise EnvironmentProblem(f"{home}: cannot look for the journal there ({exc.strerror}); "
                                     "check the folder's permissions (or use --home)") from None
        if exists:
            _check_readable(path, wait_s)
        con = None
        try:
            home.mkdir(parents=True, exist_ok=True)
            con = sqlite3.connect(path, timeout=wait_s, isolation_level=None, check_same_thread=False)
            journal = cls(path, con, wait_s)
            con.execute(f"PRAGMA busy_timeout = {int(journal._first_wait_s * 1000)}")
            journal._set_wal()
            con.execute("PRAGMA synchronous = NORMAL")
            journal._migrate()
        except JstuiError:
            if con is not None:
                con.close()
            raise
        except sqlite3.Error as exc:
            if con is not None:
                con.close()
            raise translate(exc, path, "open the journal", wait_s) or JournalError(
                f"{path}: journal is unreadable ({exc})") from None
        except OSError as exc:
            raise EnvironmentProblem(f"{home}: cannot create the journal there ({exc.strerror}); "
                                     "check the folder's permissions and free space (or use --home)") from None
        return journal

    def _set_wal(self) -> None:
        """WAL mode, once per file (it is persistent). Switching needs a lock SQLite does not wait for
        (no busy handler: the other process may be creating the file right now), so retry until the
        deadline; a journal already in WAL mode is left alone."""
        start = time.monotonic()
        announced = False
        while True:
            try:
                if self._con.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
                    return
                if self._con.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() == "wal":
                    return
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc):
                    raise
            waited = time.monotonic() - start
            if waited >= self.timeout_s:
                raise _busy_error(self.path, self.timeout_s)
            if not announced and waited >= self._first_wait_s:
                _notice(self._waiting_message())
                announced = True
            time.sleep(0.02)

    def _waiting_message(self) -> str:
        return f"another jstui is writing the journal {self.path}; waiting up to {self.timeout_s:g} s"

    def _waiting(self, step: Callable[[], T]) -> T:
        """Run one SQLite step; if it is still busy after the first wait, say so once and wait up to
        the deadline (SQLite's busy_timeout), then fail with JournalBusy."""
        try:
            return step()
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or self.timeout_s <= self._first_wait_s:
                raise
        _notice(self._waiting_message())
        rest_ms = max(1, int((self.timeout_s - self._first_wait_s) * 1000))
        self._con.execute(f"PRAGMA busy_timeout = {rest_ms}")
        try:
            return step()
        finally:
            self._con.execute(f"PRAGMA busy_timeout = {int(self._first_wait_s * 1000)}")

    def _fail(self, exc: sqlite3.Error, doing: str) -> BaseException:
        return translate(exc, self.path, doing, self.timeout_s) or exc

    def _migrate(self) -> None:
        with self._tx() as con:
            version = con.execute("PRAGMA user_version").fetchone()[0]
            if not 0 < version < SCHEMA_VERSION:  # an older schema is checked once its steps have run (below)
                _check_schema(con, self.path, version)  # before anything is written: never write what we cannot read
            if version == 0:
                for statement in _statements(_SCHEMA + _JUMPSTART_TABLE):
                    con.execute(statement)
                con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            elif version < SCHEMA_VERSION:  # written by an older jstui: its steps, in order, in this transaction
                for step in range(version, SCHEMA_VERSION):
                    MIGRATIONS[step](con)
                    con.execute(f"PRAGMA user_version = {step + 1}")
                # what the steps made must be today's schema; if not, the transaction rolls back untouched
                _check_schema(con, self.path, SCHEMA_VERSION)
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
            try:
                self._waiting(lambda: self._con.execute("BEGIN IMMEDIATE"))
            except sqlite3.Error as exc:
                raise self._fail(exc, "write the journal") from None
            self._depth = 1
            try:
                yield self._con
            except BaseException as exc:
                self._tuning_read.clear()  # it may hold rows this rollback undid
                if self._con.in_transaction:
                    self._con.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise self._fail(exc, "write the journal") from None
                raise
            else:
                try:
                    self._con.execute("COMMIT")
                except sqlite3.Error as exc:
                    self._tuning_read.clear()
                    if self._con.in_transaction:
                        self._con.execute("ROLLBACK")
                    raise self._fail(exc, "write the journal") from None
            finally:
                self._depth = 0

    def transaction(self):
        """Hold the journal's write lock across several reads and writes (other processes wait):
        e.g. count the tuning jobs in flight and claim a launch slot as one step."""
        return self._tx()

    def _query(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                return self._waiting(lambda: self._con.execute(sql, params).fetchall())
            except sqlite3.Error as exc:
                raise self._fail(exc, "read the journal") from None

    # --- studies ---------------------------------------------------------------------------
    def upsert_study(self, name: str, path: Path, backend: str, region: str) -> None:
        now = time.time()
        with self._tx() as con:
            con.execute(
                "INSERT INTO studies (name, path, backend, region, created_at, opened_at) VALUES (?,?,?,?,?,?) "
                "ON CONFLICT(name) DO UPDATE SET path=excluded.path, backend=excluded.backend, "
                "region=excluded.region, opened_at=excluded.opened_at",
                (name, study_reference(path), backend, region, now, now),
            )

    def check_study(self, name: str) -> None:
        """Refuse (JournalError, exit 7) a journal whose rows of this study jstui cannot read back, before
        anything is written to it: opening a study must not modify a damaged journal. Reads each row the
        way jstui does (the tuning jobs' records stay cached for the next read); the events' details in
        SQLite (json_valid, json_type: https://www.sqlite.org/json1.html). The training jobs' documents
        are checked as the snapshot's reader parses them (jstui.engine.snapshot_build.TerminalCache)."""
        self.study(name)
        for launch in self.launches(name):
            launch_recipe(self.path, launch)
        self.endpoints(name)
        self.tuning_jobs(name)
        rows = self._query("SELECT id, body FROM events WHERE study=? AND body IS NOT NULL AND (typeof(body) != 'text' "
                           "OR NOT json_valid(body) OR json_type(body) != 'object') LIMIT 1", (name,))
        if rows:
            _load(rows[0][1], self.path, "events", f"id {rows[0][0]}", "body", shapes.OBJECT)

    def study(self, name: str) -> StudyRecord | None:
        rows = self._query("SELECT name, path, backend, region, created_at, opened_at FROM studies WHERE name=?", (name,))
        return _study_record(rows[0], self.path) if rows else None

    def studies(self) -> list[StudyRecord]:
        rows = self._query("SELECT name, path, backend, region, created_at, opened_at FROM studies ORDER BY name")
        return [_study_record(r, self.path) for r in rows]

    def last_opened(self) -> StudyRecord | None:
        rows = self._query(
            "SELECT name, path, backend, region, created_at, opened_at FROM studies ORDER BY opened_at DESC LIMIT 1"
        )
        return _study_record(rows[0], self.path) if rows else None

    def forget_study(self, name: str) -> bool:
        """Remove the study and everything recorded for it from the journal (never from the service)."""
        with self._tx() as con:
            self._tuning_read.pop(name, None)  # inside the transaction: no reader caches the rows meanwhile
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
        return [_launch(r, self.path) for r in rows]

    def current_launches(self, study: str) -> dict[str, Launch]:
        """The latest generation of every candidate ever queued."""
        out: dict[str, Launch] = {}
        for launch in self.launches(study):
            if launch.candidate not in out or launch.generation > out[launch.candidate].generation:
                out[launch.candidate] = launch
        return out

    def launch_by_name(self, tuning_job_name: str) -> Launch | None:
        rows = self._query(f"SELECT {self._LAUNCH_COLS} FROM launches WHERE tuning_job_name=?", (tuning_job_name,))
        return _launch(rows[0], self.path) if rows else None

    def queue(
        self,
        study: str,
        candidate: str,
        generation: int,
        tuning_job_name: str,
        model_id: str,
        *,
        state: LaunchState = QUEUED,
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

    def set_launch_state(self, study: str, candidate: str, generation: int, state: LaunchState, reason: str | None = None) -> None:
        with self._tx() as con:
            con.execute(
                "UPDATE launches SET state=?, reason=?, updated_at=? WHERE study=? AND candidate=? AND generation=?",
                (state, reason, time.time(), study, candidate, generation),
            )

    # --- launch claims: which live process is making a launch ------------------------------
    # A `launching` row is being created by the process named in `claimed_by` (the launcher's
    # `process_identity()`); another session skips it while that process lives, so two sessions on one
    # home never call Create for the same row. The column is added on first claim (an additive change
    # older jstui versions ignore), so merely opening an older journal writes nothing.
    def _has_claim_column(self, con: sqlite3.Connection) -> bool:
        # Once seen it stays (columns are never dropped); until then, ask again: another process may add it.
        if not getattr(self, "_claim_column_seen", False):
            self._claim_column_seen = "claimed_by" in {r[1] for r in con.execute("PRAGMA table_info(launches)")}
        return self._claim_column_seen

    def claim_launch(self, study: str, candidate: str, generation: int, owner: str) -> None:
        """Mark the launch `launching`, held by `owner` (call inside `transaction()`)."""
        with self._tx() as con:
            if not self._has_claim_column(con):  # asked inside this write transaction: no one else adds it now
                con.execute("ALTER TABLE launches ADD COLUMN claimed_by TEXT")
            con.execute(
                "UPDATE launches SET state=?, reason=NULL, claimed_by=?, updated_at=? "
                "WHERE study=? AND candidate=? AND generation=?",
                (LAUNCHING, owner, time.time(), study, candidate, generation),
            )

    def launch_claims(self, study: str) -> dict[tuple[str, int], tuple[str, float]]:
        """{(candidate, generation): (owner, updated_at)} of the study's claimed `launching` rows."""
        with self._lock:
            if not self._has_claim_column(self._con):
                return {}
        rows = self._query("SELECT candidate, generation, claimed_by, updated_at FROM launches "
                           "WHERE study=? AND state=? AND claimed_by IS NOT NULL", (study, LAUNCHING))
        return {(r[0], r[1]): (r[2], r[3]) for r in rows}

    def add_adopt_prefix(self, study: str, prefix: str) -> None:
        with self._tx() as con:
            con.execute("INSERT OR IGNORE INTO adopt_prefixes (study, prefix) VALUES (?,?)", (study, prefix))

    def adopt_prefixes(self, study: str) -> list[str]:
        return [r[0] for r in self._query("SELECT prefix FROM adopt_prefixes WHERE study=? ORDER BY prefix", (study,))]

    # --- what the poller saw ---------------------------------------------------------------
    def tuning_jobs(self, study: str) -> dict[str, TuningJobRecord]:
        """Records are shared between calls while their row is unchanged: treat them as read-only.

        A refresh reads every tuning job three times (launcher, poller, snapshot) and few rows change
        between reads, so the text of the JSON columns (~15 MB for 1,000 tuning jobs of 20) is read and
        decoded once: later calls read again only the rows this connection saved since, and everything
        when another connection committed meanwhile (SQLite's `PRAGMA data_version`,
        https://www.sqlite.org/pragma.html#pragma_data_version). A row read again is parsed only when
        its stored text differs from the last parse."""
        cols = "name, study, fingerprint, summary, describe, counters, training_summaries"
        with self._lock:
            version = self._waiting(lambda: self._con.execute("PRAGMA data_version").fetchone()[0])
            saved = self._tuning_saved.pop(study, set())
            last = self._tuning_read.get(study)
            if last is not None and last[0] == version:
                records = dict(last[1])
                names = sorted(saved)
                for i in range(0, len(names), 500):  # SQLite's default limit of bound parameters is 999+
                    chunk = names[i:i + 500]
                    rows = self._query(f"SELECT {cols} FROM tuning_jobs WHERE study=? AND name IN "
                                       f"({','.join('?' * len(chunk))})", (study, *chunk))
                    found = {r[0] for r in rows}
                    for name in chunk:
                        if name not in found:
                            records.pop(name, None)
                    records.update(self._parsed(rows))
            else:
                records = self._parsed(self._query(f"SELECT {cols} FROM tuning_jobs WHERE study=?", (study,)))
            self._tuning_read[study] = (version, records)
            return dict(records)

    def _parsed(self, rows: list[sqlite3.Row]) -> dict[str, TuningJobRecord]:
        """Records of tuning_jobs rows, parsing only rows whose stored text changed since the last parse."""
        out: dict[str, TuningJobRecord] = {}
        for r in rows:
            raw = hash(tuple(r))
            hit = self._parsed_tuning_jobs.get(r[0])
            if hit is None or hit[0] != raw:
                hit = self._parsed_tuning_jobs[r[0]] = (raw, self._tuning_record(r))
            out[r[0]] = hit[1]
        return out

    def _tuning_record(self, r: Sequence[Any]) -> TuningJobRecord:
        row = repr(r[0])
        _columns(self.path, "tuning_jobs", row, (*r[:3], r[5]), (_TEXT, _TEXT, _OPT_TEXT, _OPT_TEXT))
        return TuningJobRecord(
            r[0], r[1], r[2],
            _load(r[3], self.path, "tuning_jobs", row, "summary", shapes.TUNING_SUMMARY),
            _load(r[4], self.path, "tuning_jobs", row, "describe", shapes.TUNING_DESCRIBE),
            r[5],
            _load(r[6], self.path, "tuning_jobs", row, "training_summaries", shapes.TRAINING_SUMMARIES) or [],
        )  # fmt: skip

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
            # read again by the next tuning_jobs() of any study (a row keeps the study it was made with);
            # marked inside the transaction, whose lock no reader passes before it commits
            for known in {study, *self._tuning_read}:
                self._tuning_saved.setdefault(known, set()).add(name)
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
        return {r[0]: training_job_document(self.path, r[0], r[1], shapes.TRAINING_DESCRIBE) for r in rows}

    def terminal_training_jobs_after(self, rowid: int, limit: int = -1) -> list[tuple[int, str, str]]:
        """(rowid, name, describe JSON) of the terminal training jobs saved after `rowid` (a replaced row
        gets a new rowid), oldest first, at most `limit` (-1: all): a reader keeps what it parsed and
        reads only what is new, a batch at a time."""
        rows = self._query("SELECT rowid, name, describe FROM training_jobs WHERE rowid > ? ORDER BY rowid LIMIT ?",
                           (rowid, limit))
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
    def save_snapshot(self, study: str, body: str | bytes) -> None:
        """`body`: the snapshot's JSON text, or that text compressed (jstui.engine.snapshot_codec)."""
        with self._tx() as con:
            con.execute(
                "INSERT OR REPLACE INTO snapshots (study, body, saved_at) VALUES (?,?,?)", (study, body, time.time())
            )

    def snapshot_body(self, study: str) -> str | bytes | None:
        rows = self._query("SELECT body FROM snapshots WHERE study=?", (study,))
        return rows[0][0] if rows else None

    # --- JumpStart cache -------------------------------------------------------------------
    def jumpstart(self, model_id: str, version: str, region: str, instance_type: str, source: str,
                  max_age_s: float | None = None) -> dict | None:
        """A cached lookup from the same metadata `source` (None when there is none, or it is older than
        `max_age_s`)."""
        rows = self._query(
            "SELECT body, saved_at FROM jumpstart WHERE model_id=? AND version=? AND region=? AND instance_type=? "
            "AND source=?",
            (model_id, version, region, instance_type, source),
        )
        if not rows or (max_age_s is not None and time.time() - rows[0][1] > max_age_s):
            return None
        return _load(rows[0][0], self.path, "jumpstart", f"{model_id!r} {version!r} {instance_type!r}", "body",
                     shapes.OBJECT)

    def save_jumpstart(self, model_id: str, version: str, region: str, instance_type: str, source: str,
                       body: dict) -> None:
        with self._tx() as con:
            # one entry per lookup: an answer from other metadata is replaced, not kept beside it
            con.execute("DELETE FROM jumpstart WHERE model_id=? AND version=? AND region=? AND instance_type=?",
                        (model_id, version, region, instance_type))
            con.execute(
                "INSERT INTO jumpstart (model_id, version, region, instance_type, source, body, saved_at) "
                "VALUES (?,?,?,?,?,?,?)",
                (model_id, version, region, instance_type, source, to_json(body), time.time()),
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
        state: str | None = None,
        status: str | None = None,
        body: dict | None = None,
    ) -> None:
        """Insert or update an endpoint's record. `state` is a deploy step; a service status passed as
        `state` (as schema 1 stored it) is recorded as `status`, the step becoming `endpoint`."""
        if state is not None and state not in _DEPLOY_STEPS:
            state, status = "endpoint", state
        with self._tx() as con:
            con.execute(
                "INSERT INTO endpoints (name, study, candidate, training_job_name, instance_type, instance_count, "
                "state, status, body, created_at) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT(name) DO UPDATE SET "
                "state=COALESCE(?, endpoints.state), status=COALESCE(?, endpoints.status), "
                "body=COALESCE(excluded.body, endpoints.body)",
                (
                    name,
                    study,
                    candidate,
                    training_job_name,
                    instance_type,
                    instance_count,
                    state or "planned",
                    status,
                    None if body is None else to_json(body),
                    time.time(),
                    state,
                    status,
                ),
            )

    def endpoints(self, study: str | None = None) -> list[dict]:
        """Each endpoint's record: `state` (the deploy step), `status` (the service's, last seen) and the rest."""
        sql = ("SELECT name, study, candidate, training_job_name, instance_type, instance_count, state, status, body "
               "FROM endpoints")
        rows = self._query(sql + (" WHERE study=?" if study else "") + " ORDER BY created_at", (study,) if study else ())
        keys = ("name", "study", "candidate", "training_job_name", "instance_type", "instance_count", "state", "status")
        out = []
        for r in rows:
            _columns(self.path, "endpoints", repr(r[0]), r[:8], _ENDPOINT_TYPES)
            if r[6] not in _DEPLOY_STEPS:
                raise _damaged(self.path, "endpoints", repr(r[0]), f"state {r[6]!r} is not a deploy step")
            out.append(dict(zip(keys, r[:8]),
                            body=_load(r[8], self.path, "endpoints", repr(r[0]), "body", shapes.DEPLOY_REQUEST)))
        return out

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
            {"id": r[0], "at": r[1], "kind": r[2], "message": r[3],
             "body": _load(r[4], self.path, "events", f"id {r[0]}", "body", shapes.OBJECT)}
            for r in reversed(rows)
        ]


def _load(text: str | None, path: Path | None, table: str, row: str, column: str, spec: Any) -> Any:
    """A JSON column's value, checked against the shape jstui reads (jstui.engine.journal_shapes)."""
    if text is None:
        return None
    try:
        value = json.loads(text)
    except (ValueError, TypeError) as exc:  # JSONDecodeError is a ValueError; a BLOB is a TypeError
        raise _damaged(path, table, row, f"{column} is not JSON: {exc}") from None
    problem = shapes.problem(value, spec, column)
    if problem:
        raise _damaged(path, table, row, problem)
    return value


def training_job_document(path: Path | None, name: str, text: str, spec: Any = shapes.TRAINING_TERMINAL) -> dict:
    """A terminal training job's stored DescribeTrainingJob document (table training_jobs), checked
    against `spec` (by default what a snapshot reads of it)."""
    return _load(text, path, "training_jobs", repr(name), "describe", spec)


def launch_recipe(path: Path | None, launch: Launch) -> dict:
    """A launch's recipe (what its candidate looked like when queued), checked to be an object."""
    row = f"{launch.study!r}/{launch.candidate!r} generation {launch.generation}"
    return _load(launch.recipe, path, "launches", row, "recipe", shapes.OBJECT) or {}
