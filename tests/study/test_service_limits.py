"""SageMaker's length and count limits and JumpStart version specs are checked when the study is
read (exit 2 at plan time), not left for the service to refuse at launch (exit 4) — issue 16,
"Misleading" 11. Limits: botocore's sagemaker service model (see core/study/validate.py)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from jstui.cli.main import main
from jstui.domain.errors import StudyFileError
from jstui.study import load_study

from tests.engine.conftest import write_study


def _with(tmp_path: Path, old: str, new: str) -> Path:
    path = write_study(tmp_path, models=1)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(StudyFileError) as info:
        load_study(path)
    return info.value.problems


def test_more_than_30_tuned_hyperparameters(tmp_path):
    ranges = "".join(f'[tuning.ranges.hp{i}]\ntype = "continuous"\nmin = 0.1\nmax = 0.9\n\n' for i in range(31))
    problems = _problems(_with(tmp_path, "[metrics]", ranges + "[metrics]"))
    assert any("tunes 32 hyperparameters; SageMaker searches at most 30" in p for p in problems), problems


def test_a_categorical_value_over_256_characters(tmp_path):
    long = "a" * 257
    path = _with(tmp_path, "[metrics]", f'[tuning.ranges.extra]\ntype = "categorical"\nvalues = ["x", "{long}"]\n\n[metrics]')
    assert any("a categorical value is 257 characters; SageMaker allows 256" in p for p in _problems(path))


@pytest.mark.parametrize("version, expect", [
    ("9.9.9", "no version of the model matches '9.9.9'"),
    ("abc!", "'abc!' is not a version"),
])
def test_a_bad_version_is_named_as_a_version_problem_at_plan_time(tmp_path, capsys, version, expect):
    path = write_study(tmp_path, models=1)
    text = path.read_text(encoding="utf-8")
    head, _, tail = text.partition("[[models]]\n")
    path.write_text(f'{head}[[models]]\nversion = "{version}"\n{tail}', encoding="utf-8")
    assert main(["--home", str(tmp_path / "home"), "launch", str(path)]) == 2
    for handler in logging.getLogger().handlers:
        handler.close()
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and ".version: " in err[0] and expect in err[0], err
    assert "unknown JumpStart model id" not in err[0]
