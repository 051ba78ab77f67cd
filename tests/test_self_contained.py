"""The repository is self-contained: no test, bench script, CI step or package module names a path
outside the clone (a user's clone has nothing beside it). tests/conftest.py also refuses, at run time,
any file opened or listed beside the clone; this test proves that guard is armed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("core", "tui", "sample_studies", "tests", "bench", "scripts", ".ci")
# The guards themselves (this test, the audit hook, the CI step that checks the clone has nothing beside
# it) name the place they guard.
EXEMPT = {Path("tests/conftest.py"), Path("tests/test_self_contained.py"), Path(".ci/run")}
SUFFIXES = {".py", ".sh", ".toml", ".cfg", ".ini", ".csv", ".json", ".md", ".txt", ""}
# Spelled in pieces so this file does not match itself.
OUTSIDE = re.compile("|".join((
    re.escape("..") + r"[/\\]" + "shared",  # the folder beside the clone
    "shared" + r"[/\\]" + "seeds",  # its seed documents
    r"/" + "work" + r"/",  # an absolute path of one machine
    r"parents\[\d+\]\.parent\b",  # climbing above the clone from a file inside it
    r"\.parent\s*/\s*[\"']" + "shared",
)))


def _files():
    for top in SCANNED:
        base = ROOT / top
        if not base.exists():
            continue
        for path in sorted(base.rglob("*")):
            if (path.is_file() and path.suffix in SUFFIXES and "__pycache__" not in path.parts
                    and path.relative_to(ROOT) not in EXEMPT):
                yield path


def test_no_file_names_a_path_outside_the_clone():
    hits = []
    for path in _files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for n, line in enumerate(text.splitlines(), start=1):
            if OUTSIDE.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:120]}")
    assert not hits, "paths outside the clone:\n" + "\n".join(hits)


def test_the_scan_would_catch_one():
    for line in ('SEEDS = Path(__file__).resolve().parents[2].parent / "shared"', "open('../" "shared/x')",
                 '"/' 'work/' 'shared' '/seeds"'):
        assert OUTSIDE.search(line), line


def test_opening_a_file_beside_the_clone_is_refused_while_testing():
    beside = ROOT.parent / "shared" / "seeds" / "000_anything.txt"
    with pytest.raises(RuntimeError, match="outside the clone"):
        open(beside, encoding="utf-8")
