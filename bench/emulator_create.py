"""What creating many tuning jobs costs the emulator: N CreateHyperParameterTuningJob calls (default 1,000)
through boto3 over HTTP against the embedded emulator, its clock held still (every job stays in progress:
the account's tuning-job quota check must count them all), the quota set above N.

Included: boto3's request building and parsing, the HTTP round trip on 127.0.0.1, the emulator's checks
and its state writes. Left out: any latency the real service adds (--real-service), the training jobs'
simulation after creation.

    python bench/emulator_create.py [--jobs 1000]

JSON on the last line: the wall time of all the Creates, and of the last 100 (a cost that grows with the
jobs already stored shows there)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])  # the repo, not bench/ (see bench/support.py)

import argparse  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from bench.support import emit, machine  # noqa: E402
from tests.emulator.helpers import T0, ManualClock, client, tuning_request, write_catalog  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--jobs", type=int, default=1000)
    args = p.parse_args()
    from jstui.emulator.embedded import start_embedded

    with tempfile.TemporaryDirectory() as tmp:
        emu = start_embedded(Path(tmp) / "state.sqlite", [write_catalog(Path(tmp))], clock=ManualClock(T0),
                             max_tuning_jobs=args.jobs + 10)
        try:
            sm = client("sagemaker", emu.url)
            times = []
            for i in range(args.jobs):
                start = time.perf_counter()
                sm.create_hyper_parameter_tuning_job(**tuning_request(f"bench-create-{i:05d}"))
                times.append(time.perf_counter() - start)
        finally:
            emu.stop()
    last = times[-100:]
    emit({"bench": "emulator_create", "jobs": args.jobs, "create_all_s": round(sum(times), 2),
          "last_100_mean_ms": round(1000 * sum(last) / len(last), 1), "first_100_mean_ms":
          round(1000 * sum(times[:100]) / len(times[:100]), 1), "machine": machine()})  # fmt: skip


if __name__ == "__main__":
    main()
