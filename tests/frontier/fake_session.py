"""A StudySession over fixed data for the screen tests: no engine, no service, no clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from jstui.domain import endpoints
from jstui.domain.model import Candidate, FrontierSettings, Resources, Study, Tuning
from jstui.domain.snapshot import EndpointRow, StudySnapshot
from jstui.domain.prices import PriceBook
from jstui.engine.protocol import DeployDefaults, LogChunk

from tests.frontier.fixtures import T0, seed_000_table, snapshot_of

# A fixed study for pictures: a few of seed 000's models, plus two that are dominated and one
# that has not reported throughput yet.
DEMO_MODELS: dict[str, dict[str, float] | None] = {
    "swin-large-patch4-window7-224": {"num_params": 195.4e6, "test_accuracy": 0.961, "test_top_5_accuracy": 0.995,
                                      "test_throughput": 1.1, "train_epoch_duration": 698.0},
    "efficientnet-v2-imagenet21k-ft1k-l": {"num_params": 118.1e6, "test_accuracy": 0.951, "test_top_5_accuracy": 0.992,
                                           "test_throughput": 4.5, "train_epoch_duration": 1434.7},
    "efficientnet-b5": {"num_params": 29.0e6, "test_accuracy": 0.908, "test_top_5_accuracy": 0.981,
                        "test_throughput": 9.1, "train_epoch_duration": 668.6},
    "efficientnet-b0": {"num_params": 5.3e6, "test_accuracy": 0.85, "test_top_5_accuracy": 0.96,
                        "test_throughput": 8.7, "train_epoch_duration": 80.0},
    "mobilenet-v2-100-160": {"num_params": 2.6e6, "test_accuracy": 0.802, "test_top_5_accuracy": 0.932,
                             "test_throughput": 40.0, "train_epoch_duration": 19.6},
    "resnet-50": {"num_params": 25.6e6, "test_accuracy": 0.79, "test_top_5_accuracy": 0.93,
                  "test_throughput": 12.0, "train_epoch_duration": 300.0},
    "mobilenet-v1-025-128": {"num_params": 0.3e6, "test_accuracy": 0.59, "test_top_5_accuracy": 0.807,
                             "test_throughput": 50.8, "train_epoch_duration": 16.2},
    "still-training": {"test_accuracy": 0.5},
}
for _m in DEMO_MODELS.values():
    if _m and "test_throughput" in _m:  # what the script logs beside the table's figures
        _m["train_duration"] = round(_m["train_epoch_duration"] * 5, 1)
        _m["test_latency_per_sample"] = round(1 / _m["test_throughput"], 4)
DEMO_COSTS = {name: round(1.5 + i * 1.75, 2) for i, name in enumerate(DEMO_MODELS)}


def demo_study(frontier: FrontierSettings | None = None, names=DEMO_MODELS) -> Study:
    res = Resources(instance_type="ml.p3.2xlarge")
    tuning = Tuning(objective="val_accuracy", direction="Maximize", strategy="Bayesian", max_jobs=2, max_parallel_jobs=2)
    cands = tuple(
        Candidate(name=n, model_id=f"model-{n}", algorithm=None, model_version="*", hyperparameters={},
                  resources=res, tuning=tuning, metrics=(), metrics_preset="jumpstart-ic")
        for n in names
    )
    return Study(name="demo", path=Path("/nonexistent/demo.toml"), backend="emulator", region="us-east-1",
                 role_arn="arn:aws:iam::111122223333:role/SageMakerExecution", output_s3="s3://bucket/demo/",
                 data={"training": "s3://bucket/train/"}, max_parallel_tuning_jobs=8, candidates=cands,
                 frontier=frontier or FrontierSettings())


def demo_endpoints() -> tuple[EndpointRow, ...]:
    return (
        EndpointRow(name="demo-efficientnet-b5", status="InService", candidate="efficientnet-b5",
                    training_job_name="demo-efficientnet-b5-001-aaaa", instance_type="ml.g4dn.xlarge",
                    instance_count=1, usd_per_hour=0.7364, accrued_usd=1.10, created_at=T0 + timedelta(minutes=30)),
        EndpointRow(name="demo-swin-large", status="Failed", candidate="swin-large-patch4-window7-224",
                    training_job_name="demo-swin-large-001-aaaa", instance_type="ml.p3.2xlarge", instance_count=2,
                    usd_per_hour=7.65, accrued_usd=0.0, created_at=T0 + timedelta(minutes=90),
                    failure_reason="model data is not the artifact of a completed training job"),
    )


class FakeSession:
    """Records the actions it is asked for; answers from fixed data."""

    def __init__(self, study: Study | None = None, snapshot: StudySnapshot | None = None, *, readonly: bool = False):
        self.study = study or demo_study()
        self.readonly = readonly
        self._snapshot = snapshot or snapshot_of(DEMO_MODELS, costs=DEMO_COSTS, endpoints=demo_endpoints())
        self.calls: list[tuple] = []
        self.taken: set[str] = {e.name for e in self._snapshot.endpoints}

    def snapshot(self) -> StudySnapshot:
        return self._snapshot

    def now(self):
        """The fake backend clock: three seconds after the snapshot (the header's "updated 3s ago")."""
        return (self._snapshot.taken_at or T0) + timedelta(seconds=3)

    def publish(self, snapshot: StudySnapshot) -> None:
        self._snapshot = snapshot

    def is_launched(self) -> bool:
        return True

    def launchable(self) -> list[str]:
        return []

    def plan_text(self) -> str:
        return ""

    def refresh(self) -> StudySnapshot:
        return self._snapshot

    def launch(self, candidates=None) -> None:
        self.calls.append(("launch", candidates))

    def stop(self, candidate: str) -> None:
        self.calls.append(("stop", candidate))

    def retry(self, candidate: str) -> None:
        self.calls.append(("retry", candidate))

    def logs(self, training_job_name: str, next_token: str | None = None) -> LogChunk:
        return LogChunk((), None, True)

    def deploy_defaults(self, candidate: str) -> DeployDefaults:
        self.calls.append(("deploy_defaults", candidate))
        name = endpoints.suggest_endpoint_name(self.study.name, candidate, {e.name for e in self._snapshot.endpoints})
        return DeployDefaults(endpoint_name=name, instance_type="ml.g4dn.xlarge",
                              instance_count=1, usd_per_hour=0.7364)

    def deploy(self, candidate: str, endpoint_name: str, instance_type: str, instance_count: int) -> None:
        self.calls.append(("deploy", candidate, endpoint_name, instance_type, instance_count))
        self.set_endpoint_status(endpoint_name, "Creating", candidate=candidate, instance_type=instance_type,
                                 instance_count=instance_count)

    def set_endpoint_status(self, name: str, status: str, *, candidate: str | None = None,
                            instance_type: str = "ml.g4dn.xlarge", instance_count: int = 1,
                            failure_reason: str | None = None) -> None:
        """What the engine's next refresh would publish about an endpoint."""
        old = {e.name: e for e in self._snapshot.endpoints}
        prev = old.get(name)
        row = EndpointRow(name=name, status=status, candidate=candidate or (prev.candidate if prev else None),
                          training_job_name=prev.training_job_name if prev else None,
                          instance_type=prev.instance_type if prev else instance_type,
                          instance_count=prev.instance_count if prev else instance_count,
                          usd_per_hour=0.7364, accrued_usd=0.0, created_at=self._snapshot.taken_at,
                          failure_reason=failure_reason)
        old[name] = row
        self._snapshot = replace(self._snapshot, endpoints=tuple(old.values()))

    def hosting_usd_per_hour(self, instance_type: str, instance_count: int) -> float | None:
        """The shipped table with the study's overrides (a fake session has no cached refresh)."""
        return PriceBook(None, self.study.prices).hosting(instance_type, instance_count)

    def smoke_invoke(self, endpoint_name: str) -> str:
        self.calls.append(("smoke_invoke", endpoint_name))
        return "257.clutter 0.41"

    def delete_endpoint(self, endpoint_name: str) -> None:
        self.calls.append(("delete_endpoint", endpoint_name))
        self._snapshot = replace(self._snapshot, endpoints=tuple(e for e in self._snapshot.endpoints
                                                                 if e.name != endpoint_name))

    def close(self) -> None:
        pass


__all__ = ["FakeSession", "demo_study", "seed_000_table"]
