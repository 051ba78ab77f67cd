"""Per-candidate channels and content types in the study file (issue 15, item 3): the forms it accepts,
the built-in containers' channel rules checked before launch, one line per mistake in FILE:LINE style."""

from __future__ import annotations

from pathlib import Path

import pytest

from jstui.domain.errors import StudyFileError
from jstui.study import load_study

HERE = Path(__file__).resolve().parent
BUILTIN = (HERE / "valid" / "builtin.toml").read_text(encoding="utf-8")
RECORDIO = '{ uri = "s3://bkt/rec/%s/", content_type = "application/x-recordio" }'


def _load(tmp_path: Path, text: str):
    f = tmp_path / "s.toml"
    f.write_text(text, encoding="utf-8")
    return load_study(f)


def _errors(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(StudyFileError) as e:
        _load(tmp_path, text)
    return e.value.lines if hasattr(e.value, "lines") else str(e.value).splitlines()


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_emulator_placeholder_data_gives_a_builtin_the_channels_it_reads(tmp_path):
    s = _load(tmp_path, BUILTIN)
    assert [(c.name, c.content_type) for c in s.channels_of(s.candidates[0])] == [
        ("train", "application/x-recordio"), ("validation", "application/x-recordio")]


def test_table_channels_with_content_types(tmp_path):
    text = BUILTIN.replace("[resources]", f"[data]\ntrain = {RECORDIO % 'train'}\n"
                                          f"validation = {RECORDIO % 'validation'}\n\n[resources]")
    s = _load(tmp_path, text)
    assert s.data == {"train": "s3://bkt/rec/train/", "validation": "s3://bkt/rec/validation/"}
    assert s.content_types == {"train": "application/x-recordio", "validation": "application/x-recordio"}


@pytest.mark.parametrize("data,needle,message", [
    ('training = "s3://bkt/t/"', "training =", "'train' is a required property"),
    (f'train = {RECORDIO % "train"}\nvalidation = {RECORDIO % "v"}\nextra = "s3://bkt/x/"', "extra =",
     "'extra' was unexpected"),
    ('train = "s3://bkt/t/"\nvalidation = "s3://bkt/v/"', "train =", "None is not one of"),
])
def test_builtin_with_channels_its_container_rejects(tmp_path, data, needle, message):
    text = BUILTIN.replace("[resources]", f"[data]\n{data}\n\n[resources]")
    errors = _errors(tmp_path, text)
    assert len(errors) == 1, errors
    assert f":{_line_of(text, '[data]')}: data: " in errors[0] and message in errors[0]
    assert "content_type" in errors[0]  # says what to write


@pytest.mark.parametrize("value,field,message", [
    ('{ uri = "s3://bkt/t/", content_type = "recordio" }', "data.train.content_type", "is not a MIME type"),
    ('{ content_type = "application/x-recordio" }', "data.train.uri", "is required"),
    ('{ uri = "s3://bkt/t/", content_typ = "application/x-recordio" }', "data.train.content_typ", "unknown key"),
    ("42", "data.train", "expected an S3 URI string or a table"),
])
def test_channel_table_mistakes_are_one_line_each(tmp_path, value, field, message):
    text = BUILTIN.replace("[resources]", f"[data]\ntrain = {value}\nvalidation = {RECORDIO % 'v'}\n\n[resources]")
    errors = _errors(tmp_path, text)
    assert len(errors) == 1, errors
    assert f":{_line_of(text, 'train = ')}: {field}: " in errors[0] and message in errors[0]


def test_candidate_data_replaces_the_study_data(tmp_path):
    text = BUILTIN.replace("[resources]", '[data]\ntraining = "s3://bkt/js/"\n\n[resources]').replace(
        "num_training_samples = 15420 }",
        "num_training_samples = 15420 }\n" f"data = {{ train = {RECORDIO % 'train'}, validation = {RECORDIO % 'v'} }}")
    s = _load(tmp_path, text)
    c = s.candidates[0]
    assert [c2.name for c2 in s.channels_of(c)] == ["train", "validation"]
    assert s.data == {"training": "s3://bkt/js/"}  # the study's own stays for other candidates


def test_recipe_names_channels_only_when_the_candidate_has_its_own(tmp_path):
    """A recipe queued before candidates had channels must not read as changed (launch_changes)."""
    import json

    from jstui.domain.tuning_request import recipe_json

    text = BUILTIN.replace("[resources]", '[data]\ntraining = "s3://bkt/js/"\n\n[resources]').replace(
        "num_training_samples = 15420 }",
        "num_training_samples = 15420 }\n" f"data = {{ train = {RECORDIO % 'train'}, validation = {RECORDIO % 'v'} }}")
    own = _load(tmp_path, text).candidates[0]
    assert [c["name"] for c in json.loads(recipe_json(own))["channels"]] == ["train", "validation"]
    shared = _load(tmp_path, BUILTIN.replace("num_layers = 50", "num_layers = 18"))
    # the emulator placeholder gives the built-in its own channels; a JumpStart-style study would not
    assert "channels" in json.loads(recipe_json(shared.candidates[0]))
    js = _load(tmp_path, (HERE / "valid" / "base.toml").read_text(encoding="utf-8")).candidates[0]
    assert "channels" not in json.loads(recipe_json(js))
