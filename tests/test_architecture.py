"""The layering rules of DESIGN ("Shape"): core never imports textual; tui never calls boto3."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import core

ROOT = Path(__file__).resolve().parent.parent


def _core_modules() -> list[str]:
    names = ["core"]
    for info in pkgutil.walk_packages(core.__path__, prefix="core."):
        names.append(info.name)
    return names


def test_core_never_imports_textual():
    mods = _core_modules()
    assert len(mods) > 5, "walk found the core package"
    code = (
        "import importlib, sys\n"
        f"for m in {mods!r}:\n"
        "    importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"core imported textual: {out.stdout.strip()[:200]}"


def _imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_tui_never_imports_boto():
    files = sorted((ROOT / "tui").rglob("*.py"))
    assert files
    offenders = {str(p.relative_to(ROOT)): sorted(_imports_of(p) & {"boto3", "botocore"}) for p in files}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_version_and_usage_errors_are_one_line():
    jstui = [sys.executable, "-m", "core.cli"]
    v = subprocess.run([*jstui, "--version"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert v.returncode == 0 and v.stdout.strip() == f"jstui {core.__version__}"
    bad = subprocess.run([*jstui, "--no-such-flag"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert bad.returncode == 2
    lines = [ln for ln in bad.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "--no-such-flag" in lines[0] and "Traceback" not in bad.stderr
