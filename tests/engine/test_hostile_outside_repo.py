"""Re-check of issue 16 from the installed CLI, outside the repository: `jstui deploy --yes` created its
endpoint, saw it InService, then exited 1 with "ModuleNotFoundError: No module named 'sample_studies'"
(the smoke test's image was looked up under the package's old top-level name, which resolves only when
the working directory is the repository's root, as the test suite's is). Run from elsewhere here."""

from __future__ import annotations

import subprocess
import sys


def test_the_smoke_test_image_loads_from_any_working_directory(tmp_path):
    code = "from jstui.aws.smoke_test import sample_image; img = sample_image(); print(len(img), img[:2].hex())"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    size, magic = out.stdout.split()
    assert int(size) > 0 and magic == "ffd8"  # a JPEG's start-of-image marker
