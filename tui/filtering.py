"""The `/` filter: a model-name filter that is a case-insensitive regex when the text is a valid
regex, else a plain substring (so `resnet(` still filters instead of erroring)."""

from __future__ import annotations

import re
from collections.abc import Callable


def name_matcher(text: str) -> Callable[[str], bool]:
    text = text.strip()
    if not text:
        return lambda name: True
    try:
        pattern = re.compile(text, re.IGNORECASE)
    except re.error:
        needle = text.lower()
        return lambda name: needle in name.lower()
    return lambda name: pattern.search(name) is not None
