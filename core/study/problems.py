"""Collects a study file's problems so they can all be reported at once, one line each:
`FILE:LINE: field: what is wrong (suggestion)`."""

from __future__ import annotations

import difflib
import re

from jstui.study.locate import LineIndex, Path

_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def field_label(path: Path) -> str:
    """("models", 2, "tuning", "max_jobs") -> "models[3].tuning.max_jobs" (entries count from 1, as
    a reader counts `[[models]]` blocks); keys that need quotes in TOML keep them."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
            continue
        key = part if isinstance(part, str) and _PLAIN_KEY.match(part) else f'"{part}"'  # keys are strings
        out += ("." if out else "") + key
    return out or "(file)"


def suggest(word: str, candidates, prefix: str = "did you mean") -> str:
    """` (did you mean 'x'?)` for the closest candidate, or "" when nothing is close."""
    cands = [str(c) for c in candidates]
    # A truncated word ("val_acc") is best completed, not matched to a same-length neighbour ("val_auc").
    completions = sorted((c for c in cands if len(word) >= 3 and c.lower().startswith(word.lower()) and c != word),
                         key=len)
    match = completions[:1] or difflib.get_close_matches(word, cands, n=1, cutoff=0.6)
    if not match:
        lowered = {c.lower(): c for c in cands}
        if word.lower() in lowered:
            match = [lowered[word.lower()]]
        else:
            starts = [c for c in cands if word and c.lower().startswith(word.lower())]
            match = starts[:1]
    return f" ({prefix} '{match[0]}'?)" if match else ""


class Problems:
    def __init__(self, file_label: str, index: LineIndex | None = None):
        self.file = file_label
        self.index = index
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def _where(self, path: Path, fallback: Path | None) -> str:
        line = None
        if self.index:
            line = self.index.line(path) or (self.index.line(fallback) if fallback else None)
        return f"{self.file}:{line}" if line else self.file

    def error(self, path: Path, message: str, *, fallback: Path | None = None) -> None:
        """`fallback`: where to point when `path` is not written in the file (e.g. a missing table)."""
        line = f"{self._where(path, fallback)}: {field_label(path)}: {message}"
        if line not in self.errors:
            self.errors.append(" ".join(line.split("\n")))

    def warning(self, path: Path, message: str, *, fallback: Path | None = None) -> None:
        line = f"{self._where(path, fallback)}: {field_label(path)}: warning: {message}"
        if line not in self.warnings:
            self.warnings.append(" ".join(line.split("\n")))

    def __bool__(self) -> bool:
        return bool(self.errors)
