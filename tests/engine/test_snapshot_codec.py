"""The saved snapshot's text layout (jstui.engine.snapshot_codec): row lists as tables, and the
layout of earlier jstui versions (a list of objects per row list), which users' journals still hold."""

from __future__ import annotations

import dataclasses
import json
import zlib

import pytest

from jstui.domain.errors import JournalError
from jstui.engine.journal import Journal
from jstui.engine.snapshot_codec import snapshot_from_json, snapshot_to_blob, snapshot_to_json
from jstui.engine.snapshot_store import SnapshotStore
from tests.engine.fixtures import demo_snapshot

_ROW_LISTS = ("tuning_jobs", "training_jobs", "endpoints", "planned")


def _objects_layout(text: str) -> str:
    """The same snapshot in the earlier layout: each row an object of field: value."""
    body = json.loads(text)
    for key in _ROW_LISTS:
        table = body[key]
        body[key] = [dict(zip(table["fields"], values)) for values in table["rows"]]
    return json.dumps(body, sort_keys=True)


def test_round_trip_keeps_every_field():
    snap = demo_snapshot()
    assert snap.training_jobs and snap.tuning_jobs  # the fixture has rows of both kinds
    assert snapshot_from_json(snapshot_to_json(snap)) == snap


def test_rows_are_tables_and_shorter_than_objects():
    text = snapshot_to_json(demo_snapshot())
    body = json.loads(text)
    fields = {f.name for f in dataclasses.fields(type(demo_snapshot().training_jobs[0]))}
    assert set(body["training_jobs"]["fields"]) == fields
    assert len(text) < len(_objects_layout(text))


def test_earlier_layout_still_reads():
    snap = demo_snapshot()
    assert snapshot_from_json(_objects_layout(snapshot_to_json(snap))) == snap


def test_fields_of_a_later_jstui_are_ignored():
    snap = demo_snapshot()
    body = json.loads(snapshot_to_json(snap))
    table = body["training_jobs"]
    table["fields"] = ["from_the_future", *table["fields"]]
    table["rows"] = [["x", *values] for values in table["rows"]]
    assert snapshot_from_json(json.dumps(body)) == snap


def test_a_short_row_is_damage_named_with_the_journal(tmp_path):
    snap = demo_snapshot()
    body = json.loads(snapshot_to_json(snap))
    body["training_jobs"]["rows"][0].pop()
    journal = Journal.open(tmp_path / "home")
    try:
        journal.save_snapshot(snap.study, json.dumps(body))
        with pytest.raises(JournalError, match="journal is damaged"):
            SnapshotStore(journal, snap.study).load_saved()
    finally:
        journal.close()


def test_the_journal_keeps_it_compressed_and_reads_both():
    snap = demo_snapshot()
    blob = snapshot_to_blob(snap)
    assert isinstance(blob, bytes) and len(blob) < len(snapshot_to_json(snap).encode())
    assert zlib.decompress(blob).decode() == snapshot_to_json(snap)  # the same text, compressed
    assert snapshot_from_json(blob) == snap


def test_a_saved_snapshot_round_trips_through_the_store(tmp_path):
    snap = demo_snapshot()
    journal = Journal.open(tmp_path / "home")
    try:
        store = SnapshotStore(journal, snap.study)
        store.publish(snap)  # the first snapshot is saved at once
        assert isinstance(journal.snapshot_body(snap.study), bytes)
        loaded = SnapshotStore(journal, snap.study).load_saved()
        assert loaded is not None and dataclasses.replace(loaded, connection=snap.connection) == snap
    finally:
        journal.close()


def test_a_damaged_compressed_snapshot_is_damage_named_with_the_journal(tmp_path):
    snap = demo_snapshot()
    journal = Journal.open(tmp_path / "home")
    try:
        journal.save_snapshot(snap.study, snapshot_to_blob(snap)[:-40])  # cut short
        with pytest.raises(JournalError, match="journal is damaged"):
            SnapshotStore(journal, snap.study).load_saved()
    finally:
        journal.close()
