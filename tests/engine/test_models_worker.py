"""sagemaker-core (~150 MB resident) never enters the session's process: JumpStart lookups and built-in
algorithm images are resolved in a child process (jstui.engine.jumpstart_worker) and cached in the journal."""

from __future__ import annotations

import subprocess
import sys

from jstui.sample_studies import DEFAULT_STUDY, ROOT as SAMPLES

# Launch a sample study in a fresh process (in the suite's, an earlier test may have imported the SDK),
# then deploy-side image lookup of a built-in algorithm, and list what of the SDK got imported.
CODE = """
import sys
from pathlib import Path
from jstui.engine.session import EngineSession, load
study = load(Path(sys.argv[1]))
with EngineSession(study, Path(sys.argv[2]), endpoint_url=sys.argv[3]) as s:
    s.launch()  # what the TUI's launch runs: queue, then a cycle that launches what the queue allows
    assert any(r.tuning_job_name for r in s.snapshot().tuning_jobs), s.snapshot().events
    assert s.models.builtin_image("image-classification").endswith("image-classification:1"), "image"
print(sorted(m for m in sys.modules if m.split(".")[0] in ("sagemaker", "sagemaker_core")))
"""


def _launch_in_fresh_process(study, home, url) -> str:
    out = subprocess.run([sys.executable, "-c", CODE, str(study), str(home), url], capture_output=True, text=True,
                         timeout=300)  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.strip()


def test_launching_the_default_sample_study_never_imports_sagemaker_core(tmp_path, emulator):
    assert _launch_in_fresh_process(DEFAULT_STUDY, tmp_path / "home", emulator.url) == "[]"


def test_builtin_algorithm_images_are_looked_up_in_the_worker_and_cached(tmp_path, emulator, monkeypatch):
    assert _launch_in_fresh_process(SAMPLES / "builtin-image-classification.toml", tmp_path / "home", emulator.url) == "[]"
    # the image is now in the journal: a second session answers without a child process
    from jstui.engine.models import ModelResolver
    from jstui.engine.session import EngineSession, load

    monkeypatch.setattr(ModelResolver, "_run_worker", lambda self, items: (_ for _ in ()).throw(AssertionError(items)))
    study = load(SAMPLES / "builtin-image-classification.toml")
    with EngineSession(study, tmp_path / "home", endpoint_url=emulator.url) as s:
        image = s.models.builtin_image("image-classification")
    from jstui.aws.jumpstart import builtin_image  # the SDK's own answer, in this process

    assert image == builtin_image("image-classification", study.region)


def test_an_unknown_algorithm_is_one_clear_usage_error(tmp_path):
    import pytest

    from jstui.domain.errors import UsageError
    from jstui.engine.session import EngineSession, load

    study = load(SAMPLES / "builtin-image-classification.toml")
    with EngineSession(study, tmp_path / "home") as s, pytest.raises(UsageError, match="no-such-algorithm"):
        s.models.builtin_image("no-such-algorithm")
