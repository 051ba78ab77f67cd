"""Headless commands: textual never imported, data on stdout and messages on stderr, exit codes."""

from __future__ import annotations

import csv
import io
import json
import socket
import subprocess
import sys
from pathlib import Path

from jstui.cli.main import main
from tests.engine.conftest import write_study

ROOT = Path(__file__).resolve().parents[2]


def _refusing_port() -> socket.socket:
    """A port bound and never listened on: connections are refused, and no other process can take it
    while the socket is open (a probed-then-closed port could be)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    return s


def test_headless_commands_never_import_textual(tmp_path, emulator):
    path = write_study(tmp_path, models=2)
    home = tmp_path / "home"
    code = (
        "import json, sys\n"
        "from jstui.cli.main import main\n"
        "g = ['--home', sys.argv[1], '--endpoint-url', sys.argv[2]]\n"
        "codes = [main(g + ['launch', sys.argv[3], '--yes']), main(g + ['status', sys.argv[3], '--json']),\n"
        "         main(g + ['--export', 'csv', '--what', 'training-jobs', sys.argv[3]]), main(g + ['studies']),\n"
        "         main(g + ['stop', sys.argv[3]])]\n"
        "print(json.dumps({'codes': codes, 'textual': sorted(m for m in sys.modules if m.split('.')[0] == 'textual')}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(home), emulator.url, str(path)], capture_output=True,
                         text=True, cwd=ROOT, timeout=120)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"codes": [0, 0, 0, 0, 0], "textual": []}, out.stderr[-2000:]


def test_status_json_and_export_streams(tmp_path, emulator, capsys):
    path = write_study(tmp_path, models=2)
    g = ["--home", str(tmp_path / "home"), "--endpoint-url", emulator.url]
    assert main(g + ["launch", str(path), "--yes"]) == 0
    capsys.readouterr()
    assert main(g + ["status", str(path), "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert list(status) == ["study", "backend", "counts", "spend_usd", "spend_is_estimate", "projected_usd",
                            "budget_usd", "budget_policy", "endpoints"]
    assert status["study"] == "t1" and sum(status["counts"].values()) == 2 and status["budget_usd"] == 150.0
    assert main(g + ["--export", "csv", str(path), "--what", "tuning-jobs"]) == 0
    out, err = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["candidate"] for r in rows] == [c for c in ("swin-large-patch4-window12-384", "swin-large-patch4-window7-224")]
    assert err == ""
    # --offline writes the journal's last snapshot without the service: the emulator may be gone.
    emulator.stop()
    assert main(g[:2] + ["--export", "json", "--offline", str(path)]) == 0
    assert [r["candidate"] for r in json.loads(capsys.readouterr().out)] == [r["candidate"] for r in rows]


def test_unreachable_service_is_exit_3_and_no_data(tmp_path, capsys):
    path = write_study(tmp_path, models=1)
    with _refusing_port() as sock:
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        assert main(["--home", str(tmp_path / "h"), "--endpoint-url", url, "--export", "csv", str(path)]) == 3
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1 and url in err


def test_corrupt_journal_is_exit_7(tmp_path, capsys):
    home = tmp_path / "home"
    home.mkdir()
    (home / "journal.sqlite").write_bytes(b"garbage" * 1000)
    assert main(["--home", str(home), "studies"]) == 7
    assert "journal" in capsys.readouterr().err


def test_unknown_study_is_exit_2(tmp_path, capsys):
    assert main(["--home", str(tmp_path), "status", "no-such-study"]) == 2
    assert "no-such-study" in capsys.readouterr().err


def test_export_frontier_and_picked(tmp_path, emulator, capsys):
    path = write_study(tmp_path, models=3, skip=15)
    g = ["--home", str(tmp_path / "home"), "--endpoint-url", emulator.url]
    assert main(g + ["launch", str(path), "--yes", "--wait"]) == 0
    capsys.readouterr()
    assert main(g + ["--export", "csv", "--what", "frontier", str(path)]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows and rows[0]["rank"] == "1" and {"test_accuracy", "test_throughput", "cost_usd"} <= set(rows[0])
    assert main(g + ["--export", "json", "--what", "picked", "--model", "v1-075-160", str(path)]) == 0
    picked = json.loads(capsys.readouterr().out)
    assert len(picked) == 1 and picked[0]["candidate"] == "mobilenet-v1-075-160" and picked[0]["hp.learning_rate"]
    assert main(g + ["--export", "csv", "--what", "picked", str(path)]) == 2  # --model is required


def test_launch_without_wait_leaves_a_queue_that_status_watch_launches(tmp_path, emulator, capsys):
    path = write_study(tmp_path, models=3, skip=15, parallel_tuning_jobs=1)
    g = ["--home", str(tmp_path / "home"), "--endpoint-url", emulator.url]
    emulator.pause()  # the first tuning job cannot end (and free its slot) before launch returns
    assert main(g + ["launch", str(path), "--yes"]) == 0
    assert "2 candidate(s) stay queued" in capsys.readouterr().err
    emulator.resume()
    assert main(g + ["status", str(path), "--watch", "--json"]) == 0
    out, objects, i = capsys.readouterr().out, [], 0
    decoder = json.JSONDecoder()
    while i < len(out.rstrip()):  # one object per change, printed one after the other
        obj, i = decoder.raw_decode(out, i)
        objects.append(obj)
        i += len(out[i:]) - len(out[i:].lstrip())
    assert len(objects) >= 2 and objects[-1]["counts"] == {"Completed": 3}


def test_jumpstart_lookups_are_cached_in_the_journal_and_run_in_a_child_process(tmp_path, monkeypatch):
    import sys

    from jstui.engine.models import ModelResolver
    from jstui.engine.session import EngineSession, load

    study = load(write_study(tmp_path, models=2))
    real, batches = ModelResolver._run_worker, []
    monkeypatch.setattr(ModelResolver, "_run_worker", lambda self, items: batches.append(items) or real(self, items))
    for _ in range(2):  # two processes' worth of sessions on one home
        with EngineSession(study, tmp_path / "home") as s:
            s.models.prefetch(study.candidates)
            model = s.models.jumpstart(study.candidates[0])
    assert [len(b) for b in batches] == [2]  # one child process for both models, once per home
    assert model.model_id == study.candidates[0].model_id and model.training_image
    # sagemaker-core never enters the session's process: checked in a fresh one (in this one, an earlier
    # test of the suite may have imported it)
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from jstui.engine.session import EngineSession, load\n"
        "study = load(Path(sys.argv[1]))\n"
        "with EngineSession(study, Path(sys.argv[2])) as s:\n"
        "    s.models.prefetch(study.candidates)\n"
        "    assert s.models.jumpstart(study.candidates[1]).training_image\n"
        "print(sorted(m for m in sys.modules if m.startswith('sagemaker')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(study.path), str(tmp_path / "home2")],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]"
