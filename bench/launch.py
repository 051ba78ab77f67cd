"""Launching 100 tuning jobs against a rate-limited service.

A generated study of N = 100 candidates, all allowed in parallel (max_parallel_tuning_jobs = 100),
is launched by jstui's launcher (`EngineSession.launch_now()`, what `jstui launch STUDY --yes` runs
before its first poll) against a standalone emulator process started with `--throttle-tps 5`: every
operation, CreateHyperParameterTuningJob included, answers ThrottlingException above 5 calls a
second. The lower bound on the wall time is N / TPS. Then the emulator is restarted on the same
state without throttling and the service is asked what it holds: tuning jobs per candidate (by
their `jstui:candidate` tag), so failures (a candidate without a job) and duplicates (more than one)
are counted on the service, not in jstui's journal.

    python bench/launch.py [--candidates 100] [--tps 5]

Target (issue 17): what `jstui launch --yes` waits for, the launch AND its first poll, <= 1.3 x N/TPS;
0 failures, 0 duplicates. The first poll describes none of the jobs it just created (the launcher knows their
definitions): one list page per 100. Included: JumpStart lookups (cached in the journal after the first),
journaling, botocore's retries after each throttle. Left out: network latency (the emulator answers in ~1 ms;
at 150 ms a call the Creates still fit the rate limit's N/TPS when sent back to back, bench/catchup.py has
the per-call figures). JSON on the last line."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])  # the repo, not bench/ (see bench/support.py)

import argparse  # noqa: E402
import collections  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from bench.support import (  # noqa: E402
    SAMPLES,
    clean_env,
    emit,
    jstui_command,
    list_tuning_jobs,
    machine,
    reset_stats,
    emulator_stats,
    sagemaker_client,
    verdict,
    write_study,
)

TARGET_RATIO = 1.3
FIRST_POLL_CALLS: dict[str, int] = {}
CPU: dict[str, float] = {}  # CPU seconds: the launch and the first poll in this process, the JumpStart child
STUDY = "bench-launch"


class EmulatorProcess:
    """`jstui emulator` in its own process (as a user would run it), on a free port."""

    def __init__(self, state: Path, home: Path, *extra: str):
        cmd = jstui_command() + [
            "emulator", "--port", "0", "--state", str(state), "--speed", "1",  # real time, as on SageMaker
            "--catalog", str(SAMPLES / "catalogs" / "caltech256.csv"), "--max-tuning-jobs", "1000", *extra,
        ]  # fmt: skip
        self.proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=clean_env(home))
        line = self.proc.stderr.readline()  # "jstui emulator: listening on http://127.0.0.1:PORT"
        match = re.search(r"(http://[0-9.]+:\d+)", line)
        if not match:
            self.proc.kill()
            raise SystemExit(f"bench/launch.py: the emulator did not start: {line.strip() or self.proc.wait()}")
        self.url = match.group(1)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def launch(study_path: Path, home: Path, url: str) -> tuple[float, float | None, object, dict, float]:
    """(wall seconds of the whole launch, seconds from the first Create to the last, report, the
    emulator's counts of the launch, seconds of the first poll that `jstui launch --yes` runs next)."""
    from jstui.engine.session import EngineSession, load

    study = load(study_path)
    with EngineSession(study, home, endpoint_url=url) as session:
        session.launcher.queue()
        created: list[float] = []
        sm = session.clients.sagemaker
        # Time each Create that the service accepted (botocore's retries happen inside the call).
        sm.meta.events.register(
            "after-call.sagemaker.CreateHyperParameterTuningJob",
            lambda http_response, **_: created.append(time.perf_counter()) if http_response.status_code == 200 else None,
        )
        lookups: list[float] = []
        run_worker = session.models._run_worker

        def timed_worker(items):  # bench only: how long the JumpStart child process takes
            t = time.perf_counter()
            try:
                return run_worker(items)
            finally:
                lookups.append(time.perf_counter() - t)

        session.models._run_worker = timed_worker
        children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu0 = time.process_time()
        start = time.perf_counter()
        report = session.launch_now()
        wall = time.perf_counter() - start
        CPU["launch"] = time.process_time() - cpu0
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        CPU["jumpstart_child"] = children.ru_utime + children.ru_stime - children0.ru_utime - children0.ru_stime
        CPU["lookups_s"] = sum(lookups)
        creates = created[-1] - created[0] if len(created) > 1 else None
        stats = emulator_stats(url)
        reset_stats(url)
        cpu0 = time.process_time()
        start = time.perf_counter()
        session.refresh(strict=True)  # first sight of 100 jobs, under the same throttling
        first_poll = time.perf_counter() - start
        CPU["first_poll"] = time.process_time() - cpu0
        FIRST_POLL_CALLS.update(emulator_stats(url)["calls"])
        return wall, creates, report, stats, first_poll


def count_on_service(url: str, candidates: int) -> dict:
    sm = sagemaker_client(url)
    per_candidate: collections.Counter[str] = collections.Counter()
    untagged = 0
    for job in list_tuning_jobs(sm, STUDY):
        arn = job["HyperParameterTuningJobArn"]
        tags = {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=arn)["Tags"]}
        if "jstui:candidate" in tags:
            per_candidate[tags["jstui:candidate"]] += 1
        else:
            untagged += 1
    names = [f"c{i:04d}" for i in range(candidates)]
    return {
        "tuning_jobs": sum(per_candidate.values()) + untagged,
        "failures": sum(1 for n in names if per_candidate[n] == 0),
        "duplicates": sum(max(0, per_candidate[n] - 1) for n in names) + untagged,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--candidates", type=int, default=100)
    ap.add_argument("--tps", type=float, default=5.0)
    opts = ap.parse_args()
    n, tps = opts.candidates, opts.tps
    bound = n / tps
    with tempfile.TemporaryDirectory(prefix="jstui-bench-launch-") as tmp:
        tmp_path = Path(tmp)
        home = tmp_path / "home"
        study = write_study(tmp_path, name=STUDY, candidates=n, max_parallel_tuning_jobs=n)
        state = tmp_path / "emulator.sqlite"
        emu = EmulatorProcess(state, home, "--throttle-tps", f"{tps:g}")
        try:
            wall, creates, report, stats, first_poll = launch(study, home, emu.url)
        finally:
            emu.stop()
        emu = EmulatorProcess(state, home)  # same state, no throttling: count what the service holds
        try:
            reset_stats(emu.url)
            counted = count_on_service(emu.url, n)
        finally:
            emu.stop()
    attempts = stats["calls"].get("CreateHyperParameterTuningJob", 0)
    poll_ops = dict(FIRST_POLL_CALLS)
    poll_calls = sum(poll_ops.values())
    total = wall + first_poll
    ratio = total / bound
    ok = ratio <= TARGET_RATIO and counted["failures"] == 0 and counted["duplicates"] == 0
    print(f"launch of {n} tuning jobs at --throttle-tps {tps:g} (bound N/TPS = {bound:.1f} s)")
    print(f"  launch + first poll   {total:7.2f} s  = {ratio:.2f} x bound (target <= {TARGET_RATIO} x)")
    print(f"  launch alone          {wall:7.2f} s")
    if creates is not None:
        print(f"  first..last Create    {creates:7.2f} s  (the rest: JumpStart lookups and journaling)")
    print(f"  JumpStart lookups     {CPU['lookups_s']:7.2f} s  (one child process: sagemaker-core's import, then the "
          f"lookups; cached in the journal afterwards)")
    print(f"  CPU                   {CPU['launch'] + CPU['first_poll'] + CPU['jumpstart_child']:7.2f} s  (launch "
          f"{CPU['launch']:.2f} + first poll {CPU['first_poll']:.2f} in this process, JumpStart child "
          f"{CPU['jumpstart_child']:.2f})")
    print(f"  Create attempts       {attempts:7d}    ({stats['throttled']} throttled, answered and retried)")
    print(f"  launched / adopted    {len(report.launched):4d} / {len(report.adopted)}")
    print(f"  then the first poll   {first_poll:7.2f} s  ({poll_calls} calls: {poll_ops})")
    print(f"  on the service        {counted['tuning_jobs']:4d} tuning jobs, {counted['failures']} failures, "
          f"{counted['duplicates']} duplicates")
    print(f"  {verdict(ok)}")
    emit({
        "bench": "launch", "machine": machine(), "candidates": n, "throttle_tps": tps, "bound_s": bound,
        "wall_s": round(wall, 3), "ratio": round(ratio, 3), "creates_span_s": None if creates is None else round(creates, 3),
        "create_attempts": attempts, "throttled": stats["throttled"], "launched": len(report.launched),
        "adopted": len(report.adopted), "first_poll_s": round(first_poll, 3), "first_poll_calls": poll_ops,
        "launch_and_first_poll_s": round(total, 3), "jumpstart_lookups_s": round(CPU["lookups_s"], 3),
        "cpu_s": {k: round(v, 3) for k, v in CPU.items() if k != "lookups_s"}, **counted, "target_ratio": TARGET_RATIO, "meets_target": ok,
    })  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
