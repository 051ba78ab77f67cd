"""API calls per poll cycle: jstui's poller against the notebook's naive one.

For N = 10, 100, 300 tuning jobs: a generated study of N candidates is launched by jstui's launcher
against an embedded emulator whose simulated clock this script moves, so every cycle sees exactly
the state it is meant to. The study is then followed to its end in cycles that alternate a long
step (1,200 simulated s: jobs start and complete) and a short one (30 s, jstui's poll interval on
SageMaker: usually nothing changes). In each cycle three pollers look at the same frozen instant,
and the emulator counts each one's calls (`/_emulator/stats`, reset in between):

- an observer (not counted) lists the tuning jobs and derives what the changes since the last
  cycle need: ceil(N/100) list pages, one Describe per tuning job whose summary changed, one
  training-job list page per 100 training jobs of a tuning job whose counters changed, one
  DescribeTrainingJob per training job that became terminal;
- jstui: `EngineSession.refresh()`, the real poller, journal and snapshot code;
- naive: the seed notebook's way, DescribeHyperParameterTuningJob of every tuning job and
  DescribeTrainingJob of its best training job, every cycle.

A cycle is quiet when no tuning job's summary changed. Target: a quiet cycle costs ceil(N/100)
calls; a busy one no more than its changes need.

    python bench/api_calls.py [--sizes 10,100,300] [--max-cycles 60]

JSON on the last line."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])  # the repo, not bench/ (see bench/support.py)

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from bench.support import SAMPLES, calls_since_reset, emit, list_tuning_jobs, machine, reset_stats, sagemaker_client, verdict, write_study  # noqa: E402,E501

LONG_STEP_S = 1200.0
SHORT_STEP_S = 30.0
T0 = 1_800_000_000.0
TERMINAL_TUNING = {"Completed", "Failed", "Stopped"}
TERMINAL_TRAINING_COUNTERS = ("Completed", "RetryableError", "NonRetryableError", "Stopped")


def observe(sm, prefix: str) -> dict[str, dict]:
    return {s["HyperParameterTuningJobName"]: s for s in list_tuning_jobs(sm, prefix)}


def needed_calls(before: dict[str, dict], after: dict[str, dict]) -> tuple[int, bool]:
    """(calls the changes between two observations need, whether any summary changed)."""
    calls = math.ceil(len(after) / 100) if after else 0
    changed = False
    for name, summary in after.items():
        old = before.get(name)
        if old == summary:
            continue
        changed = True
        calls += 1  # DescribeHyperParameterTuningJob
        new_counters = summary.get("TrainingJobStatusCounters") or {}
        old_counters = (old or {}).get("TrainingJobStatusCounters") or {}
        if new_counters != old_counters:
            calls += max(1, math.ceil(sum(new_counters.values()) / 100))  # its training-job list
            calls += sum(new_counters.get(k, 0) - old_counters.get(k, 0) for k in TERMINAL_TRAINING_COUNTERS)
    return calls, changed


def naive_poll(sm, names: list[str]) -> None:
    """The notebook's loop: every tuning job, and its best training job's metrics, every time."""
    for name in names:
        job = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
        best = job.get("BestTrainingJob")
        if best:
            sm.describe_training_job(TrainingJobName=best["TrainingJobName"])


def _mean_ms(cycles: list[dict], key: str) -> float | None:
    return round(1000 * sum(c[key] for c in cycles) / len(cycles), 1) if cycles else None


def run_size(n: int, tmp: Path, max_cycles: int) -> dict:
    from jstui.emulator.embedded import start_embedded
    from jstui.engine.session import EngineSession, load

    clock = [T0]
    emu = start_embedded(tmp / f"emulator-{n}.sqlite", [SAMPLES / "catalogs" / "caltech256.csv"], speed=1,
                         clock=lambda: clock[0], max_tuning_jobs=n + 100)  # fmt: skip
    name = f"bench-api-{n}"
    study = load(write_study(tmp, name=name, candidates=n, max_parallel_tuning_jobs=min(n, 100)))
    # All N at once, as in an account whose tuning-job quota was raised (the emulator's is N + 100):
    # a study file may not ask for more than SageMaker's default 100, so lift it after loading.
    study = dataclasses.replace(study, max_parallel_tuning_jobs=n)
    sm = sagemaker_client(emu.url)
    cycles: list[dict] = []
    started = time.perf_counter()
    try:
        with EngineSession(study, tmp / f"home-{n}", endpoint_url=emu.url) as session:
            session.launcher.queue()
            report = session.launch_now()
            if len(report.launched) != n:
                raise SystemExit(f"bench/api_calls.py: launched {len(report.launched)} of {n} tuning jobs")
            prefix = f"{name}-"
            session.refresh(strict=True)  # first sight of every job: not a steady-state cycle
            seen = observe(sm, prefix)
            for i in range(max_cycles):
                clock[0] += LONG_STEP_S if i % 2 == 0 else SHORT_STEP_S
                now_seen = observe(sm, prefix)
                need, changed = needed_calls(seen, now_seen)
                seen = now_seen
                reset_stats(emu.url)
                t = time.perf_counter()
                session.refresh(strict=True)
                refresh_s = time.perf_counter() - t
                jstui, jstui_ops = calls_since_reset(emu.url)
                reset_stats(emu.url)
                t = time.perf_counter()
                naive_poll(sm, sorted(now_seen))
                naive_s = time.perf_counter() - t
                naive, _ = calls_since_reset(emu.url)
                cycles.append({"quiet": not changed, "jstui": jstui, "needed": need, "naive": naive, "ops": jstui_ops,
                               "jstui_s": refresh_s, "naive_s": naive_s})
                if all(s["HyperParameterTuningJobStatus"] in TERMINAL_TUNING for s in now_seen.values()) and not changed:
                    break  # everything ended and the last cycle was quiet: nothing more to see
            snap = session.snapshot()
    finally:
        emu.stop()
    quiet = [c for c in cycles if c["quiet"]]
    busy = [c for c in cycles if not c["quiet"]]
    target_quiet = math.ceil(n / 100)
    over = [c for c in busy if c["jstui"] > c["needed"]]
    return {
        "n": n,
        "cycles": len(cycles),
        "seconds": round(time.perf_counter() - started, 1),
        "training_jobs": len(snap.training_jobs),
        "all_terminal": all(t.status in TERMINAL_TUNING for t in snap.tuning_jobs),
        "quiet": {
            "cycles": len(quiet),
            "target": target_quiet,
            "jstui_min": min((c["jstui"] for c in quiet), default=None),
            "jstui_max": max((c["jstui"] for c in quiet), default=None),
            "naive_mean": round(sum(c["naive"] for c in quiet) / len(quiet), 1) if quiet else None,
            "jstui_ms_mean": _mean_ms(quiet, "jstui_s"),
            "naive_ms_mean": _mean_ms(quiet, "naive_s"),
        },
        "busy": {
            "cycles": len(busy),
            "jstui_calls": sum(c["jstui"] for c in busy),
            "needed_calls": sum(c["needed"] for c in busy),
            "naive_calls": sum(c["naive"] for c in busy),
            "jstui_max": max((c["jstui"] for c in busy), default=None),
            "naive_max": max((c["naive"] for c in busy), default=None),
            "cycles_over_need": len(over),
            "worst_over_need": max((c["jstui"] - c["needed"] for c in over), default=0),
            "jstui_ms_mean": _mean_ms(busy, "jstui_s"),
            "naive_ms_mean": _mean_ms(busy, "naive_s"),
        },
        "meets_target": bool(quiet) and all(c["jstui"] == target_quiet for c in quiet) and not over,
        "per_cycle": [[c["jstui"], c["needed"], c["naive"]] for c in cycles],  # jstui, needed, naive
        "over_need_example": over[0] if over else None,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10,100,300", help="numbers of tuning jobs, comma-separated")
    ap.add_argument("--max-cycles", type=int, default=60, help="stop following a study after this many cycles")
    opts = ap.parse_args()
    sizes = [int(s) for s in opts.sizes.split(",") if s.strip()]
    results = []
    with tempfile.TemporaryDirectory(prefix="jstui-bench-api-") as tmp:
        for n in sizes:
            r = run_size(n, Path(tmp), opts.max_cycles)
            results.append(r)
            q, b = r["quiet"], r["busy"]
            print(f"N = {n} tuning jobs ({r['training_jobs']} training jobs), {r['cycles']} cycles in {r['seconds']} s")
            print(f"  quiet cycles: {q['cycles']:3d}  jstui {q['jstui_min']}..{q['jstui_max']} calls "
                  f"(target {q['target']}; {q['jstui_ms_mean']} ms)  naive {q['naive_mean']} calls a cycle "
                  f"({q['naive_ms_mean']} ms)")
            print(f"  busy cycles:  {b['cycles']:3d}  jstui {b['jstui_calls']} calls for {b['needed_calls']} needed "
                  f"(max {b['jstui_max']} a cycle; {b['jstui_ms_mean']} ms)  naive {b['naive_calls']} "
                  f"(max {b['naive_max']} a cycle; {b['naive_ms_mean']} ms)")
            if r["over_need_example"]:
                print(f"  {b['cycles_over_need']} busy cycle(s) over their need, e.g. {json.dumps(r['over_need_example'])}")
            print(f"  {verdict(r['meets_target'])}")
    emit({"bench": "api_calls", "machine": machine(), "sizes": results,
          "meets_target": all(r["meets_target"] for r in results)})  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
