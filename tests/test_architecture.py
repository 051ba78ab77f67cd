"""The layering rules (docs/architecture.md): only the TUI imports textual; the TUI never calls boto3."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import jstui

ROOT = Path(__file__).resolve().parent.parent


def _engine_modules() -> list[str]:
    """Every module of jstui but the TUI's (and the `python -m jstui` entry, which runs the CLI)."""
    names = ["jstui"]
    for info in pkgutil.walk_packages(jstui.__path__, prefix="jstui."):
        if not info.name.startswith("jstui.tui") and info.name != "jstui.__main__":
            names.append(info.name)
    return names


def test_core_never_imports_textual():
    mods = _engine_modules()
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
    cmd = [sys.executable, "-m", "jstui"]
    v = subprocess.run([*cmd, "--version"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert v.returncode == 0 and v.stdout.strip() == f"jstui {jstui.__version__}"
    bad = subprocess.run([*cmd, "--no-such-flag"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert bad.returncode == 2
    lines = [ln for ln in bad.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "--no-such-flag" in lines[0] and "Traceback" not in bad.stderr


def test_every_package_folder_is_installed():
    """pyproject lists the packages by hand (the folders are renamed into `jstui`): a folder with an
    `__init__.py` that the list leaves out would be missing from a wheel, unseen in an editable install."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = set()
    for top, name in (("core", "jstui"), ("tui", "jstui.tui"), ("sample_studies", "jstui.sample_studies")):
        for init in (ROOT / top).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / top).parts
            found.add(".".join((name, *rel)))
    assert found == listed


def test_layer_contracts_hold():
    """import-linter's contracts in pyproject.toml (it sees imports inside functions too)."""
    exe = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(exe), "--no-cache"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "0 broken" in out.stdout
