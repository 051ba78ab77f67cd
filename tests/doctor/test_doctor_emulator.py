"""`jstui doctor` on the emulator backend, through the command line and the embedded emulator over
real HTTP: the checks the emulator can answer run (SageMaker and Logs answer, JumpStart metadata from
the study's snapshot, prices, channels distinct), the rest say they do not apply (never a faked ✓)."""

from __future__ import annotations

import json

from jstui.cli.main import main
from jstui.domain.exitcodes import ExitCode
from tests.engine.conftest import write_study

NOT_APPLICABLE = ("identity", "execution role", "pass role", "permissions", "execution role's access",
                  "data channels", "output prefix", "quotas")


def test_doctor_on_the_emulator_runs_what_applies_and_says_what_does_not(tmp_path, capsys):
    path = write_study(tmp_path, models=3)
    code = main(["--home", str(tmp_path / "home"), "doctor", str(path)])
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert code == ExitCode.OK, out
    assert lines[0] == "jstui doctor t1 · emulator us-east-1"
    for name in NOT_APPLICABLE:
        assert any(line.startswith(f"– {name}: does not apply to the emulator backend") for line in lines), name
    for name in ("region", "SageMaker API", "CloudWatch Logs", "JumpStart metadata", "price ml.p3.2xlarge (training)"):
        assert any(line.startswith(f"✓ {name}: ") for line in lines), name
    assert "✓ JumpStart metadata: 3 of 3 models found in the study's offline snapshot" in lines
    assert lines[-1] == "6 ✓, 0 ✗, 0 ?, 8 – not applicable"  # the five above and the hosting price


def test_overlapping_channels_fail_on_the_emulator_too_and_exit_8(tmp_path, capsys):
    path = write_study(tmp_path, models=1)
    text = path.read_text(encoding="utf-8").replace(
        'training = "s3://example-bucket/caltech256/train/"',
        'training = "s3://example-bucket/caltech256/train/"\nvalidation = "s3://example-bucket/caltech256/train/"', 1)
    path.write_text(text, encoding="utf-8")
    code = main(["--home", str(tmp_path / "home"), "doctor", "--json", str(path)])
    doc = json.loads(capsys.readouterr().out)
    assert code == ExitCode.PREFLIGHT
    failed = [c for c in doc["checks"] if c["result"] == "fail"]
    assert [c["check"] for c in failed] == ["distinct channels"]
    assert "training and validation are the same prefix" in failed[0]["detail"] and failed[0]["fix"]


def test_an_unknown_price_fails_with_its_fix(tmp_path, capsys):
    path = write_study(tmp_path, models=1)
    text = path.read_text(encoding="utf-8").replace('instance_type = "ml.p3.2xlarge"', 'instance_type = "ml.g6e.48xlarge"', 1)
    path.write_text(text, encoding="utf-8")
    code = main(["--home", str(tmp_path / "home"), "doctor", str(path)])
    captured = capsys.readouterr()
    line = next(l for l in captured.out.splitlines() if l.startswith("✗ price ml.g6e.48xlarge (training)"))
    assert "fix: add \"ml.g6e.48xlarge\" = USD_PER_HOUR under [prices]" in line
    assert code == ExitCode.PREFLIGHT and f"exit {int(ExitCode.PREFLIGHT)}" in captured.err
