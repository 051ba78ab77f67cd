"""The emulator's state in SQLite (WAL, busy timeout): definitions, stop requests, tags, hosting.

Only what users asked for is stored (requests and the times they were made); every status is computed
on read. One connection per thread, because sqlite3 connections must not cross threads."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from jstui.domain.errors import EnvironmentProblem, UsageError

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tuning_jobs (
    name TEXT PRIMARY KEY, arn TEXT NOT NULL, created REAL NOT NULL,
    request TEXT NOT NULL, settings TEXT NOT NULL, stop_time REAL);
CREATE TABLE IF NOT EXISTS training_stops (
    name TEXT PRIMARY KEY, tuning_job TEXT NOT NULL, time REAL NOT NULL);
CREATE TABLE IF NOT EXISTS tags (
    arn TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (arn, key));
CREATE TABLE IF NOT EXISTS hosting (
    kind TEXT NOT NULL, name TEXT NOT NULL, arn TEXT NOT NULL, created REAL NOT NULL,
    request TEXT NOT NULL, events TEXT NOT NULL DEFAULT '[]', PRIMARY KEY (kind, name));
"""


def _environment(exc: sqlite3.Error) -> bool:
    """A SQLite failure that is the machine's (busy past the deadline, read-only, cannot open, full)."""
    text = str(exc).lower()
    return any(w in text for w in ("locked", "busy", "readonly", "unable to open", "disk is full", "disk i/o"))


def _wal(conn: sqlite3.Connection, timeout_s: float = 30.0) -> None:
    """WAL mode once per file. SQLite does not wait (no busy handler) for the lock switching needs, and
    another process may be creating the file right now: retry until the deadline."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
                return
            if conn.execute("PRAGMA journal_mode=WAL").fetchone()[0].lower() == "wal":
                return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
        if time.monotonic() >= deadline:
            raise sqlite3.OperationalError("database is locked (switching to WAL)")
        time.sleep(0.02)


class Store:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        if os.path.isdir(self.path):
            raise UsageError(f"{self.path}: not a usable emulator state (a folder, not a file)")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._conn() as c:
                c.executescript(_SCHEMA)
        except OSError as exc:  # the folder cannot be made or entered: the machine's problem (exit 8)
            raise EnvironmentProblem(f"{self.path}: cannot create the emulator state ({exc.strerror or exc})") from None
        except sqlite3.Error as exc:
            if _environment(exc):
                raise EnvironmentProblem(f"{self.path}: cannot write the emulator state ({exc})") from None
            raise UsageError(f"{self.path}: not a usable emulator state ({exc})") from None

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
                conn.execute("PRAGMA busy_timeout=30000")
                _wal(conn)
            except sqlite3.DatabaseError as exc:
                if _environment(exc):
                    raise EnvironmentProblem(f"{self.path}: cannot write the emulator state ({exc})") from None
                raise UsageError(f"{self.path}: not a usable emulator state ({exc})") from None
            self._local.conn = conn
        return conn

    def _write(self, sql: str, args: tuple = ()) -> None:
        with self._write_lock:
            self._conn().execute(sql, args)

    # --- meta: origin, wall origin and speed are fixed per state file ---
    def meta(self) -> dict[str, str]:
        return dict(self._conn().execute("SELECT key, value FROM meta").fetchall())

    def init_clock(self, speed: float | None, default_speed: float) -> tuple[float, float, float]:
        """Return (origin, wall_origin, speed); a different speed on an existing state is refused."""
        with self._write_lock:
            c = self._conn()
            c.execute("BEGIN IMMEDIATE")
            try:
                meta = dict(c.execute("SELECT key, value FROM meta").fetchall())
                if "speed" in meta:
                    stored = float(meta["speed"])
                    if speed is not None and abs(stored - float(speed)) > 1e-9:
                        raise UsageError(
                            f"{self.path}: this emulator state runs at speed {stored:g}, not {float(speed):g}; "
                            f"speed is fixed per state file (use another --state, or --speed {stored:g})"
                        )
                    c.execute("COMMIT")
                    return float(meta["origin"]), float(meta["wall_origin"]), stored
                now = time.time()
                use = float(speed if speed is not None else default_speed)
                if use <= 0:
                    raise UsageError(f"emulator speed must be > 0, not {use:g}")
                for k, v in (("origin", now), ("wall_origin", now), ("speed", use), ("schema", SCHEMA_VERSION)):
                    c.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (k, str(v)))
                c.execute("COMMIT")
                return now, now, use
            except BaseException:
                c.execute("ROLLBACK")
                raise

    def clock_state(self) -> dict[str, str]:
        """The stored clock: origin, wall_origin and (while paused) paused_at."""
        rows = self._conn().execute(
            "SELECT key, value FROM meta WHERE key IN ('origin', 'wall_origin', 'paused_at')").fetchall()
        return dict(rows)

    def update_clock(self, change) -> dict[str, str]:
        """Apply `change(stored) -> new` (dicts of origin, wall_origin, paused_at-or-None) in one write
        transaction, so two processes moving one clock do not lose a step."""
        with self._write_lock:
            c = self._conn()
            c.execute("BEGIN IMMEDIATE")
            try:
                new = change(dict(c.execute(
                    "SELECT key, value FROM meta WHERE key IN ('origin', 'wall_origin', 'paused_at')").fetchall()))
                for k in ("origin", "wall_origin", "paused_at"):
                    if new.get(k) is None:
                        c.execute("DELETE FROM meta WHERE key = ?", (k,))
                    else:
                        c.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (k, repr(float(new[k]))))
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise
        return new

    # --- tuning jobs ---
    def insert_tuning_job(self, name: str, arn: str, created: float, request: dict, settings: dict) -> bool:
        """False when the name is taken."""
        try:
            self._write(
                "INSERT INTO tuning_jobs (name, arn, created, request, settings) VALUES (?, ?, ?, ?, ?)",
                (name, arn, created, json.dumps(request), json.dumps(settings)),
            )
            return True
        except sqlite3.IntegrityError:
            return False

    def tuning_job(self, name: str) -> dict[str, Any] | None:
        row = self._conn().execute(
            "SELECT name, arn, created, request, settings, stop_time FROM tuning_jobs WHERE name = ?", (name,)
        ).fetchone()
        return _tuning_row(row) if row else None

    def tuning_job_keys(self) -> list[tuple[str, str, float]]:
        """(name, ARN, created) of every tuning job, without decoding their requests (Search's index)."""
        return self._conn().execute("SELECT name, arn, created FROM tuning_jobs").fetchall()

    def tuning_jobs(self) -> list[dict[str, Any]]:
        rows = self._conn().execute(
            "SELECT name, arn, created, request, settings, stop_time FROM tuning_jobs"
        ).fetchall()
        return [_tuning_row(r) for r in rows]

    def tuning_job_lives(self, until: float) -> list[tuple[str, float, float | None]]:
        """(name, created, stop_time) of the tuning jobs created by `until`, without decoding their requests."""
        return self._conn().execute(
            "SELECT name, created, stop_time FROM tuning_jobs WHERE created <= ?", (until,)).fetchall()

    def all_training_stops(self) -> dict[str, dict[str, float]]:
        """{tuning job: {training job: stop time}} of every stop request."""
        out: dict[str, dict[str, float]] = {}
        for name, tuning_job, at in self._conn().execute("SELECT name, tuning_job, time FROM training_stops"):
            out.setdefault(tuning_job, {})[name] = at
        return out

    def stop_tuning_job(self, name: str, at: float) -> None:
        self._write("UPDATE tuning_jobs SET stop_time = ? WHERE name = ? AND stop_time IS NULL", (at, name))

    def stop_training_job(self, name: str, tuning_job: str, at: float) -> None:
        self._write(
            "INSERT OR IGNORE INTO training_stops (name, tuning_job, time) VALUES (?, ?, ?)", (name, tuning_job, at)
        )

    def training_stops(self, tuning_job: str) -> dict[str, float]:
        rows = self._conn().execute(
            "SELECT name, time FROM training_stops WHERE tuning_job = ?", (tuning_job,)
        ).fetchall()
        return {n: t for n, t in rows}

    # --- tags ---
    def add_tags(self, arn: str, tags: list[dict]) -> None:
        with self._write_lock:
            c = self._conn()
            c.execute("BEGIN IMMEDIATE")
            for t in tags:
                c.execute(
                    "INSERT OR REPLACE INTO tags (arn, key, value) VALUES (?, ?, ?)", (arn, t["Key"], t.get("Value", ""))
                )
            c.execute("COMMIT")

    def delete_tags(self, arn: str) -> None:
        """A deleted resource's tags go with it (a new one of the same name starts untagged)."""
        self._write("DELETE FROM tags WHERE arn = ?", (arn,))

    def tags(self, arn: str) -> list[dict]:
        rows = self._conn().execute("SELECT key, value FROM tags WHERE arn = ? ORDER BY rowid", (arn,)).fetchall()
        return [{"Key": k, "Value": v} for k, v in rows]

    # --- hosting: models, endpoint configs, endpoints ---
    def insert_hosting(self, kind: str, name: str, arn: str, created: float, request: dict, events: list) -> bool:
        try:
            self._write(
                "INSERT INTO hosting (kind, name, arn, created, request, events) VALUES (?, ?, ?, ?, ?, ?)",
                (kind, name, arn, created, json.dumps(request), json.dumps(events)),
            )
            return True
        except sqlite3.IntegrityError:
            return False

    def hosting(self, kind: str, name: str) -> dict[str, Any] | None:
        row = self._conn().execute(
            "SELECT name, arn, created, request, events FROM hosting WHERE kind = ? AND name = ?", (kind, name)
        ).fetchone()
        return _hosting_row(row) if row else None

    def hosting_all(self, kind: str) -> list[dict[str, Any]]:
        rows = self._conn().execute(
            "SELECT name, arn, created, request, events FROM hosting WHERE kind = ?", (kind,)
        ).fetchall()
        return [_hosting_row(r) for r in rows]

    def set_hosting_events(self, kind: str, name: str, events: list) -> None:
        self._write("UPDATE hosting SET events = ? WHERE kind = ? AND name = ?", (json.dumps(events), kind, name))

    def delete_hosting(self, kind: str, name: str) -> None:
        self._write("DELETE FROM hosting WHERE kind = ? AND name = ?", (kind, name))

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def _tuning_row(row) -> dict[str, Any]:
    name, arn, created, request, settings, stop_time = row
    return {
        "name": name,
        "arn": arn,
        "created": created,
        "request": json.loads(request),
        "settings": json.loads(settings),
        "stop_time": stop_time,
    }


def _hosting_row(row) -> dict[str, Any]:
    name, arn, created, request, events = row
    return {"name": name, "arn": arn, "created": created, "request": json.loads(request), "events": json.loads(events)}
