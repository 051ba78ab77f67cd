"""The study-file reference (docs/study-file.md) is the schema's: every key is documented, the generated
section is what the doc holds, and the example study in it validates."""

from __future__ import annotations

import re
from pathlib import Path

from jstui.study import load_study
from jstui.study import schema as S
from jstui.domain.metrics import PRESETS
from jstui.study.reference import DOC, doc_section, reference_markdown

STUDY_DOC = Path(__file__).resolve().parent.parent.parent / DOC


def test_every_schema_key_appears_in_the_reference():
    section = doc_section(STUDY_DOC)
    missing = []
    for table in S.ALL_TABLES:
        if f"`[{table.name}]`" not in section and f"`[[{table.name}]]`" not in section:
            missing.append(f"[{table.name}]")
        for f in table.fields or ([table.free] if table.free else []):
            if not re.search(rf"^\| `{re.escape(f.key)}` \| {re.escape(f.type)} \|", section, re.M):
                missing.append(f"{table.name}.{f.key}")
    for preset in PRESETS:
        if f"`{preset}`" not in section:
            missing.append(f"preset {preset}")
    assert missing == []


def test_the_reference_is_the_generated_one():
    assert doc_section(STUDY_DOC) == reference_markdown(), "run: python -m jstui.study.reference --write"


def test_the_reference_example_study_validates(tmp_path: Path):
    example = re.search(r"```toml\n(.*?)```", doc_section(STUDY_DOC), re.S)
    assert example
    f = tmp_path / "example.toml"
    f.write_text(example.group(1), encoding="utf-8")
    study = load_study(f)
    assert [c.name for c in study.candidates][1:] == ["effv2-b0-fixed", "resnet-50"]
    assert study.warnings == ()


def test_the_contract_example_in_the_doc_is_the_tested_one():
    """docs/study-file.md shows the contract's example; tests/study/contract/design_example.toml is the copy
    the contract tests load (its catalog path is relative to its own folder)."""
    doc = STUDY_DOC.read_text(encoding="utf-8")
    shown = re.search(r"## The contract's example\n.*?```toml\n(.*?)```", doc, re.S)
    assert shown
    tested = (Path(__file__).resolve().parent / "contract" / "design_example.toml").read_text(encoding="utf-8")
    tested = tested.split("\n", 1)[1].replace("../../../sample_studies/catalogs/", "catalogs/")
    assert shown.group(1) == tested
