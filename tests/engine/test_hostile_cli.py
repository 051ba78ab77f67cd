"""Re-check of issue 16's user errors from the command line (done-when 5): inputs the first fix still
answered wrongly, each now one line and a documented exit code, with nothing created or written."""

from __future__ import annotations

from jstui.cli.main import main
from jstui.domain.exitcodes import ExitCode

from tests.engine.conftest import sagemaker_client, write_study


def test_an_empty_candidate_never_picks_the_only_one(tmp_path, emulator, capsys):
    # `jstui deploy STUDY "$MODEL" --yes` with MODEL unset: "" is a substring of every name, so a
    # study of one candidate deployed it (a billable endpoint); stop already refused "" (issue 16, 6)
    path = write_study(tmp_path, models=1, skip=15)
    g = ["--home", str(tmp_path / "home"), "--endpoint-url", emulator.url]
    assert main(g + ["launch", str(path), "--yes", "--wait"]) == ExitCode.OK
    capsys.readouterr()
    for blank in ("", "  "):
        assert main(g + ["deploy", str(path), blank, "--yes", "--no-wait"]) == ExitCode.USAGE
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "empty" in err[0], err
    sm = sagemaker_client(emulator.url)
    assert sm.list_endpoints()["Endpoints"] == [] and sm.list_models()["Models"] == []
