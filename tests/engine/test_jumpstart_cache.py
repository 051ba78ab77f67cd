"""Cached JumpStart lookups are keyed by instance type and by a fingerprint of the metadata they came
from: another instance type, a rebuilt offline snapshot or another SDK release looks up again."""

from __future__ import annotations

import shutil

from jstui import sample_studies
from jstui.aws import jumpstart
from jstui.engine.journal import Journal
from jstui.engine.session import EngineSession, load

from tests.frontier.emulated import write_fast_study

BODY = {"training_image": "img:1"}


def test_the_cache_is_keyed_by_instance_type_and_metadata_source(tmp_path):
    j = Journal.open(tmp_path)
    j.save_jumpstart("m", "*", "us-east-1", "ml.p3.2xlarge", "offline aaa", BODY)
    assert j.jumpstart("m", "*", "us-east-1", "ml.p3.2xlarge", "offline aaa") == BODY
    assert j.jumpstart("m", "*", "us-east-1", "ml.m5.xlarge", "offline aaa") is None  # CPU and GPU images differ
    assert j.jumpstart("m", "*", "us-east-1", "ml.p3.2xlarge", "offline bbb") is None  # the metadata changed
    # a newer answer replaces the stale one instead of piling up beside it
    j.save_jumpstart("m", "*", "us-east-1", "ml.p3.2xlarge", "offline bbb", {"training_image": "img:2"})
    assert j.jumpstart("m", "*", "us-east-1", "ml.p3.2xlarge", "offline aaa") is None
    assert j.jumpstart("m", "*", "us-east-1", "ml.p3.2xlarge", "offline bbb") == {"training_image": "img:2"}
    # live answers age out (a new model version may appear under the same SDK)
    assert j.jumpstart("m", "*", "us-east-1", "ml.p3.2xlarge", "offline bbb", max_age_s=-1) is None
    j.close()


def test_the_fingerprint_follows_the_snapshot_contents(tmp_path):
    snap = tmp_path / "jumpstart"
    shutil.copytree(sample_studies.ROOT / "jumpstart", snap)
    before = jumpstart.metadata_fingerprint(snap)
    assert before == jumpstart.metadata_fingerprint(snap)  # stable
    assert before != jumpstart.metadata_fingerprint(None)  # live metadata is another source
    spec = next(p for p in sorted((snap / "specs").rglob("*.json")))
    spec.write_text(spec.read_text(encoding="utf-8").replace("}", ' }', 1), encoding="utf-8")
    assert jumpstart.metadata_fingerprint(snap) != before


def test_a_session_looks_up_again_when_the_metadata_changed(tmp_path, monkeypatch):
    """Two sessions on one home: the second reuses the first's answers until the snapshot changes."""
    snap = tmp_path / "jumpstart"
    shutil.copytree(sample_studies.ROOT / "jumpstart", snap)
    study_path = write_fast_study(tmp_path)
    text = study_path.read_text(encoding="utf-8")
    text = text.replace(f'jumpstart_metadata = "{sample_studies.ROOT}/jumpstart"', f'jumpstart_metadata = "{snap}"')
    study_path.write_text(text, encoding="utf-8")
    study = load(study_path)
    assert study.emulator.jumpstart_metadata == snap
    from jstui.engine.models import ModelResolver

    calls = []
    real = ModelResolver._run_worker  # lookups run in a child process; count what is sent to it

    def counting(self, items):
        calls.extend(i["model_id"] for i in items)
        return real(self, items)

    monkeypatch.setattr(ModelResolver, "_run_worker", counting)
    home = tmp_path / "home"
    cand = study.candidates[0]

    def resolve() -> None:
        s = EngineSession(study, home)
        try:
            s.models.jumpstart(cand)
        finally:
            s.close()

    resolve()
    resolve()
    assert calls == [cand.model_id]  # the second session read the cache
    manifest = snap / "manifest" / jumpstart.MANIFEST_FILE
    manifest.write_text(manifest.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # a rebuilt snapshot
    resolve()
    assert calls == [cand.model_id, cand.model_id]
