"""The launch plan: its maximum spend equals jobs x max runtime x price by hand arithmetic, its
expected spend follows the catalog's durations, and `jstui launch STUDY` prints it and creates nothing."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from jstui.domain.catalog import Catalog
from jstui.cli.main import main
from jstui.domain.naming import tuning_job_name
from jstui.study.plan import BILLED_OVERHEAD_S, build_plan, format_plan
from jstui.domain.prices import PriceTable
from jstui.study import load_study

ROOT = Path(__file__).resolve().parent.parent.parent
CALTECH = ROOT / "sample_studies" / "caltech256.toml"
# ml.p3.2xlarge, us-east-1 on-demand: the figure the shipped table carries (core/domain/prices.py, its sources).
SHIPPED_P3_2XLARGE = 3.825


def _money(text: str, label: str) -> float:
    m = re.search(rf"^{label}: \$([0-9,]+\.[0-9]{{2}})", text, re.M)
    assert m, f"no '{label}' line in:\n{text}"
    return float(m.group(1).replace(",", ""))


@pytest.mark.skipif(not CALTECH.exists(), reason="the Caltech-256 sample study is not in the tree")
def test_caltech_plan_maximum_is_jobs_times_runtime_times_price(tmp_path: Path, capsys):
    raw = tomllib.loads(CALTECH.read_text(encoding="utf-8"))
    res, tun = raw.get("resources", {}), raw.get("tuning", {})
    by_hand = 0.0
    for m in raw["models"]:
        r = {**res, **m.get("resources", {})}
        t = {**tun, **m.get("tuning", {})}
        price = raw.get("prices", {}).get(r["instance_type"], SHIPPED_P3_2XLARGE)
        assert r["instance_type"] == "ml.p3.2xlarge" and t.get("strategy", "Bayesian") != "Grid"
        by_hand += t["max_jobs"] * r["max_runtime_s"] * r.get("instance_count", 1) * price / 3600
    code = main(["--home", str(tmp_path / "home"), "launch", str(CALTECH)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert _money(out, "Maximum spend") == pytest.approx(by_hand, abs=0.005)
    expected = _money(out, "Expected spend")
    assert 0 < expected < by_hand
    # one row per candidate, each naming the tuning job it would create
    for m in raw["models"]:
        name = m.get("name", m.get("id"))
        assert tuning_job_name(raw["study"]["name"], name, 1) in out
    assert not (tmp_path / "home" / "emulator").exists(), "the plan must not start an emulator"


def _study(tmp_path: Path) -> Path:
    (tmp_path / "cat.csv").write_text(
        "model_id,metric,value,condition,relative_to,source\n"
        "tensorflow-ic-efficientnet-b5-classification-1,train_epoch_duration,100,tuned,,synthetic\n"
        "tensorflow-ic-imagenet-mobilenet-v2-035-96,train_duration,5000,tuned,,synthetic\n"
        "image-classification:num_layers=18,train_epoch_duration,30,tuned,,synthetic\n",
        encoding="utf-8",
    )
    f = tmp_path / "plan.toml"
    f.write_text(
        """
[study]
name = "plan-test"
[resources]
instance_type = "ml.g5.xlarge"
max_runtime_s = 1000
[tuning]
objective = "val_accuracy"
max_jobs = 3
max_parallel_jobs = 3
[tuning.static]
epochs = 4
[tuning.ranges.learning_rate]
type = "categorical"
relative_to_default = [1.0, 0.2]
[metrics]
preset = "jumpstart-ic"
[prices]
"ml.g5.xlarge" = 2.0
[emulator]
catalog = "cat.csv"
[[models]]
id = "tensorflow-ic-efficientnet-b5-classification-1"
name = "b5"
resources = { instance_count = 2 }
[[models]]
id = "tensorflow-ic-imagenet-mobilenet-v2-035-96"
name = "grid"
tuning = { strategy = "Grid", ranges = { learning_rate = { type = "categorical", values = [0.1, 0.01] }, batch_size = { type = "categorical", values = [8, 16, 32] } } }
[[models]]
algorithm = "image-classification"
name = "resnet-18"
hyperparameters = { num_layers = 18, num_classes = 2, num_training_samples = 10 }
resources = { instance_type = "ml.x9.large" }
tuning = { ranges = { learning_rate = { type = "continuous", min = 0.01, max = 0.1 } } }
""",
        encoding="utf-8",
    )
    return f


def test_plan_arithmetic_per_candidate(tmp_path: Path):
    study = load_study(_study(tmp_path))
    plan = build_plan(study, Catalog.load(study.emulator.catalogs), PriceTable())
    b5, grid, resnet = plan.rows
    # b5: 3 jobs x 1000 s x 2 instances at the study's $2.00 override
    assert (b5.training_jobs, b5.usd_per_hour, b5.price_source) == (3, 2.0, "study [prices]")
    assert b5.max_instance_hours == pytest.approx(3 * 1000 * 2 / 3600)
    assert b5.max_usd == pytest.approx(3 * 1000 * 2 / 3600 * 2.0)
    # expected: 4 static epochs x 100 s/epoch + the billed download/upload, per job
    assert b5.expected_seconds_per_job == pytest.approx(4 * 100 + BILLED_OVERHEAD_S)
    assert b5.expected_usd == pytest.approx(3 * (400 + BILLED_OVERHEAD_S) * 2 / 3600 * 2.0)
    # Grid runs every combination (2 x 3), whatever max_jobs says; train_duration 5000 s is capped
    # at the 1000 s max runtime, where SageMaker stops the job
    assert grid.training_jobs == 6 and grid.strategy == "Grid"
    assert grid.expected_seconds_per_job == pytest.approx(1000)
    assert grid.max_usd == pytest.approx(6 * 1000 / 3600 * 2.0)
    # an unknown instance type has no price: the totals say unknown rather than understate
    assert resnet.usd_per_hour is None and resnet.max_usd is None
    assert resnet.expected_seconds_per_job == pytest.approx(4 * 30 + BILLED_OVERHEAD_S)
    assert plan.max_usd is None and plan.unpriced_instance_types == ("ml.x9.large",)
    assert plan.training_jobs == 3 + 6 + 3
    assert plan.max_instance_hours == pytest.approx((3 * 1000 * 2 + 6 * 1000 + 3 * 1000) / 3600)
    text = format_plan(plan)
    assert "Maximum spend: unknown" in text and "ml.x9.large" in text and "[prices]" in text
    for row in plan.rows:
        assert row.tuning_job_name == tuning_job_name("plan-test", row.candidate, 1)
        assert row.tuning_job_name in text


def test_plan_without_catalog_has_no_expectation(tmp_path: Path):
    study = load_study(_study(tmp_path))
    plan = build_plan(study, None, PriceTable())
    assert all(r.expected_usd is None for r in plan.rows)
    assert plan.expected_usd is None
    assert "Expected spend: unknown" in format_plan(plan)


def test_expected_duration_schedules_waves_and_tuning_job_slots(tmp_path: Path):
    from jstui.study.plan import PROVISIONING_S

    study = load_study(_study(tmp_path))
    catalog = Catalog.load(study.emulator.catalogs)
    plan = build_plan(study, catalog, PriceTable())
    per_candidate = [
        -(-r.training_jobs // r.max_parallel_jobs) * (PROVISIONING_S + r.expected_seconds_per_job) for r in plan.rows
    ]
    # 8 tuning-job slots for 3 candidates: all start at once, the longest decides
    assert plan.expected_duration_s == pytest.approx(max(per_candidate))
    # one slot: they run one after another
    serial = load_study(_write(tmp_path, _study(tmp_path).read_text().replace(
        'objective = "val_accuracy"', 'objective = "val_accuracy"\nmax_parallel_tuning_jobs = 1')))
    assert build_plan(serial, catalog, PriceTable()).expected_duration_s == pytest.approx(sum(per_candidate))
    assert build_plan(study, None, PriceTable()).expected_duration_s is None


def _write(tmp_path: Path, text: str) -> Path:
    f = tmp_path / "variant.toml"
    f.write_text(text, encoding="utf-8")
    return f


def test_budget_below_expected_spend_is_called_out(tmp_path: Path):
    text = _study(tmp_path).read_text().replace('[prices]', '[budget]\nusd = 0.5\n\n[prices]')
    study = load_study(_write(tmp_path, text))
    text_out = format_plan(build_plan(study, Catalog.load(study.emulator.catalogs), PriceTable()))
    assert "Budget: $0.50, policy stop" in text_out
    # the resnet row is unpriced, so no expected total: no claim about exceeding it either
    assert "over the budget" not in text_out
    priced = load_study(_write(tmp_path, text.replace('[prices]', '[prices]\n"ml.x9.large" = 1.0')))
    plan = build_plan(priced, Catalog.load(priced.emulator.catalogs), PriceTable())
    assert plan.expected_usd is not None and plan.expected_usd > 0.5
    assert "is over the budget: candidates the budget cannot cap stay unlaunched" in format_plan(plan)


def test_plan_says_when_even_the_minimum_caps_cannot_fit_the_budget(tmp_path: Path):
    """Hard budget (issue 16 item 3): a tuning job's cap is at least 120 s, a stop ends a training job
    after 120 s of grace, and every parallel training job may bill throughout; a candidate whose
    minimum cap alone exceeds the budget can never be launched, and the plan says so."""
    from jstui.domain import budget
    from jstui.domain.tuning_request import MIN_TUNING_RUNTIME_S, STOP_GRACE_S

    study = load_study(_write(tmp_path, _study(tmp_path).read_text().replace(
        '[prices]', '[budget]\nusd = 0.5\n\n[prices]\n"ml.x9.large" = 1.0')))
    plan = build_plan(study, Catalog.load(study.emulator.catalogs), PriceTable())
    burns = {r.candidate: budget.burn_usd_per_s(r.usd_per_hour, r.instance_count,
                                                budget.parallel_of(r.max_parallel_jobs, r.training_jobs))
             for r in plan.rows}
    minimum = {c: b * (MIN_TUNING_RUNTIME_S + STOP_GRACE_S) for c, b in burns.items()}
    over = sorted(c for c, m in minimum.items() if m > 0.5)
    text_out = format_plan(plan)
    assert "Hard budget:" in text_out
    if over:
        assert "cannot cap even the minimum run" in text_out and over[0] in text_out
    # a budget that fits every minimum says nothing of the kind
    rich = load_study(_write(tmp_path, _study(tmp_path).read_text().replace(
        '[prices]', f'[budget]\nusd = {max(minimum.values()) * 1.01:.4f}\n\n[prices]\n"ml.x9.large" = 1.0')))
    assert "cannot cap even the minimum" not in format_plan(build_plan(rich, Catalog.load(rich.emulator.catalogs),
                                                                        PriceTable()))
    assert over, "the fixture's budget should be below some candidate's minimum cap"


def test_the_plan_shows_the_budget_given_on_the_command_line(tmp_path: Path, capsys):
    """`jstui launch STUDY --budget 0.4` plans with that budget (policy stop, as its launch would)."""
    from jstui.cli.main import main

    path = _write(tmp_path, _study(tmp_path).read_text().replace('[prices]', '[prices]\n"ml.x9.large" = 1.0'))
    assert main(["--home", str(tmp_path / "home"), "launch", str(path), "--budget", "0.4"]) == 0
    out = capsys.readouterr().out
    assert "Budget: $0.40, policy stop" in out and "cannot cap even the minimum run" in out
    assert f"Launch with: jstui launch {path} --budget 0.4 --yes" in out  # the launch that was planned
