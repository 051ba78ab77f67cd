"""Line numbers for keys of a TOML document.

tomllib returns plain dicts without positions, so problems found after parsing would have no line.
This scans the text once and records where each table header and key is written. It is not a TOML
parser: keys inside inline tables and odd layouts fall back to the line of the nearest enclosing
key or header, which is good enough to point a user at the right place."""

from __future__ import annotations

import re

Path = tuple[object, ...]  # e.g. ("models", 2, "tuning", "max_jobs")  (array index 0-based)

_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"|\'[^\']*\''
_KEY = rf"(?:{_BARE}|{_QUOTED})"
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_ARRAY_HEADER = re.compile(rf"^\s*\[\[\s*({_DOTTED})\s*\]\]")
_HEADER = re.compile(rf"^\s*\[\s*({_DOTTED})\s*\]")
_KEYVAL = re.compile(rf"^\s*({_DOTTED})\s*=")


def split_key(dotted: str) -> tuple[str, ...]:
    parts = re.findall(rf"\s*({_KEY})\s*(?:\.|$)", dotted)
    out = []
    for p in parts:
        if p[:1] in "\"'":
            p = p[1:-1]
        out.append(p)
    return tuple(out)


def _bracket_delta(line: str) -> int:
    """Net open brackets/braces outside strings and comments (for multi-line arrays)."""
    depth, quote, i = 0, "", 0
    while i < len(line):
        ch = line[i]
        if quote:
            if ch == "\\" and quote == '"':
                i += 2
                continue
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            break
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        i += 1
    return depth


class LineIndex:
    def __init__(self, text: str):
        self._lines: dict[Path, int] = {}
        counts: dict[tuple[str, ...], int] = {}  # array-of-tables name -> entries so far
        current: Path = ()
        depth = 0
        in_multiline_string = False
        for n, line in enumerate(text.splitlines(), start=1):
            if in_multiline_string:
                if '"""' in line or "'''" in line:
                    in_multiline_string = False
                continue
            if depth > 0:  # inside a multi-line array or inline table
                depth += _bracket_delta(line)
                continue
            m = _ARRAY_HEADER.match(line)
            if m:
                name = split_key(m.group(1))
                counts[name] = counts.get(name, 0) + 1
                current = self._with_indexes(name, counts)
                self._lines.setdefault(current, n)
                self._lines.setdefault(current[:-1], n)
                continue
            m = _HEADER.match(line)
            if m:
                current = self._with_indexes(split_key(m.group(1)), counts)
                self._lines.setdefault(current, n)
                continue
            m = _KEYVAL.match(line)
            if m:
                self._lines.setdefault(current + split_key(m.group(1)), n)
                rest = line[m.end():]
                if rest.count('"""') == 1 or rest.count("'''") == 1:
                    in_multiline_string = True
                else:
                    depth = max(0, _bracket_delta(rest))

    @staticmethod
    def _with_indexes(name: tuple[str, ...], counts: dict[tuple[str, ...], int]) -> Path:
        """Insert the current array-of-tables index after each prefix that is such an array:
        `[models.tuning]` after the third `[[models]]` is ("models", 2, "tuning")."""
        out: list[object] = []
        for i in range(len(name)):
            out.append(name[i])
            prefix = name[: i + 1]
            if prefix in counts:
                out.append(counts[prefix] - 1)
        return tuple(out)

    def line(self, path: Path) -> int | None:
        """The line of `path`, or of its nearest recorded ancestor; None if nothing matches."""
        p = tuple(path)
        while p:
            if p in self._lines:
                return self._lines[p]
            p = p[:-1]
        return None
