"""What reading the poller's records costs the engine per refresh cycle: `Journal.tuning_jobs(study)` on a
journal of N tuning jobs (default 1,000) of M training jobs each (default 20).

A refresh reads every tuning job's record three times (the launcher's slot count, the poller, the snapshot
build). Measured: CPU seconds of this process per cycle of three reads, for a quiet cycle (nothing changed)
and for a cycle in which the poller saved K of the records (default 10) between the reads, and once after
another process (another connection) wrote one record. The records are synthetic but of the size the
emulator's answers have (a DescribeHyperParameterTuningJob of ~2.5 KB, a training-job summary of ~0.5 KB).

Included: the SQLite reads, turning their text into Python strings, JSON decoding and the shape check.
Left out: the service calls, the snapshot build, the TUI.

    python bench/journal_reads.py [--jobs 1000] [--per-job 20] [--changed 10] [--cycles 20]

JSON on the last line."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])  # the repo, not bench/ (see bench/support.py)

import argparse  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from bench.support import emit, machine  # noqa: E402
from jstui.engine.journal import Journal  # noqa: E402

STUDY = "bench-journal"


def describe(name: str, i: int) -> dict:
    ranges = {
        "ContinuousParameterRanges": [{"Name": f"lr{k}", "MinValue": "0.0001", "MaxValue": "0.1", "ScalingType": "Logarithmic"}
                                      for k in range(3)],
        "IntegerParameterRanges": [{"Name": "batch-size", "MinValue": "8", "MaxValue": "64", "ScalingType": "Auto"}],
        "CategoricalParameterRanges": [{"Name": "optimizer", "Values": ["adam", "sgd", "rmsprop"]}],
    }
    return {
        "HyperParameterTuningJobName": name,
        "HyperParameterTuningJobArn": f"arn:aws:sagemaker:us-east-1:123456789012:hyper-parameter-tuning-job/{name}",
        "HyperParameterTuningJobStatus": "Completed",
        "CreationTime": "2026-06-01T08:00:00Z",
        "HyperParameterTuningEndTime": "2026-06-01T10:00:00Z",
        "LastModifiedTime": "2026-06-01T10:00:00Z",
        "TrainingJobStatusCounters": {"Completed": 20, "InProgress": 0, "RetryableError": 0, "NonRetryableError": 0,
                                      "Stopped": 0},
        "ObjectiveStatusCounters": {"Succeeded": 20, "Pending": 0, "Failed": 0},
        "HyperParameterTuningJobConfig": {
            "Strategy": "Bayesian",
            "HyperParameterTuningJobObjective": {"Type": "Maximize", "MetricName": "val_accuracy"},
            "ResourceLimits": {"MaxNumberOfTrainingJobs": 20, "MaxParallelTrainingJobs": 2, "MaxRuntimeInSeconds": 86400},
            "ParameterRanges": ranges,
            "TrainingJobEarlyStoppingType": "Off",
        },
        "TrainingJobDefinition": {
            "StaticHyperParameters": {f"static-{k}": str(k) for k in range(12)},
            "AlgorithmSpecification": {
                "TrainingImage": "763104351884.dkr.ecr.us-east-1.amazonaws.com/tensorflow-training:2.13-cpu-py310",
                "TrainingInputMode": "File",
                "MetricDefinitions": [{"Name": f"metric_{k}", "Regex": f"metric_{k}: ([0-9.]+)"} for k in range(8)],
            },
            "RoleArn": "arn:aws:iam::123456789012:role/SageMakerRole",
            "OutputDataConfig": {"S3OutputPath": f"s3://bench-bucket/out/{name}"},
            "ResourceConfig": {"InstanceType": "ml.p3.2xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
            "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
        },
        "BestTrainingJob": {"TrainingJobName": f"{name}-007", "TrainingJobStatus": "Completed",
                            "FinalHyperParameterTuningJobObjectiveMetric": {"MetricName": "val_accuracy",
                                                                            "Value": 0.5 + i % 40 / 100},
                            "TunedHyperParameters": {"lr0": "0.001", "batch-size": "32", "optimizer": "adam"}},
    }  # fmt: skip


def summaries(name: str, m: int) -> list[dict]:
    return [
        {
            "TrainingJobName": f"{name}-{j:03d}", "TrainingJobArn": f"arn:aws:sagemaker:us-east-1:1:training-job/{name}-{j:03d}",
            "TuningJobName": name, "CreationTime": "2026-06-01T08:00:00Z", "TrainingStartTime": "2026-06-01T08:02:00Z",
            "TrainingEndTime": "2026-06-01T09:00:00Z", "TrainingJobStatus": "Completed",
            "TunedHyperParameters": {"lr0": "0.001", "lr1": "0.01", "lr2": "0.02", "batch-size": "32", "optimizer": "adam"},
            "FinalHyperParameterTuningJobObjectiveMetric": {"Type": "Maximize", "MetricName": "val_accuracy", "Value": 0.7},
            "ObjectiveStatus": "Succeeded",
        }
        for j in range(m)
    ]  # fmt: skip


def cycle_cpu(journal: Journal, cycles: int, between=None) -> float:
    """CPU seconds per cycle of three reads (`between(cycle)` runs before each cycle, not timed)."""
    total = 0.0
    for c in range(cycles):
        if between is not None:
            between(c)
        start = time.process_time()
        for _ in range(3):
            journal.tuning_jobs(STUDY)
        total += time.process_time() - start
    return total / cycles


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--jobs", type=int, default=1000)
    p.add_argument("--per-job", type=int, default=20)
    p.add_argument("--changed", type=int, default=10)
    p.add_argument("--cycles", type=int, default=20)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        journal = Journal.open(home)
        names = [f"bench-{i:05d}" for i in range(args.jobs)]
        with journal.transaction():
            for i, name in enumerate(names):
                journal.save_tuning_job(name, STUDY, fingerprint="f", summary={"HyperParameterTuningJobName": name},
                                        describe=describe(name, i), counters="{}",
                                        training_summaries=summaries(name, args.per_job))  # fmt: skip
        stored_mb = sum(len(r[0] or "") + len(r[1] or "") + len(r[2] or "") for r in journal._query(
            "SELECT summary, describe, training_summaries FROM tuning_jobs")) / 1e6  # fmt: skip
        start = time.process_time()
        journal.tuning_jobs(STUDY)
        first = time.process_time() - start
        quiet = cycle_cpu(journal, args.cycles)

        def save_some(c: int) -> None:
            for k in range(args.changed):
                name = names[(c * args.changed + k) % len(names)]
                journal.save_tuning_job(name, STUDY, describe=describe(name, c + k + 1))

        busy = cycle_cpu(journal, args.cycles, save_some)
        other = Journal.open(home)

        def other_writes(c: int) -> None:
            other.save_tuning_job(names[c % len(names)], STUDY, describe=describe(names[c % len(names)], c + 7))

        foreign = cycle_cpu(journal, max(3, args.cycles // 4), other_writes)
        other.close()
        journal.close()
    emit({
        "bench": "journal_reads", "jobs": args.jobs, "per_job": args.per_job, "stored_json_mb": round(stored_mb, 1),
        "first_read_cpu_s": round(first, 3), "quiet_cycle_cpu_s": round(quiet, 5),
        f"cycle_with_{args.changed}_saved_cpu_s": round(busy, 4), "cycle_after_another_process_wrote_cpu_s": round(foreign, 4),
        "machine": machine(),
    })  # fmt: skip


if __name__ == "__main__":
    main()
