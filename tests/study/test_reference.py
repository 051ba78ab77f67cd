"""README's study-file reference is the schema's: every key is documented, the generated section is
what README holds, and the example study in it validates."""

from __future__ import annotations

import re
from pathlib import Path

from jstui.study import load_study
from jstui.study import schema as S
from jstui.domain.metrics import PRESETS
from jstui.study.reference import readme_section, reference_markdown

README = Path(__file__).resolve().parent.parent.parent / "README.md"


def test_every_schema_key_appears_in_readme_section():
    section = readme_section(README)
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


def test_readme_section_is_the_generated_reference():
    assert readme_section(README) == reference_markdown(), "run: python -m jstui.study.reference --write"


def test_readme_example_study_validates(tmp_path: Path):
    example = re.search(r"```toml\n(.*?)```", readme_section(README), re.S)
    assert example
    f = tmp_path / "example.toml"
    f.write_text(example.group(1), encoding="utf-8")
    study = load_study(f)
    assert [c.name for c in study.candidates][1:] == ["effv2-b0-fixed", "resnet-50"]
    assert study.warnings == ()
