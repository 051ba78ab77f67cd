"""Fixtures shared by this area's emulator tests."""

from __future__ import annotations

import pytest
from jstui.cli.main import main

from tests.frontier.emulated import write_fast_study


@pytest.fixture(scope="session")
def finished(tmp_path_factory):
    """A fast two-model study run to the end once (headless `launch --yes --wait`): (study path, home)."""
    root = tmp_path_factory.mktemp("frontier-study")
    study_path = write_fast_study(root)
    home = root / "home"
    assert main(["--home", str(home), "launch", str(study_path), "--yes", "--wait"]) == 0
    return study_path, home
