"""Per-refresh cost on a big study: the budget projection and a quiet refresh's CPU, and memory.

1. Projection: `budget.projected_usd` on a synthetic snapshot (bench/synthetic.py) of 1,000 tuning jobs,
   all running, x 20 training jobs: median of 5 runs, beside the same projection scanning all training jobs
   once per tuning job (how it was computed before they were grouped once). Pure CPU: no I/O.
2. Quiet refresh: N x M finished jobs (default 1,000 x 20; bench/catchup.py's setup, its stored clock 60
   days past every end; checked: N tuning jobs Completed) on an embedded emulator; after the catch-up, `EngineSession.refresh(strict=True)` cycles in which nothing changed. Figure: the
   refreshing thread's CPU (time.thread_time: jstui's poller, journal, snapshot build, guard, save),
   median of 5; the emulator answers on its own threads and is left out, as is network latency (a quiet
   cycle costs ceil(N/100) list calls: 10 x 150 ms on the real service). Also the wall time.
3. Memory: this process's resident set after the refreshes (jstui's engine with the study loaded, plus the
   in-process emulator and its state: an upper bound on the engine's share; the TUI's own figure is
   bench/tui.py's).

    python bench/refresh_cost.py [--size 1000x20] [--state-dir DIR]

Targets (issue 17): projection <= 20 ms; quiet refresh <= 0.3 s CPU. JSON on the last line."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])  # the repo, not bench/ (see bench/support.py)

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from bench.support import SAMPLES, emit, machine, rss_mb, sample_model_ids, verdict  # noqa: E402

PROJECTION_TARGET_MS = 20.0
QUIET_CPU_TARGET_S = 0.3


def _median_s(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def projection() -> dict:
    from bench.synthetic import INSTANCE, USD_PER_S, big_snapshot
    from jstui.domain import budget
    from jstui.domain.snapshot import TERMINAL_TRAINING

    snap = big_snapshot("bench-projection", sample_model_ids())
    snap = dataclasses.replace(snap, tuning_jobs=tuple(dataclasses.replace(r, status="InProgress") for r in snap.tuning_jobs))
    price_of = {INSTANCE: USD_PER_S * 3600}.get

    def scan_per_tuning_job():  # the earlier shape of the loop, for comparison
        for row in snap.tuning_jobs:
            jobs = snap.training_jobs_of(row.tuning_job_name) if row.tuning_job_name else ()
            sum(1 for t in jobs if t.status not in TERMINAL_TRAINING)

    grouped = _median_s(lambda: budget.projected_usd(snap, price_of))
    cpu = []
    for _ in range(5):  # the same, in CPU time of this thread (less skewed by other work on the machine)
        c = time.thread_time()
        budget.projected_usd(snap, price_of)
        cpu.append(time.thread_time() - c)
    scanned = _median_s(scan_per_tuning_job, runs=1)
    return {"running": len(snap.tuning_jobs), "training_jobs": len(snap.training_jobs),
            "grouped_ms": round(grouped * 1000, 1), "grouped_cpu_ms": round(statistics.median(cpu) * 1000, 1), "scan_per_tuning_job_ms": round(scanned * 1000, 1)}  # fmt: skip


def quiet_refresh(tmp: Path, n: int, m: int, state_dir: Path | None = None) -> dict:
    """With `state_dir`: the emulator state (its clock is stored in it) and the caught-up home are kept
    there and reused (creating 1,000 x 20 jobs and catching up takes minutes); the first refresh is then
    not a catch-up."""
    import pickle

    from bench.catchup import setup, watch
    from jstui.emulator.embedded import start_embedded
    from jstui.engine.session import EngineSession

    where = state_dir or tmp
    meta = state_dir / "refresh_cost-v2.pkl" if state_dir else None
    if meta is not None and meta.exists():
        study = pickle.loads(meta.read_bytes())
        session_of = lambda: EngineSession(study, where / "home", endpoint_url=emu.url)  # noqa: E731
    else:
        where.mkdir(parents=True, exist_ok=True)
        _state, study, names = setup(where, n, m)  # the stored clock is then 60 days past every job's end
        session_of = lambda: watch(study, names, where / "home", emu.url)  # noqa: E731
    # in this process, so the refreshing thread's CPU is measured apart from the emulator's threads
    emu = start_embedded(where / f"emu-{n}x{m}.sqlite", [SAMPLES / "catalogs" / "caltech256.csv"], speed=1,
                         max_tuning_jobs=n + 10)  # fmt: skip
    try:
        with session_of() as session:
            t = time.perf_counter()
            session.refresh(strict=True)  # the catch-up (with a kept state: reading the journal once)
            catch_up_s = time.perf_counter() - t
            if meta is not None:
                meta.write_bytes(pickle.dumps(study))
            assert session.snapshot().counts_by_status() == {"Completed": n}, session.snapshot().counts_by_status()
            cpu, wall = [], []
            for _ in range(5):
                c, w = time.thread_time(), time.perf_counter()
                session.refresh(strict=True)
                cpu.append(time.thread_time() - c)
                wall.append(time.perf_counter() - w)
            rows = len(session.snapshot().training_jobs)
            rss = rss_mb(__import__("os").getpid())
    finally:
        emu.stop()
    return {"size": f"{n}x{m}", "training_rows": rows, "catch_up_s_no_latency": round(catch_up_s, 1),
            "quiet_cpu_s": round(statistics.median(cpu), 3), "quiet_wall_s": round(statistics.median(wall), 3),
            "rss_mb_engine_plus_emulator": round(rss or 0.0)}  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="1000x20", help="NxM for the quiet refresh")
    ap.add_argument("--state-dir", type=Path, help="keep (and reuse) the study's emulator state and home here")
    opts = ap.parse_args()
    n, m = (int(x) for x in opts.size.lower().split("x"))
    p = projection()
    print(f"projection, {p['running']} running x {p['training_jobs'] // p['running']}: {p['grouped_ms']} ms "
          f"({p['grouped_cpu_ms']} ms CPU) "
          f"(scanning per tuning job: {p['scan_per_tuning_job_ms']} ms; target {PROJECTION_TARGET_MS:g} ms)")
    with tempfile.TemporaryDirectory(prefix="jstui-bench-refresh-") as tmp:
        q = quiet_refresh(Path(tmp), n, m, opts.state_dir)
    print(f"quiet refresh, {q['size']} finished ({q['training_rows']} rows): {q['quiet_cpu_s']} s CPU, "
          f"{q['quiet_wall_s']} s wall (target {QUIET_CPU_TARGET_S:g} s CPU); RSS engine + emulator "
          f"{q['rss_mb_engine_plus_emulator']} MB")
    ok = p["grouped_ms"] <= PROJECTION_TARGET_MS and q["quiet_cpu_s"] <= QUIET_CPU_TARGET_S
    print(verdict(ok))
    emit({"bench": "refresh_cost", "machine": machine(), "projection": p, "quiet_refresh": q, "meets_target": ok})
    return 0


if __name__ == "__main__":
    sys.exit(main())
