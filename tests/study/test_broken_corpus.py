"""The corpus of broken study files (tests/study/broken/): each is the valid study of
valid/base.toml or valid/builtin.toml with one real mistake users make. Each must fail `jstui launch
FILE` with exit 2 and exactly one stderr line `FILE:LINE: field: ...` carrying the expected message,
on the line marked `# <-- mistake` when the mistake is on a line of its own; never a traceback."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest

from jstui.cli.main import main
from jstui.domain.errors import StudyFileError
from jstui.study import load_study

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BROKEN = sorted((HERE / "broken").glob("*.toml"))


def _expectation(path: Path) -> tuple[str, int | None]:
    text = path.read_text(encoding="utf-8")
    expect = re.search(r"^# expect: (.*)$", text, re.M)
    assert expect, f"{path.name} lacks its '# expect:' header"
    marked = [n for n, line in enumerate(text.splitlines(), start=1) if "<-- mistake" in line]
    return expect.group(1), (marked[0] if marked else None)


def test_corpus_is_large_and_each_mistake_distinct():
    assert len(BROKEN) >= 25
    mistakes = [re.search(r"^# mistake: (.*)$", p.read_text(), re.M).group(1) for p in BROKEN]
    assert len(set(mistakes)) == len(mistakes)
    expects = [_expectation(p)[0] for p in BROKEN]
    assert len(set(expects)) >= 25


@pytest.mark.parametrize("valid", sorted((HERE / "valid").glob("*.toml")), ids=lambda p: p.name)
def test_the_corpus_bases_are_valid(valid: Path):
    study = load_study(valid)
    assert study.candidates and study.warnings == ()


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_broken_file_fails_launch_with_one_line(path: Path, tmp_path: Path, capsys):
    expect, line = _expectation(path)
    code = main(["--home", str(tmp_path / "home"), "launch", str(path)])
    for handler in logging.getLogger().handlers:  # the CLI's debug log lives in this temporary home
        handler.close()
    out, err = capsys.readouterr()
    assert code == 2, err
    assert out == ""
    lines = err.strip().splitlines()
    assert "Traceback" not in err
    assert len(lines) == 1, lines
    assert expect in lines[0], lines[0]
    where = f"{path}:{line}:" if line else f"{path}:"
    assert lines[0].startswith(where), lines[0]


def test_real_binary_never_shows_a_traceback(tmp_path: Path):
    """The installed entry point, in its own process, on a few of the corpus files."""
    for path in BROKEN[:: max(1, len(BROKEN) // 4)]:
        proc = subprocess.run([sys.executable, "-m", "jstui", "--home", str(tmp_path), "launch", str(path)],
                              capture_output=True, text=True, cwd=ROOT, timeout=60)
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stderr
        assert all(ln.startswith(str(path)) for ln in proc.stderr.strip().splitlines()), proc.stderr


def test_all_problems_are_reported_at_once(tmp_path: Path):
    base = (HERE / "valid" / "base.toml").read_text(encoding="utf-8")
    text = (base.replace("max_jobs = 2", "max_jobs = 0")
                .replace('region = "us-east-1"', 'region = "mars-1"')
                .replace('instance_type = "ml.m5.xlarge"', 'instance_type = "m5.xlarge"')
                .replace("[metrics]", "[metrics]\nregexp = 1"))
    f = tmp_path / "many.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(StudyFileError) as exc:
        load_study(f)
    problems = exc.value.problems
    fields = [p.split(": ")[1] for p in problems]
    assert fields == ["study.region", "resources.instance_type", "tuning.max_jobs", "metrics.regexp"]
    lines = text.splitlines()
    for p in problems:
        n = int(p.split(":")[1])
        key = p.split(": ")[1].rsplit(".", 1)[-1]
        assert lines[n - 1].startswith(key), (p, lines[n - 1])


def test_missing_file_and_directory_are_one_line_errors(tmp_path: Path):
    with pytest.raises(StudyFileError) as exc:
        load_study(tmp_path / "nope.toml")
    assert exc.value.problems == [f"{tmp_path / 'nope.toml'}: no such study file"]
    with pytest.raises(StudyFileError) as exc:
        load_study(tmp_path)
    assert "is a directory" in exc.value.problems[0]
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(b'[study]\nname = "caf\xe9"\n')
    with pytest.raises(StudyFileError) as exc:
        load_study(bad)
    assert exc.value.problems[0].startswith(f"{bad}:2:") and "UTF-8" in exc.value.problems[0]
