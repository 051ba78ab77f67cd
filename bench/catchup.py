"""Catch-up on a big finished study, at the real service's price per call.

For each size N x M (default 100 x 20 and 1,000 x 20): N tuning jobs of M training jobs each are created
on a `jstui emulator` process (its own process, as the real service is: its CPU is not the user's), whose
clock is then moved 60 days ahead (POST /_emulator/clock) so every job has ended. The emulator is then
restarted on the same state answering like the real service (`--real-service`: 150 ms a call, the stated
per-operation rate limits, Search lagging 30 s; --jitter-ms adds jitter) and three readers catch up on the
study from an empty journal:

- jstui: `EngineSession.refresh(strict=True)` on a fresh journal that knows the N launches (first attach,
  or coming back after everything ended): wall time, CPU seconds of this process (jstui's side: botocore
  parsing, journal writes, snapshot builds) and of the emulator's, calls by operation, and when the first
  training rows were shown (a partial snapshot, before the cycle ends). With --warm, a first catch-up
  (printed as "cold emulator") lets the emulator build each ended training job's record once (it reads
  its simulated logs' metrics, ~1.5 ms a job; the real service has them stored), and the second is the
  figure; without it the figure includes that emulator CPU, which on a shared 2-core machine competes
  with jstui's.
- jstui without Search (the service refuses it: AccessDenied): calls counted with the latency turned off
  (computed by the issue's formula above --classic-max); the time is estimated as calls x latency (a lower
  bound: it leaves out the rate limits).
- the notebook's naive loop, 3 calls per tuning job (DescribeHyperParameterTuningJob, its training-job list,
  DescribeTrainingJob of the best job) after one list page per 100: run with the latency for N <= --naive-max,
  estimated as calls x latency above it. It reads only the best job of each tuning job; jstui reads all.

While the 100 x 20 catch-up is in flight (a second fresh journal, after the first rows show), stop, logs,
launch (queue) and the budget guard's state are each timed from another thread: they must not wait.

Included: every HTTP round trip, botocore's retries after a throttle, jstui's journal writes and snapshot
builds, the emulator's own CPU per call (on top of the stated latency). Left out: real network variance
beyond the uniform jitter; account-specific rate limits (AWS publishes few per-API figures for SageMaker,
so the limits are stated assumptions); the TUI's drawing; the time to create the study (setup).

    python bench/catchup.py [--sizes 100x20,1000x20] [--warm] [--latency-ms 150] [--jitter-ms 0]
                            [--naive-max 100] [--profile FILE]

Targets (issue 17): 100 x 20 <= 20 s, 1,000 x 20 <= 180 s; actions answer within 1 s. JSON on the last line."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])  # the repo, not bench/ (see bench/support.py)

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402

from bench.support import calls_since_reset, emit, emulator_stats, machine, reset_stats, sagemaker_client, verdict, write_study  # noqa: E402,E501

TARGET_S = {100: 20.0, 1000: 180.0}
ACTION_TARGET_S = 1.0


def emulator(state: Path, n: int, *flags: str):
    """`jstui emulator` in its own process on `state` (the service's CPU is not the user's)."""
    from bench.launch import EmulatorProcess

    return EmulatorProcess(state, state.parent / "emulator-home", "--max-tuning-jobs", str(n + 10), *flags)


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a live process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def setup(tmp: Path, n: int, m: int):
    """N tuning jobs of M training jobs, created on an emulator process and then left to end (its clock
    moved 60 days ahead); returns the emulator's state file, the study and the jobs' names."""
    from jstui.engine.session import EngineSession, load

    state = tmp / f"emu-{n}x{m}.sqlite"
    study = load(write_study(tmp, name=f"bench-catchup-{n}", candidates=n + 1, max_jobs=m))
    study = dataclasses.replace(study, max_parallel_tuning_jobs=n + 1)
    names = []
    emu = emulator(state, n)
    try:
        with EngineSession(study, tmp / f"creator-{n}", endpoint_url=emu.url) as s:
            sm = s.clients.sagemaker
            s.models.prefetch(study.candidates)  # every model's JumpStart lookup in one child process
            for cand in study.candidates[:n]:
                name = f"{study.name}-{cand.name}"
                request = s.launcher.request_for(cand, name)
                request["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxParallelTrainingJobs"] = m
                sm.create_hyper_parameter_tuning_job(**request)
                names.append((cand, name))
        body = json.dumps({"advance": 60 * 24 * 3600}).encode()  # long after every job ended
        urllib.request.urlopen(urllib.request.Request(emu.url + "/_emulator/clock", data=body, method="POST"),
                               timeout=30).close()
    finally:
        emu.stop()
    return state, study, names


def watch(study, names, home: Path, url: str):
    from jstui.engine.journal import LAUNCHED
    from jstui.engine.session import EngineSession

    s = EngineSession(study, home, endpoint_url=url)
    for cand, name in names:
        s.journal.queue(study.name, cand.name, 1, name, cand.model_id, state=LAUNCHED)
    return s


def catch_up(study, names, home: Path, emu, during=None, profile: str | None = None) -> dict:
    """One jstui catch-up; `during(session)` runs on another thread once the first rows show."""
    session = watch(study, names, home, emu.url)
    first_rows: list[float] = []
    real_show = session.store.show
    fired = threading.Event()
    results: dict = {}

    def show(snap):
        real_show(snap)
        if snap.training_jobs and not first_rows:
            first_rows.append(time.perf_counter() - t0)
        if during is not None and snap.training_jobs and not fired.is_set():
            fired.set()
            threading.Thread(target=lambda: results.update(during(session)), daemon=True).start()

    session.store.show = show  # observe partial snapshots (bench only)
    reset_stats(emu.url)
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    emu_cpu0, cpu0, t0 = cpu_s(emu.proc.pid), time.process_time(), time.perf_counter()
    snap = session.refresh(strict=True)
    wall, cpu, emu_cpu = time.perf_counter() - t0, time.process_time() - cpu0, cpu_s(emu.proc.pid) - emu_cpu0
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    total, ops = calls_since_reset(emu.url)
    throttled = emulator_stats(emu.url)["throttled"]  # answered ThrottlingException (counted in the calls)
    deadline = time.monotonic() + 30
    while during is not None and fired.is_set() and not results and time.monotonic() < deadline:
        time.sleep(0.05)
    session.close()
    return {"wall_s": round(wall, 1), "cpu_s": round(cpu, 1), "emulator_cpu_s": round(emu_cpu, 1), "calls": total,
            "throttled": throttled, "ops": ops, "first_rows_s": round(first_rows[0], 1) if first_rows else None,
            "training_rows": len(snap.training_jobs), "actions": results}  # fmt: skip


def actions(extra_candidate: str, stop_candidate: str, training_job: str):
    def run(session) -> dict:
        out = {}
        for label, call in (
            ("stop", lambda: session.stop(stop_candidate)),
            ("logs", lambda: session.logs(training_job)),
            ("launch", lambda: session.launch([extra_candidate])),
            ("guard", lambda: session.guard.stopped),
        ):
            t = time.perf_counter()
            call()
            out[label + "_s"] = round(time.perf_counter() - t, 3)
        return out

    return run


def naive(sm, names: list[str]) -> int:
    calls = 1
    sm.list_hyper_parameter_tuning_jobs(MaxResults=100)
    for name in names:
        job = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
        sm.list_training_jobs_for_hyper_parameter_tuning_job(HyperParameterTuningJobName=name, MaxResults=100)
        calls += 2
        best = job.get("BestTrainingJob")
        if best:
            sm.describe_training_job(TrainingJobName=best["TrainingJobName"])
            calls += 1
    return calls


def run_size(tmp: Path, n: int, m: int, opts) -> dict:
    state, study, names = setup(tmp, n, m)
    real = ("--real-service", "--latency-ms", f"{opts.latency_ms:g}", "--jitter-ms", f"{opts.jitter_ms:g}")
    # jstui without Search: calls counted at no latency (the time would be minutes to hours); above
    # --classic-max, computed: ceil(N/100) lists + N describes + N*ceil(M/100) lists + N*M describes.
    if n <= opts.classic_max:
        emu = emulator(state, n, "--deny", "Search")
        try:
            classic = catch_up(study, names, tmp / f"classic-{n}", emu)
        finally:
            emu.stop()
    else:
        classic = {"calls": math.ceil(n / 100) + n + n * math.ceil(m / 100) + n * m, "ops": "computed"}
    emu = emulator(state, n, *real)  # fresh rate-limit buckets
    try:
        cold = None
        if opts.warm:  # the emulator builds each ended record once: do that before timing jstui
            cold = catch_up(study, names, tmp / f"warm-{n}", emu)
            cold.pop("actions")
        jstui = catch_up(study, names, tmp / f"jstui-{n}", emu, profile=opts.profile)
    finally:
        emu.stop()
    acted = None
    emu = emulator(state, n, *real)
    try:
        if n <= 100:
            job = f"{names[0][1]}-001-00000000"
            acted = catch_up(study, names, tmp / f"acting-{n}", emu,
                             during=actions(study.candidates[n].name, names[1][0].name, job))["actions"]
        sm = sagemaker_client(emu.url)
        reset_stats(emu.url)
        if n <= opts.naive_max:
            t = time.perf_counter()
            naive_calls = naive(sm, [name for _, name in names])
            naive_s, naive_measured = time.perf_counter() - t, True
        else:
            naive_calls = 1 + math.ceil(n / 100) - 1 + 3 * n
            naive_s, naive_measured = naive_calls * opts.latency_ms / 1000, False
    finally:
        emu.stop()
    target = TARGET_S.get(n)
    ok = target is None or jstui["wall_s"] <= target
    if acted:
        ok = ok and all(v <= ACTION_TARGET_S for k, v in acted.items())
    return {
        "size": f"{n}x{m}", "jstui": jstui, "target_s": target, "jstui_on_a_cold_emulator": cold,
        "without_search": {"calls": classic["calls"], "ops": classic["ops"],
                           "estimated_s": round(classic["calls"] * opts.latency_ms / 1000, 1)},
        "naive": {"calls": naive_calls, "s": round(naive_s, 1), "measured": naive_measured,
                  "reads": "best training job of each tuning job only"},
        "actions_during_catch_up": acted, "meets_target": ok,
    }  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100x20,1000x20", help="NxM: tuning jobs x training jobs each, comma-separated")
    ap.add_argument("--latency-ms", type=float, default=150.0)
    ap.add_argument("--jitter-ms", type=float, default=0.0)
    ap.add_argument("--naive-max", type=int, default=100, help="run the naive loop up to this N; estimate above")
    ap.add_argument("--warm", action="store_true", help="let the emulator build its records once before jstui is "
                    "timed (a cold emulator spends its own CPU on the first reading)")
    ap.add_argument("--profile", metavar="FILE", help="cProfile jstui's catch-up (the last size's) into FILE")
    ap.add_argument("--classic-max", type=int, default=100, help="count jstui-without-Search calls up to this N; "
                    "compute them above")
    opts = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="jstui-bench-catchup-") as tmp:
        for size in opts.sizes.split(","):
            n, m = (int(x) for x in size.lower().split("x"))
            r = run_size(Path(tmp), n, m, opts)
            results.append(r)
            j, c, nv = r["jstui"], r["without_search"], r["naive"]
            print(f"{r['size']} finished, {opts.latency_ms:g} ms a call, stated rate limits:")
            print(f"  jstui (Search):      {j['wall_s']:7.1f} s  {j['calls']:5d} calls  first rows after "
                  f"{j['first_rows_s']} s  {j['training_rows']} training rows  (target {r['target_s']} s)")
            print(f"                       {j['cpu_s']:7.1f} s CPU in jstui's process, {j['emulator_cpu_s']} s in the "
                  f"emulator's  calls: {j['ops']}, {j['throttled']} throttled")
            if r["jstui_on_a_cold_emulator"]:
                k = r["jstui_on_a_cold_emulator"]
                print(f"  same, cold emulator: {k['wall_s']:7.1f} s  ({k['cpu_s']} s CPU in jstui's process, "
                      f"{k['emulator_cpu_s']} s in the emulator's, building each ended record once)")
            print(f"  jstui (no Search):   {c['estimated_s']:7.1f} s* {c['calls']:5d} calls  (*calls x latency, "
                  f"rate limits left out)")
            print(f"  naive notebook loop: {nv['s']:7.1f} s{'' if nv['measured'] else '*'} {nv['calls']:5d} calls  "
                  f"(best job of each tuning job only)")
            if r["actions_during_catch_up"]:
                print(f"  during the catch-up: {r['actions_during_catch_up']}")
            print(f"  {verdict(r['meets_target'])}")
    emit({"bench": "catchup", "machine": machine(), "latency_ms": opts.latency_ms, "jitter_ms": opts.jitter_ms,
          "sizes": results, "meets_target": all(r["meets_target"] for r in results)})  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
