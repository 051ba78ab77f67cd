"""Issue 18's command-line items: usage errors before any network call (17), an ambiguous
substring names how many it left out (6)."""

from __future__ import annotations

import re
import socket

from jstui.cli.main import main
from jstui.sample_studies import DEFAULT_STUDY
from tests.engine.conftest import write_study


def test_export_picked_without_model_is_a_usage_error_before_any_request(tmp_path, capsys):
    # a listening socket that nobody accepts on: a connection attempt would be queued in its backlog
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        server.setblocking(False)
        url = f"http://127.0.0.1:{server.getsockname()[1]}"
        code = main(["--home", str(tmp_path / "home"), "--endpoint-url", url,
                     "--export", "csv", "--what", "picked", str(DEFAULT_STUDY)])
        try:
            server.accept()
            connected = True
        except BlockingIOError:
            connected = False
    err = capsys.readouterr().err
    assert code == 2
    assert "--what picked needs --model" in err
    assert not connected, "the usage error must come before any network call"


def test_stop_with_an_ambiguous_substring_says_how_many_it_left_out(tmp_path, emulator, capsys):
    path = write_study(tmp_path, models=40)  # the whole shipped study
    names = [line.split('"')[1] for line in path.read_text().splitlines() if line.startswith("name = ") ][1:]
    mobilenets = [n for n in names if "mobilenet" in n]
    assert len(mobilenets) > 5
    code = main(["--home", str(tmp_path / "home"), "--endpoint-url", emulator.url, "stop", str(path), "mobilenet", "--yes"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"matches {len(mobilenets)} candidates" in err
    assert f"and {len(mobilenets) - 5} more" in err


def test_status_on_the_emulator_says_time_and_money_are_simulated_and_estimates_read_tilde_dollar(
        tmp_path, emulator, capsys):
    path = write_study(tmp_path, models=2)
    g = ["--home", str(tmp_path / "home"), "--endpoint-url", emulator.url]
    assert main(g + ["launch", str(path), "--yes"]) == 0
    capsys.readouterr()
    assert main(g + ["status", str(path)]) == 0
    out = capsys.readouterr().out
    assert "simulated" in out  # the date is the emulator's clock, the money its billing
    assert "times and money simulated (emulator)" in out
    assert "~$" in out and not re.search(r"\$[\d,.]+~", out)  # `~$3.13`, never `$3.13~`
    assert main(g + ["status", str(path), "--json"]) == 0
    status = __import__("json").loads(capsys.readouterr().out)
    assert "simulated" not in str(status)  # the export contract keeps its keys and values
