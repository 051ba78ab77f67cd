"""The emulator's request handling, independent of HTTP: operation name + parameters -> response dict.

Every call is counted, then meets the configured faults, then is validated against botocore's input
shape for the operation (the spec), then handled."""

from __future__ import annotations

from typing import Any

import logging
import time
from pathlib import Path
from collections.abc import Callable

from jstui.domain.catalog import Catalog
from jstui.emulator import api_hosting, api_logs, api_search, api_tags, api_tuning
from jstui.emulator.clock import ClockState, SimClock
from jstui.emulator.errors import ServiceError
from jstui.emulator.faults import Faults, FaultSettings, Stats
from jstui.emulator.shapes import service_model
from jstui.emulator.store import Store
from jstui.emulator.validation import validate

log = logging.getLogger("jstui.emulator")

DEFAULT_SPEED = 300.0
Handler = Callable[["Emulator", dict, str], dict]

SAGEMAKER_OPS: dict[str, Handler] = {
    "CreateHyperParameterTuningJob": api_tuning.create_hyper_parameter_tuning_job,
    "DescribeHyperParameterTuningJob": api_tuning.describe_hyper_parameter_tuning_job,
    "ListHyperParameterTuningJobs": api_tuning.list_hyper_parameter_tuning_jobs,
    "StopHyperParameterTuningJob": api_tuning.stop_hyper_parameter_tuning_job,
    "ListTrainingJobsForHyperParameterTuningJob": api_tuning.list_training_jobs_for_hyper_parameter_tuning_job,
    "ListTrainingJobs": api_tuning.list_training_jobs,
    "DescribeTrainingJob": api_tuning.describe_training_job,
    "StopTrainingJob": api_tuning.stop_training_job,
    "Search": api_search.search,
    "AddTags": api_tags.add_tags,
    "ListTags": api_tags.list_tags,
    "CreateModel": api_hosting.create_model,
    "DescribeModel": api_hosting.describe_model,
    "DeleteModel": api_hosting.delete_model,
    "ListModels": api_hosting.list_models,
    "CreateEndpointConfig": api_hosting.create_endpoint_config,
    "DescribeEndpointConfig": api_hosting.describe_endpoint_config,
    "DeleteEndpointConfig": api_hosting.delete_endpoint_config,
    "ListEndpointConfigs": api_hosting.list_endpoint_configs,
    "CreateEndpoint": api_hosting.create_endpoint,
    "DescribeEndpoint": api_hosting.describe_endpoint,
    "ListEndpoints": api_hosting.list_endpoints,
    "UpdateEndpoint": api_hosting.update_endpoint,
    "DeleteEndpoint": api_hosting.delete_endpoint,
}
LOGS_OPS: dict[str, Handler] = {
    "DescribeLogStreams": api_logs.describe_log_streams,
    "GetLogEvents": api_logs.get_log_events,
    "FilterLogEvents": api_logs.filter_log_events,
}
# X-Amz-Target prefix -> (botocore service name, operations)
TARGETS: dict[str, tuple[str, dict[str, Handler]]] = {
    "SageMaker": ("sagemaker", SAGEMAKER_OPS),
    "Logs_20140328": ("logs", LOGS_OPS),
}


def _clock_state(stored: dict) -> ClockState:
    paused = stored.get("paused_at")
    return ClockState(float(stored["origin"]), float(stored["wall_origin"]), None if paused is None else float(paused))


class Emulator:
    def __init__(
        self,
        state_path: Path,
        catalogs: list[Path] | tuple[Path, ...] = (),
        speed: float | None = None,
        seed: int = 7,
        noise: float = 0.01,
        clock: Callable[[], float] | None = None,
        faults: FaultSettings | None = None,
    ):
        self.catalog = Catalog.load(list(catalogs))  # first: a bad catalog leaves nothing open
        self.store = Store(Path(state_path))
        try:
            origin, wall_origin, self.speed = self.store.init_clock(speed, DEFAULT_SPEED)
        except BaseException:
            self.store.close()
            raise
        self.clock = SimClock.injected(clock, self.speed) if clock else SimClock(origin, wall_origin, self.speed)
        if not self.clock.is_injected:
            self.sync_clock()
        self.seed = int(seed)
        self.noise = float(noise)
        self.faults = Faults(faults, seed=self.seed)
        self.stats = Stats()
        self.tuning_ends: dict = {}  # tuning job -> (what its plan depends on, its end): api_tuning.active_tuning_jobs

    def now(self) -> float:
        return self.clock.now()

    # --- the clock's control (docs/emulator-control.md) --------------------------------------------
    def sync_clock(self) -> None:
        """Take the stored clock (another process on this state may have paused or advanced it)."""
        if self.clock.is_injected:
            return
        self.clock.load(_clock_state(self.store.clock_state()))

    def control_clock(self, *, paused: bool | None = None, advance: float | None = None) -> dict:
        """Pause or resume (first), then move simulated time `advance` seconds ahead; stored, so a
        restarted emulator and other processes on this state keep the same time."""
        if self.clock.is_injected:
            raise ServiceError("ConflictException", "this emulator's clock is driven by the process that embeds it", 409)
        if advance is not None and not advance >= 0:
            raise ServiceError("ValidationException", f"advance must be >= 0 simulated seconds (time never goes back), not {advance}")

        def change(stored: dict) -> dict:
            state = _clock_state(stored)
            if paused is not None:
                state = self.clock.paused(state, paused)
            if advance:
                state = SimClock.advanced(state, float(advance))
            return {"origin": state.origin, "wall_origin": state.wall_origin, "paused_at": state.paused_at}

        self.clock.load(_clock_state(self.store.update_clock(change)))
        return self.clock_view()

    def clock_view(self) -> dict:
        return {"now": self.now(), "speed": self.speed, "paused": self.clock.paused_at is not None}

    def call(self, target: str, params: dict, region: str = "us-east-1", service: str | None = None) -> dict:
        """Handle `<Prefix>.<Operation>` (or a runtime operation when `service` is given)."""
        prefix, _, op = target.partition(".")
        if prefix not in TARGETS or op not in TARGETS[prefix][1]:
            raise ServiceError("UnknownOperationException", f"Operation {target!r} is not supported by the jstui emulator")
        svc, ops = TARGETS[prefix]
        return self.run(svc, op, ops[op], params, region)

    def run(self, svc: str, op: str, handler: Handler, params: dict, region: str) -> dict:
        self.sync_clock()
        self.stats.count(op)
        delay = self.faults.delay_s()  # the real service's latency (issue 17), on this request's thread only
        if delay:
            time.sleep(delay)
        try:
            self.faults.check(op)
        except ServiceError as exc:
            self.stats.fault(exc.code)
            raise
        validate(service_model(svc).operation_model(op).input_shape, params)
        # A member sent as JSON null is read as a member not sent: validation (against botocore's input
        # shapes) already reads it so, and the handlers now do too (`{"SortBy": null}` answered HTTP 500;
        # found by tests/emulator/test_robustness.py). botocore itself never sends null.
        return handler(self, _without_nulls(params), region)

    def close(self) -> None:
        self.store.close()


def _without_nulls(value: Any) -> Any:
    """`value` with every object member whose value is null left out, at any depth (list items stay)."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value
