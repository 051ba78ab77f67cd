"""Issue 18's last clause: at 80x24 no text that carries meaning is cut. What a tmux pass over the
four sample studies found cut, one pilot test each (docs/tui.md, "Checked at 80x24 and 200x50")."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from datetime import timedelta

from rich.segment import Segment
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import DataTable, Input
from textual.widgets._footer import FooterKey

from jstui.domain.snapshot import EndpointRow
from jstui.tui.app import JstuiApp
from jstui.tui.deploy import DeployModal
from jstui.tui.endpoints import EndpointsScreen
from jstui.tui.frontier import FrontierScreen
from jstui.tui.screens.confirm import ConfirmModal
from jstui.tui.screens.tuning_job import TuningJobScreen
from jstui.tui.widgets.eta_line import EtaLine
from jstui.tui.widgets.more_columns import MoreColumns
from jstui.tui.widgets.spend_bar import SpendBar

from tests.frontier import fake_session as frontier_fake
from tests.frontier.apps import ScreenHost
from tests.tui.fake_session import T0, FakeSession, make_snapshot
from tests.tui.helpers import make_app, settle

SIZE = (80, 24)
LONG = "swin-large-patch4-window12-384"  # caltech256's longest running candidate


def drawn(widget: Widget) -> list[str]:
    """The lines the widget draws, as on the terminal."""
    strips = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return [Segment.get_line_length(list(s)) and "".join(seg.text for seg in s) or "" for s in strips]


def footer_fits(app: JstuiApp) -> list[str]:
    """The footer keys that reach past the terminal's right edge (a cut `d D`)."""
    width = app.size.width
    return [f"{k.key} {k.description}" for k in app.screen.query(FooterKey) if k.region.right > width]


def long_named() -> FakeSession:
    """effv2-m (running) renamed to the longest running candidate of caltech256."""
    snap = make_snapshot()
    rows = tuple(dataclasses.replace(r, candidate=LONG) if r.candidate == "effv2-m" else r for r in snap.tuning_jobs)
    jobs = tuple(dataclasses.replace(t, candidate=LONG) if t.candidate == "effv2-m" else t for t in snap.training_jobs)
    planned = tuple(dataclasses.replace(p, candidate=LONG) if p.candidate == "effv2-m" else p for p in snap.planned)
    return FakeSession(dataclasses.replace(snap, tuning_jobs=rows, training_jobs=jobs, planned=planned))


async def test_the_eta_line_says_the_candidates_end_in_full_at_80_columns():
    app = make_app(long_named())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j")  # the running candidate with the long name
        line = app.screen.query_one(EtaLine)
        line.show_eta()
        await pilot.pause()
        text = " ".join(" ".join(drawn(line)).split())  # wrapped onto a second line when it must be
        assert "…" not in text
        # in fewer words; the name gives way to "selected" (the row under the cursor) before the time would
        assert ("selected" in text or LONG in text) and "past expected end" in text and "Ends ~" in text


async def test_the_tuning_job_table_says_which_columns_are_out_of_view():
    snap = make_snapshot()
    many = {"learning_rate": "0.001", "batch_size": "32", "momentum": "0.9", "weight_decay": "0.0001",
            "label_smoothing": "0.1"}
    jobs = tuple(dataclasses.replace(t, hyperparameters=many) for t in snap.training_jobs)
    app = make_app(FakeSession(dataclasses.replace(snap, training_jobs=jobs)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "enter")  # effv2-m: no failed job
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TuningJobScreen)
        table = screen.query_one("#training-jobs", DataTable)
        assert "reason" not in [c.key.value for c in table.ordered_columns]  # no FailureReason: no column of dashes
        cue = screen.query_one(MoreColumns)
        assert cue.display and "more columns →" in str(cue.render()) and "weight_decay" in str(cue.render())
        assert table.max_scroll_x > 0
        for _ in range(100):  # the table scrolls sideways; star and job stay
            if table.scroll_x >= table.max_scroll_x:
                break
            await pilot.press("right")
            await pilot.wait_for_scheduled_animations()
        assert table.scroll_x == table.max_scroll_x
        assert "← scrolled past" in str(cue.render()) and "weight_decay" not in str(cue.render())
        assert "Job" not in str(cue.render())  # fixed: still in view
        assert not footer_fits(app)
        await pilot.press("l")  # the log full size: no table, no cue
        await pilot.pause()
        await pilot.pause()
        assert not cue.display


async def test_a_failed_candidates_jobs_keep_their_failure_reason_column():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "j", "enter")  # effv2-m-fixed-lr: its job failed
        await settle(pilot)
        table = app.screen.query_one("#training-jobs", DataTable)
        assert "reason" in [c.key.value for c in table.ordered_columns]


async def test_footers_fit_80_columns_on_every_screen_and_under_a_question():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not footer_fits(app)
        await pilot.press("j", "enter")
        await settle(pilot)
        assert isinstance(app.screen, TuningJobScreen)
        assert not footer_fits(app), footer_fits(app)
        assert "e Endpoints" not in [f"{k.key} {k.description}" for k in app.screen.query(FooterKey)]
        await pilot.press("e")  # still bound
        await settle(pilot)
        assert isinstance(app.screen, EndpointsScreen)
        assert not footer_fits(app), footer_fits(app)
        await pilot.press("escape", "c")
        await settle(pilot)
        assert not footer_fits(app), footer_fits(app)
    app = ScreenHost(FrontierScreen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("d")  # the deploy question over the frontier: the frontier's footer stays as it was
        await settle(pilot)
        assert isinstance(app.screen, DeployModal)
        frontier = app.screen_stack[-2]
        assert not [k for k in frontier.query(FooterKey) if k.region.right > SIZE[0]]


async def test_the_deploy_dialog_shows_the_endpoint_name_from_its_start():
    session = frontier_fake.FakeSession()
    name = "caltech256-efficientnet-v2-imagenet21k-ft1k-b0"  # as wide as the box at 80 columns
    defaults = session.deploy_defaults("efficientnet-b5")
    session.deploy_defaults = lambda candidate: dataclasses.replace(defaults, endpoint_name=name)  # type: ignore[method-assign]  # a longer name than the fake's
    app = ScreenHost(lambda s: DeployModal(s, "efficientnet-b5"), session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        box = app.screen.query_one("#deploy-name", Input)
        assert box.value == name
        assert box.scroll_x == 0
        await pilot.press("tab", "tab")  # into the name (it scrolls to its end while typed in) and out
        await pilot.press("end", "tab")
        await pilot.pause()
        assert not box.has_focus and box.scroll_x == 0


async def test_endpoints_keep_their_cost_in_view_and_name_the_columns_out_of_view():
    name = "caltech256-efficientnet-v2-imagenet21k-ft1k-b0"
    row = EndpointRow(name=name, status="InService", candidate="efficientnet-b5", training_job_name="t-001-aaaa",
                      instance_type="ml.m5.xlarge", instance_count=1, usd_per_hour=0.23, accrued_usd=0.12,
                      created_at=frontier_fake.T0 + timedelta(minutes=30))
    session = frontier_fake.FakeSession()
    session._snapshot = dataclasses.replace(session._snapshot, endpoints=(row,))
    app = ScreenHost(EndpointsScreen, session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        line = next(text for text in drawn(table) if name in text)
        assert "$0.12" in line  # accrued: in view
        cue = str(app.screen.query_one(MoreColumns).render())
        assert "more columns →" in cue and "Model" in cue and "Instances" in cue


async def test_the_frontier_names_the_columns_the_width_left_out():
    app = ScreenHost(FrontierScreen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FrontierScreen)
        shown = [str(c.label) for c in screen.query_one(DataTable).ordered_columns]
        summary = str(screen.query_one("#frontier-summary").render())
        assert "Top-5" not in shown and "hidden for the width: " in summary
        hidden = summary.split("hidden for the width: ")[1].split(", ")
        assert "Top-5" in hidden and not set(hidden) & set(shown)  # only what the table left out


async def test_the_spend_bar_is_current_when_the_study_screen_comes_back():
    session = FakeSession()
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "$42.50" not in str(app.screen_stack[-2].query_one(SpendBar).render())
        session.next_snapshots = [dataclasses.replace(make_snapshot(), spend_usd=42.5,
                                                      taken_at=T0 + timedelta(minutes=1))]
        await pilot.press("r")  # a refresh lands while the tuning-job screen is on top
        await settle(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert "$42.50" in str(app.screen.query_one(SpendBar).render())


async def test_a_stop_question_at_80_columns_is_read_whole():
    app = make_app(long_named())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "x")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        body = " ".join(" ".join(drawn(w)) for w in app.screen.query("#confirm-body Static"))
        assert "…" not in body and "Spent so far" in body


def test_the_sample_image_is_read_from_the_installed_package_not_the_current_directory(tmp_path):
    # the deploy dialog's smoke test failed with "No module named 'sample_studies'" outside a checkout
    code = "from jstui.aws.smoke_test import sample_image; print(len(sample_image()))"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) > 0


async def test_the_study_screen_names_the_columns_the_width_hid_and_only_those():
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        line = str(app.screen.query_one("#table-status").render())
        assert "hidden" not in line  # one objective: its column is left out by design, named in this line
        assert "objective val_accuracy" in line
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        line = " ".join(" ".join(drawn(app.screen.query_one("#table-status"))).split())
        shown = [str(c.label) for c in app.screen.query_one(DataTable).ordered_columns]
        named = line.split("columns hidden: ")[1].split(" · ")[0]
        assert "Test acc" in named and "+3" in named and not any(label in named for label in shown)


async def test_a_wide_footer_keeps_every_key():
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        await pilot.press("j", "enter")
        await settle(pilot)
        assert "e Endpoints" in [f"{k.key} {k.description}" for k in app.screen.query(FooterKey)]


async def test_the_study_status_line_is_read_whole_at_80_columns():
    # plant-leaf-15's first minute: none launched, one objective, hidden columns, a long event
    app = make_app(FakeSession(launched=False))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("escape")  # not now: the launch question
        await settle(pilot)
        app.last_event = ("tensorflow-ic-tf2-preview-mobilenet-v2-classification-4: launched "
                          "plant-leaf-15-tensorflow-ic-tf2-3f9a1c")
        screen = app.screen
        screen._show_table_status(len(screen.visible_candidates()))
        await pilot.pause()
        status = screen.query_one("#table-status")
        whole = " ".join(str(status.render()).split())
        assert " ".join(" ".join(drawn(status)).split()) == whole
        assert whole.endswith("plant-leaf-15-tensorflow-ic-tf2-3f9a1c")


async def test_metrics_no_candidate_reports_leave_their_room_to_what_the_study_does_report():
    # neu-det: object detectors report mAP, never a test accuracy; at 80 columns Test acc was a column of
    # dashes while the job counts were hidden
    snap = make_snapshot()
    rows = tuple(dataclasses.replace(r, best_metrics={"validation:mAP": 0.21} if r.best_metrics else {})
                 for r in snap.tuning_jobs)
    app = make_app(FakeSession(dataclasses.replace(snap, tuning_jobs=rows)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        keys = [c.key.value for c in app.screen.query_one(DataTable).ordered_columns]
        assert "test_acc" not in keys and "throughput" not in keys
        assert "jobs" in keys and "spend" in keys and "best" in keys
        assert "Test acc" not in str(app.screen.query_one("#table-status").render())  # not "hidden": not there


def test_compare_shows_tuned_values_as_the_tuning_job_screen_does():
    from jstui.tui.screens.compare import compare_rows

    rows = [dataclasses.replace(r, best_hyperparameters={"learning_rate": "0.003187665937"})
            for r in make_snapshot().tuning_jobs[:2]]
    assert dict(compare_rows(rows))["hp learning_rate"] == ["0.003188", "0.003188"]


async def test_the_launch_question_shows_its_buttons_at_80x24():
    # L with three long names in its title: the buttons were below the dialog's edge
    app = make_app(long_named_unlaunched())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("escape")  # not now
        await settle(pilot)
        await pilot.press("L")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        dialog = app.screen.query_one("#confirm-dialog").region
        for button in app.screen.query("Button"):
            assert button.region.height == 3 and dialog.contains_region(button.region), button.id


def long_named_unlaunched() -> FakeSession:
    session = long_named()
    session.launched = False
    names = ("swin-large-patch4-window7-224", "efficientnet-v2-imagenet21k-ft1k-l", "efficientnet-v2-imagenet21k-m")
    rename = dict(zip(["mobilenet-v2-100-224", "effv2-m-fixed-lr", "resnet-50"], names))
    snap = session.snapshot()
    planned = tuple(dataclasses.replace(p, candidate=rename.get(p.candidate, p.candidate)) for p in snap.planned)
    session._snapshot = dataclasses.replace(snap, tuning_jobs=(), training_jobs=(), planned=planned)
    return session


async def test_the_retry_question_says_what_a_retry_may_cost_and_is_read_whole():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "j", "R")  # effv2-m-fixed-lr: Failed
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        body = " ".join(" ".join(" ".join(drawn(w)) for w in app.screen.query("#confirm-body Static")).split())
        assert "may cost up to $7.65 (expected ~$3.10), on top of the $0.32 spent so far" in body
        assert "…" not in body
