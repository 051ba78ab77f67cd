"""A small, fast copy of the Caltech-256 sample study for tests on the embedded emulator."""

from __future__ import annotations

import re
from pathlib import Path

from jstui import sample_studies

FAST_MODELS = (
    ("tensorflow-ic-imagenet-mobilenet-v2-100-160", "mobilenet-v2-100-160"),
    ("tensorflow-ic-imagenet-mobilenet-v1-025-128-classification-4", "mobilenet-v1-025-128"),
)


def write_fast_study(directory: Path, name: str = "frtest", speed: int = 20000) -> Path:
    """The shipped study's recipe with two small models, a high emulator speed and absolute paths."""
    src = sample_studies.DEFAULT_STUDY.read_text(encoding="utf-8")
    head = src[: src.index("[[models]]")]
    head = re.sub(r'(?m)^name = "caltech256"', f'name = "{name}"', head)
    head = re.sub(r"(?m)^speed = .*$", f"speed = {speed}", head)
    head = head.replace('"catalogs/', f'"{sample_studies.ROOT}/catalogs/')
    head = re.sub(r'(?m)^jumpstart_metadata = "jumpstart"', f'jumpstart_metadata = "{sample_studies.ROOT}/jumpstart"', head)
    models = "".join(f'\n[[models]]\nid = "{mid}"\nname = "{cand}"\n' for mid, cand in FAST_MODELS)
    path = directory / f"{name}.toml"
    path.write_text(head + models, encoding="utf-8")
    return path
