"""A tuning job that the service ends at the runtime cap jstui derives from the budget
(ResourceLimits.MaxRuntimeInSeconds) ends the run with the budget's exit code, 6, not 0
(issue 16, "Money" 7; the exit-code table in core/domain/exitcodes.py)."""

from __future__ import annotations

import json

from jstui.cli.main import main
from jstui.domain.exitcodes import ExitCode

from tests.engine.conftest import sagemaker_client, tuning_job_names, write_study


def test_a_tuning_job_ended_by_the_budget_runtime_cap_exits_6(tmp_path, emulator, capsys):
    # policy warn: jstui's guard never stops anything, so only the service-side cap can end the job
    # early (swin-large: 5 epochs x 2278.6 s, far beyond a $1 cap at 2 x 3.825 $/h ~ 470 s)
    path = write_study(tmp_path, models=1, budget='[budget]\nusd = 1\npolicy = "warn"')
    g = ["--home", str(tmp_path / "home"), "--endpoint-url", emulator.url]
    code = main(g + ["launch", str(path), "--yes", "--wait"])
    err = capsys.readouterr().err
    (name,) = tuning_job_names(emulator.url)
    described = sagemaker_client(emulator.url).describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
    cap = described["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxRuntimeInSeconds"]
    ran = (described["HyperParameterTuningEndTime"] - described["CreationTime"]).total_seconds()
    assert ran >= cap  # the premise: the service ended it at the cap
    assert code == ExitCode.BUDGET, err
    assert "ended at the budget's runtime cap" in err
    assert main(g + ["status", str(path), "--json"]) == ExitCode.BUDGET
    assert json.loads(capsys.readouterr().out)["counts"]


def test_a_tuning_job_that_finishes_within_its_cap_exits_0(tmp_path, emulator, capsys):
    path = write_study(tmp_path, models=1, skip=15, budget='[budget]\nusd = 150\npolicy = "warn"')
    g = ["--home", str(tmp_path / "home"), "--endpoint-url", emulator.url]
    assert main(g + ["launch", str(path), "--yes", "--wait"]) == ExitCode.OK, capsys.readouterr().err
