"""Settings that last (issue 19 item 8): a TOML file in the platform's config directory; keymap by
binding id, theme (the palette's choice saved back), poll intervals; a bad file is one line and exit 2."""

from __future__ import annotations

import pytest

from jstui.cli.main import main
from jstui.domain.settings import SettingsError, TuiSettings, check_names, parse, with_theme
from jstui.sample_studies import DEFAULT_STUDY
from jstui.tui.screens.compare import CompareScreen
from jstui.tui.settings import apply, binding_ids

from tests.tui.helpers import make_app, settle

GOOD = """# mine
theme = "nord"
refresh_interval_s = 5
log_interval_s = 2

[keymap]
"study.compare" = "ctrl+k"
"""


def test_a_good_file_reads_whole():
    s = parse(GOOD, "tui.toml")
    assert s == TuiSettings(theme="nord", refresh_interval_s=5.0, log_interval_s=2.0, keymap={"study.compare": "ctrl+k"})


@pytest.mark.parametrize("text, key", [
    ("theme = [", "not valid TOML"),
    ("colour = 'x'", "colour: unknown setting"),
    ("refresh_interval_s = 0.1", "refresh_interval_s: must be a number of seconds, at least 0.5"),
    ("log_interval_s = 'fast'", "log_interval_s: must be"),
    ("keymap = 3", "keymap: must be a table"),
    ("[keymap]\n'app.stop' = 'ctrl x y'", "keymap.app.stop: must be key names"),
])
def test_each_mistake_is_one_line_naming_file_and_key(text, key):
    with pytest.raises(SettingsError) as err:
        parse(text, "/home/u/.config/jstui/tui.toml")
    line = str(err.value)
    assert "\n" not in line and line.startswith("/home/u/.config/jstui/tui.toml: ") and key in line


def test_names_only_the_screen_knows_are_checked():
    ids = set(binding_ids())
    assert {"app.stop", "study.filter", "tuning.curves", "curves.metric_next", "study.compare"} <= ids
    with pytest.raises(SettingsError, match=r"keymap.stop: no key has this id \(did you mean app.stop"):
        check_names(TuiSettings(keymap={"stop": "ctrl+x"}), "f", ids, {"nord"})
    with pytest.raises(SettingsError, match="theme: no theme named 'nope'"):
        check_names(TuiSettings(theme="nope"), "f", ids, {"nord"})


def test_the_theme_line_is_replaced_in_place_and_comments_kept():
    assert with_theme(GOOD, "dracula").splitlines()[:2] == ["# mine", 'theme = "dracula"']
    added = with_theme("# only\n[keymap]\n'app.quit' = 'Q'\n", "nord")
    assert added.splitlines() == ["# only", 'theme = "nord"', "[keymap]", "'app.quit' = 'Q'"]
    assert parse(added, "f").keymap == {"app.quit": "Q"}


async def test_a_rebound_key_works_and_the_palettes_theme_is_saved(tmp_path):
    path = tmp_path / "tui.toml"
    path.write_text(GOOD, encoding="utf-8")
    app = make_app()
    apply(app, parse(GOOD, str(path)), path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.theme == "nord"
        await pilot.press("space", "space", "ctrl+k")  # two marked, then the rebound compare key
        await settle(pilot)
        assert isinstance(pilot.app.screen, CompareScreen)
        app.theme = "dracula"  # what the palette's "Change theme" does
        await settle(pilot)
    text = path.read_text(encoding="utf-8")
    assert parse(text, str(path)).theme == "dracula" and text.startswith("# mine\n")


def test_a_bad_file_stops_the_cli_with_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("JSTUI_CONFIG_DIR", str(tmp_path))
    (tmp_path / "tui.toml").write_text("refresh_interval_s = -1\n", encoding="utf-8")
    code = main(["--home", str(tmp_path / "home"), str(DEFAULT_STUDY)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and f"{tmp_path / 'tui.toml'}: refresh_interval_s:" in err[0]


def test_the_docs_list_every_binding_id():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "tui-settings.md").read_text(encoding="utf-8")
    missing = [b for b in binding_ids() if f"| `{b}` |" not in doc]
    assert missing == [], "docs/tui-settings.md: add these binding ids"
