"""The budget table (issue 16, done-when 3): does a $2 budget hold, with jstui watching and without?

The study: the shipped Caltech-256 study's last 8 candidates (mobilenets, 2 training jobs each, 2 in
parallel) on ml.p3.2xlarge ($3.825/h), `[budget] usd = 2, policy = "stop"` — about $2.75 expected, so
the budget cannot cover all of them. For each emulator speed and mode, `--trials` fresh runs (a new
emulator served over HTTP from this process, a new jstui home):

- attached: `jstui launch STUDY --yes --wait` (a subprocess) runs until the study ends; jstui launches
  candidates as the budget's room allows and stops the study (policy stop) when none fits.
- killed: `jstui launch STUDY --yes` (a subprocess) exits right after its launches — nothing of jstui
  runs afterwards, as after a kill -9 — and the emulator runs on until every tuning job has ended.

Figures per speed and mode, over the trials: billed spend (min / median / max), from the emulator's
DescribeTrainingJob BillableTimeInSeconds x InstanceCount x $3.825/h over every training job (no
endpoints: none are deployed); candidates left queued (never launched); wall seconds a trial took.
Criteria: billed <= budget + 10% ($2.20) in every trial; attached, billed >= half the budget ($1.00) in
every trial that left candidates queued.

Leaves out: real SageMaker (whose provisioning, stop grace and billing the emulator models after the
API reference: 120 s of unbilled Starting, a 120 s SIGTERM grace billed), endpoints, spot, and jstui's
own CPU (a subprocess).

    python bench/budget.py [--speeds 50,200,800,3200,12800] [--trials 3] [--modes attached,killed]

Prints one line per trial and a table; JSON on the last line."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])  # the repo, not bench/ (see bench/support.py)

import argparse  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from bench.support import SAMPLES, clean_env, emit, jstui_command, list_tuning_jobs, machine, sagemaker_client, sample_model_ids, write_study  # noqa: E402,E501
from jstui.emulator.embedded import start_embedded  # noqa: E402

PRICE = 3.825  # ml.p3.2xlarge on-demand training, us-east-1 (the shipped price table)
BUDGET = 2.0
CANDIDATES = 8
TERMINAL = ("Completed", "Failed", "Stopped")


def study_file(directory: Path, speed: float) -> Path:
    path = write_study(directory, name="budget", candidates=CANDIDATES, speed=speed,
                       model_ids=sample_model_ids()[-CANDIDATES:])
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^\[emulator\]", f'[budget]\nusd = {BUDGET}\npolicy = "stop"\n\n[emulator]', text, count=1)
    path.write_text(text, encoding="utf-8")
    return path


def billed(sm) -> tuple[float, int, int]:
    """(billed USD, tuning jobs, training jobs) as the service reports them."""
    total, jobs = 0.0, 0
    tuning = list_tuning_jobs(sm)
    for t in tuning:
        token = None
        while True:
            kw = {"HyperParameterTuningJobName": t["HyperParameterTuningJobName"], "MaxResults": 100}
            if token:
                kw["NextToken"] = token
            page = sm.list_training_jobs_for_hyper_parameter_tuning_job(**kw)
            for s in page["TrainingJobSummaries"]:
                d = sm.describe_training_job(TrainingJobName=s["TrainingJobName"])
                total += d.get("BillableTimeInSeconds", 0) * d["ResourceConfig"]["InstanceCount"] * PRICE / 3600.0
                jobs += 1
            token = page.get("NextToken")
            if not token:
                break
    return total, len(tuning), jobs


def wait_all_ended(sm, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        jobs = list_tuning_jobs(sm)
        if all(j["HyperParameterTuningJobStatus"] in TERMINAL for j in jobs):
            return True
        time.sleep(0.2)
    return False


def trial(speed: float, mode: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="jstui-budget-") as tmp:
        d = Path(tmp)
        study = study_file(d, speed)
        started = time.monotonic()
        with start_embedded(d / "emu.sqlite", [SAMPLES / "catalogs" / "caltech256.csv"], speed=speed, seed=7) as emu:
            cmd = jstui_command() + ["--home", str(d / "home"), "--endpoint-url", emu.url, "launch", str(study), "--yes"]
            if mode == "attached":
                cmd.append("--wait")
            run = subprocess.run(cmd, env=clean_env(d / "home"), capture_output=True, text=True, timeout=1800)
            sm = sagemaker_client(emu.url)
            # killed: jstui is gone; the service runs on (a few thousand simulated seconds at most)
            ended = wait_all_ended(sm, timeout_s=max(60.0, 20_000 / speed))
            usd, tuning, training = billed(sm)
        wall = time.monotonic() - started
    return {"speed": speed, "mode": mode, "billed_usd": round(usd, 4), "launched": tuning, "training_jobs": training,
            "queued_left": CANDIDATES - tuning, "exit": run.returncode, "all_ended": ended, "wall_s": round(wall, 1),
            "stderr_tail": run.stderr.strip().splitlines()[-1:] if run.returncode not in (0, 6) else []}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--speeds", default="50,200,800,3200,12800")
    ap.add_argument("--trials", type=int, default=3)
    ap.add_argument("--modes", default="attached,killed")
    args = ap.parse_args()
    speeds = [float(s) for s in args.speeds.split(",")]
    modes = args.modes.split(",")
    started = time.monotonic()
    rows, results = [], []
    for speed in speeds:
        for mode in modes:
            runs = []
            for i in range(args.trials):
                r = trial(speed, mode)
                runs.append(r)
                print(f"speed {speed:g} {mode} trial {i + 1}: billed ${r['billed_usd']:.2f}, {r['launched']} launched, "
                      f"{r['queued_left']} left queued, exit {r['exit']}, {r['wall_s']} s", flush=True)
            usd = [r["billed_usd"] for r in runs]
            over = [u for u in usd if u > BUDGET * 1.1]
            low = [r for r in runs if mode == "attached" and r["queued_left"] > 0 and r["billed_usd"] < BUDGET / 2]
            bad_exit = [r for r in runs if r["exit"] not in (0, 6) or not r["all_ended"]]
            ok = not over and not low and not bad_exit
            rows.append((speed, mode, min(usd), statistics.median(usd), max(usd),
                         statistics.median([r["queued_left"] for r in runs]), ok))
            results += runs
    print()
    print("| speed | mode | billed min | median | max | queued left (median) | criteria |")
    print("|---:|---|---:|---:|---:|---:|---|")
    for speed, mode, lo, med, hi, left, ok in rows:
        print(f"| {speed:,.0f} | {mode} | ${lo:.2f} | ${med:.2f} | ${hi:.2f} | {left:g} | {'met' if ok else 'MISSED'} |")
    all_ok = all(r[-1] for r in rows)
    print(f"\nbudget ${BUDGET:.2f}: billed never above ${BUDGET * 1.1:.2f}; attached, never below ${BUDGET / 2:.2f} "
          f"with candidates left queued: {'meets target' if all_ok else 'MISSES target'}; "
          f"{time.monotonic() - started:.0f} s in all")
    emit({"budget_usd": BUDGET, "table": [dict(zip(("speed", "mode", "min", "median", "max", "queued_left", "ok"), r))
                                          for r in rows],
          "trials": results, "meets_target": all_ok, "machine": machine()})
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
