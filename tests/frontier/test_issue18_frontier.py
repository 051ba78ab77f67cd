"""Issue 18 on the frontier and endpoints screens: their header (item 14), cells that grow are not
cut (14), columns nobody has values for are left out (10), the export names what it leaves out
(10), parameters read the same everywhere (19), and the pictures are of the real app (20)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from textual.widgets import DataTable

from jstui.cli.export import _frontier_frame
from jstui.domain.model import Budget
from jstui.tui import format as fmt
from jstui.tui.app import JstuiApp
from jstui.tui.endpoints import EndpointsScreen
from jstui.tui.frontier import FrontierScreen, format_value
from jstui.tui.widgets.study_header import StudyHeader

from tests.frontier.apps import ScreenHost
from tests.frontier.fake_session import DEMO_COSTS, DEMO_MODELS, FakeSession, demo_endpoints, demo_study
from tests.frontier.fixtures import snapshot_of


async def test_item14_frontier_and_endpoints_keep_the_header():
    for make in (FrontierScreen, EndpointsScreen):
        app = ScreenHost(make)
        assert isinstance(app, JstuiApp)  # item 20: the real app, not a stand-in host
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, make)
            header = str(app.screen.query_one(StudyHeader).content)
            assert "demo" in header and "connected" in header and "endpoint" in header and "(e)" in header


async def test_item14_an_endpoint_age_that_grows_a_warning_is_not_cut():
    session = FakeSession(study=replace(demo_study(), budget=Budget(endpoint_warn_hours=10.0)))
    app = ScreenHost(EndpointsScreen, session)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        later = session.snapshot()
        later = replace(later, taken_at=later.taken_at + timedelta(hours=12))
        screen.apply_snapshot(later)
        await pilot.pause()
        table = screen.query_one(DataTable)
        age = str(table.get_cell("demo-efficientnet-b5", "age"))
        assert age.startswith("⚠")
        width = next(c for c in table.columns.values() if c.key.value == "age").get_render_width(table)
        assert width - 2 * table.cell_padding >= len(age)


async def test_item14_endpoints_footer_offers_only_what_works_there():
    app = ScreenHost(EndpointsScreen)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        enabled = {a.binding.action for a in app.screen.active_bindings.values() if a.enabled}
        assert "stop" not in enabled and "deploy" not in enabled  # no current model on this screen
        assert "delete" in enabled


async def test_item10_columns_no_model_has_a_value_for_are_left_out():
    models = {"yolo-a": {"mAP": 0.61, "train_epoch_duration": 40.0, "test_throughput": 20.0},
              "yolo-b": {"mAP": 0.55, "train_epoch_duration": 20.0, "test_throughput": 35.0}}
    from jstui.domain.model import FrontierSettings

    study = demo_study(FrontierSettings(x="train_epoch_duration", y="mAP", x_direction="min", y_direction="max"),
                       names=models)
    session = FakeSession(study=study, snapshot=snapshot_of(models))
    app = ScreenHost(FrontierScreen, session)
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        keys = [c.key.value for c in table.columns.values()]
        assert "test_accuracy" not in keys and "test_top_5_accuracy" not in keys and "num_params" not in keys
        for row in table.ordered_rows:
            assert all(str(v) != "–" for v in table.get_row(row.key))  # no column of dashes


def test_item10_frontier_export_says_what_it_leaves_out(capsys):
    session = FakeSession(snapshot=snapshot_of(DEMO_MODELS, costs=DEMO_COSTS, endpoints=demo_endpoints()))
    frame = _frontier_frame(session.snapshot(), session, None)
    err = capsys.readouterr().err
    assert "still-training" not in set(frame["candidate"])
    assert "leaves out 1 model(s)" in err and "still-training" in err


def test_item19_parameters_read_the_same_on_every_screen():
    assert fmt.count(1.2e9) == format_value("num_params", 1.2e9) == "1.2B"
    assert fmt.count(66.8e6) == format_value("num_params", 66.8e6) == "66.8M"
