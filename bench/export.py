"""Headless CSV export of 20,000 training jobs from the journal.

A generated emulator study of 1,000 candidates is registered in a fresh journal together with a saved
snapshot of 1,000 tuning jobs x 20 training jobs (bench/synthetic.py: seed 000's 29 metrics per job),
then exported the way a script would, as a subprocess:

    jstui --export csv --what training-jobs --offline STUDY > out.csv

Wall time (process start to exit) and peak memory (the child's maximum resident set, from
resource.getrusage(RUSAGE_CHILDREN)) over a few runs, the target judged on the median; the CSV is
read back with pandas to check it holds every training job.

    python bench/export.py [--runs 5] [--tuning-jobs 1000] [--per-tuning-job 20]

Target: <= 3 s. JSON on the last line."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])  # the repo, not bench/ (see bench/support.py)

import argparse  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from bench.support import clean_env, emit, jstui_command, machine, sample_model_ids, verdict, write_study  # noqa: E402
from bench.synthetic import big_snapshot  # noqa: E402

TARGET_S = 3.0
STUDY = "bench-export"


def populate_journal(home: Path, study_path: Path, tuning_jobs: int, per_tuning_job: int) -> int:
    """Register the study and save the snapshot, as the poller's last refresh would have."""
    from jstui.engine.journal import Journal
    from jstui.engine.snapshot_codec import snapshot_to_blob
    from jstui.study import load_study

    study = load_study(study_path)
    snap = big_snapshot(study.name, sample_model_ids(), tuning_jobs=tuning_jobs, per_tuning_job=per_tuning_job)
    journal = Journal.open(home)
    try:
        journal.upsert_study(study.name, study.path, study.backend, study.region)
        journal.save_snapshot(study.name, snapshot_to_blob(snap))
    finally:
        journal.close()
    return len(snap.training_jobs)


def export_once(home: Path, out: Path) -> tuple[float, int]:
    cmd = jstui_command() + ["--export", "csv", "--what", "training-jobs", "--offline", STUDY]
    with out.open("wb") as stdout:
        start = time.perf_counter()
        proc = subprocess.run(cmd, stdout=stdout, stderr=subprocess.PIPE, env=clean_env(home), check=False)
        wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"bench/export.py: the export exited {proc.returncode}: {proc.stderr.decode().strip()}")
    return wall, proc.returncode


def main() -> int:
    import pandas as pd

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--tuning-jobs", type=int, default=1000)
    ap.add_argument("--per-tuning-job", type=int, default=20)
    opts = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="jstui-bench-export-") as tmp:
        tmp_path = Path(tmp)
        home = tmp_path / "home"
        study = write_study(tmp_path, name=STUDY, candidates=opts.tuning_jobs)
        expected = populate_journal(home, study, opts.tuning_jobs, opts.per_tuning_job)
        out = tmp_path / "training-jobs.csv"
        walls = [export_once(home, out)[0] for _ in range(opts.runs)]
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KB on Linux
        frame = pd.read_csv(out, dtype=str, keep_default_na=False)
        size_mb = out.stat().st_size / 1e6
    rows_ok = len(frame) == expected and frame["training_job_name"].is_unique
    median = statistics.median(walls)
    ok = median <= TARGET_S and rows_ok  # the typical run; the slowest is reported too
    print(f"CSV export of {expected} training jobs from the journal ({opts.runs} runs)")
    print(f"  wall time     median {median:.2f} s, max {max(walls):.2f} s (target <= {TARGET_S:g} s)")
    print(f"  peak memory   {peak_mb:.0f} MB resident")
    print(f"  output        {len(frame)} rows x {len(frame.columns)} columns, {size_mb:.1f} MB"
          f"{'' if rows_ok else ' -- WRONG row count'}")
    print(f"  {verdict(ok)}")
    emit({
        "bench": "export", "machine": machine(), "training_jobs": expected, "runs": opts.runs,
        "wall_s": [round(w, 3) for w in walls], "wall_s_median": round(median, 3), "wall_s_max": round(max(walls), 3),
        "peak_rss_mb": round(peak_mb, 1), "rows": len(frame), "columns": len(frame.columns),
        "csv_mb": round(size_mb, 2), "target_s": TARGET_S, "meets_target": ok,
    })  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
