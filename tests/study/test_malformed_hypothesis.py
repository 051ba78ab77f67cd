"""Generated malformed study files (issue 10): whatever the bytes, `jstui launch FILE` answers with
one-line problems naming the file and exit 2 (or a valid plan and exit 0), never a traceback."""

from __future__ import annotations

import contextlib
import io
import logging
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jstui.cli.main import main
from jstui.study import schema as S

BASE = (Path(__file__).resolve().parent / "valid" / "base.toml").read_text(encoding="utf-8")
KEYS = sorted({f.key for t in S.ALL_TABLES for f in t.fields} | {t.name.split(".")[0] for t in S.ALL_TABLES})

toml_values = st.one_of(
    st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True).map(lambda f: repr(f).lower()),
    st.text(max_size=12).map(lambda s: '"' + s.replace("\\", "").replace('"', "") + '"'),
    st.sampled_from(["true", "false", "[]", "[1, \"a\"]", "{}", "{ a = 1 }", "1979-05-27", "'x'", '"""x"""']),
)


@st.composite
def mutated_studies(draw) -> str:
    lines = BASE.splitlines()
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["delete", "insert_kv", "retype", "garble", "header", "dup"]))
        i = draw(st.integers(0, len(lines) - 1))
        if kind == "delete":
            del lines[i]
        elif kind == "insert_kv":
            lines.insert(i, f"{draw(st.sampled_from(KEYS))} = {draw(toml_values)}")
        elif kind == "retype" and "=" in lines[i]:
            lines[i] = lines[i].split("=", 1)[0] + "= " + str(draw(toml_values))
        elif kind == "garble":
            lines[i] = draw(st.text(max_size=30))
        elif kind == "header":
            name = draw(st.sampled_from(KEYS))
            lines.insert(i, f"[[{name}]]" if draw(st.booleans()) else f"[{name}]")
        elif kind == "dup":
            lines.insert(i, lines[i])
        if not lines:
            lines = [""]
    return "\n".join(lines)


def _launch(text: str) -> tuple[int, str, str]:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "study.toml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["--home", str(Path(d) / "home"), "launch", str(path)])
        for handler in logging.getLogger().handlers:  # the CLI's debug log lives in this temporary home
            handler.close()
        return code, err.getvalue(), str(path)


def _assert_clean(text: str) -> None:
    code, err, path = _launch(text)
    assert "Traceback" not in err and "internal error" not in err, err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    if code == 0:
        return
    assert code == 2, err
    assert lines
    for ln in lines:
        assert ln.startswith(path + ":"), ln  # FILE:LINE: ... or FILE: ...


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_studies())
def test_mutated_study_files_give_one_line_errors(text: str):
    _assert_clean(text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_arbitrary_text_gives_one_line_errors(text: str):
    _assert_clean(text)
