"""Line numbers for keys: tomllib gives none, so the study loader scans the text (core.study.locate)."""

from __future__ import annotations

import tomllib

from jstui.study.locate import LineIndex, split_key

TEXT = '''# comment
[study]
name = "x"   # trailing comment

[tuning]
objective = "val_accuracy"
ranges.learning_rate.type = "categorical"
values = [
  "max_jobs = 3",
  "[not.a.header]",
]
max_jobs = 2

[tuning.ranges.momentum]
type = "continuous"

[prices]
"ml.p3.2xlarge" = 3.825

[[models]]
id = "a"

[[models]]
id = "b"
tuning = { max_jobs = 1, ranges = { lr = { type = "categorical" } } }

[models.resources]
instance_count = 2
'''


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_the_sample_text_is_valid_toml():
    tomllib.loads(TEXT)


def test_keys_headers_and_arrays_of_tables():
    idx = LineIndex(TEXT)
    assert idx.line(("study",)) == _line_of(TEXT, "[study]")
    assert idx.line(("study", "name")) == _line_of(TEXT, 'name = "x"')
    assert idx.line(("tuning", "max_jobs")) == _line_of(TEXT, "max_jobs = 2")  # not the string in the array
    assert idx.line(("tuning", "ranges", "learning_rate", "type")) == _line_of(TEXT, "ranges.learning_rate.type")
    assert idx.line(("tuning", "ranges", "momentum", "type")) == _line_of(TEXT, 'type = "continuous"')
    assert idx.line(("prices", "ml.p3.2xlarge")) == _line_of(TEXT, '"ml.p3.2xlarge"')
    assert idx.line(("models", 0, "id")) == _line_of(TEXT, 'id = "a"')
    assert idx.line(("models", 1, "id")) == _line_of(TEXT, 'id = "b"')
    assert idx.line(("models", 1, "resources", "instance_count")) == _line_of(TEXT, "instance_count = 2")


def test_inline_tables_fall_back_to_their_key():
    idx = LineIndex(TEXT)
    inline = _line_of(TEXT, "tuning = {")
    assert idx.line(("models", 1, "tuning", "ranges", "lr", "type")) == inline
    second_entry = [n for n, line in enumerate(TEXT.splitlines(), start=1) if line == "[[models]]"][1]
    assert idx.line(("models", 1, "name")) == second_entry  # not written: the entry's header
    assert idx.line(("nowhere",)) is None


def test_split_key_handles_quotes_and_spaces():
    assert split_key('a . "b.c" . d') == ("a", "b.c", "d")
    assert split_key("'x y'.z") == ("x y", "z")
