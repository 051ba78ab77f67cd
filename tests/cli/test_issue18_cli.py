"""Issue 18's command-line items: usage errors before any network call (17), an ambiguous
substring names how many it left out (6)."""

from __future__ import annotations

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
