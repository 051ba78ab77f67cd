"""Suite-wide guards.

- Nothing a test runs may read beside the clone (a user's clone has no shared folder beside it): an audit hook
  refuses to open or list anything under the clone's parent folder `shared/`, wherever the clone is.
- No test touches the user's jstui home: JSTUI_HOME points at a temporary folder for the whole run
  (tests that want their own home pass --home or set it themselves).
- Property tests (hypothesis) draw the same examples on every run (`derandomize`): a run that fails
  fails again, and CI never fails on a draw nobody can reproduce. Their database is off for the same
  reason (a failure found once would be replayed only on the machine that found it)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("jstui", derandomize=True, database=None)
settings.load_profile("jstui")

ROOT = Path(__file__).resolve().parents[1]
_BESIDE = str(ROOT.parent / "shared")


def _refuse_beside_the_clone(event: str, args: tuple) -> None:
    if event not in ("open", "os.scandir", "os.listdir"):
        return
    target = args[0] if args else None
    if isinstance(target, (str, os.PathLike)):
        path = os.path.abspath(os.fspath(target))
        if path == _BESIDE or path.startswith(_BESIDE + os.sep):
            raise RuntimeError(f"a test opened {path}: outside the clone (copy the data into the repository)")


sys.addaudithook(_refuse_beside_the_clone)


@pytest.fixture(autouse=True, scope="session")
def _private_jstui_home(tmp_path_factory):
    old = os.environ.get("JSTUI_HOME")
    os.environ["JSTUI_HOME"] = str(tmp_path_factory.mktemp("jstui-home"))
    yield
    if old is None:
        os.environ.pop("JSTUI_HOME", None)
    else:
        os.environ["JSTUI_HOME"] = old
