"""Typed, validated study: what `core.study.load_study` returns. Immutable.

Every other module (plan, launcher, poller, TUI) reads these objects, never the raw TOML."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Backend = Literal["emulator", "sagemaker"]
Direction = Literal["Maximize", "Minimize"]
Strategy = Literal["Bayesian", "Random", "Grid"]
RangeType = Literal["categorical", "continuous", "integer"]
Scaling = Literal["Auto", "Linear", "Logarithmic", "ReverseLogarithmic"]


@dataclass(frozen=True)
class ParameterRange:
    """One tuned hyperparameter. After loading, `values` is resolved for categorical ranges
    (relative_to_default multiplied out against the model's default hyperparameters by the
    launcher/plan, which know the defaults: `relative_to_default` is kept as given)."""

    name: str
    type: RangeType
    values: tuple[str, ...] | None = None  # categorical, as given (strings, as SageMaker wants)
    relative_to_default: tuple[float, ...] | None = None  # categorical, multiples of the default
    min: float | None = None  # continuous / integer
    max: float | None = None
    scaling: Scaling = "Auto"


@dataclass(frozen=True)
class Tuning:
    objective: str
    direction: Direction
    strategy: Strategy
    max_jobs: int
    max_parallel_jobs: int
    static: dict[str, str] = field(default_factory=dict)  # over the model's default hyperparameters
    ranges: tuple[ParameterRange, ...] = ()


@dataclass(frozen=True)
class Resources:
    instance_type: str
    instance_count: int = 1
    spot: bool = False
    max_runtime_s: int = 360000  # per training job (StoppingCondition.MaxRuntimeInSeconds)
    max_wait_s: int | None = None  # spot only; default = max_runtime_s


@dataclass(frozen=True)
class MetricDefinition:
    name: str
    regex: str


@dataclass(frozen=True)
class Candidate:
    """One `[[models]]` entry: the key everywhere is `name`."""

    name: str
    model_id: str | None  # a JumpStart model id, or None for a built-in algorithm
    algorithm: str | None  # "image-classification" | "object-detection" | None
    model_version: str  # JumpStart version spec, default "*"
    hyperparameters: dict[str, str]  # fixed, candidate-specific (over defaults, under tuning.static)
    resources: Resources
    tuning: Tuning
    metrics: tuple[MetricDefinition, ...]  # empty for built-ins: the service supplies them
    metrics_preset: str | None  # e.g. "jumpstart-ic"; None when definitions were given

    @property
    def catalog_id(self) -> str:
        """The id the emulator catalog knows this model by (docs/emulator.md: built-ins are the algorithm
        plus the hyperparameters that select it, e.g. `image-classification:num_layers=50`)."""
        if self.model_id:
            return self.model_id
        from jstui.domain.algorithms import catalog_id_for  # local: keeps model.py dependency-free

        return catalog_id_for(self.algorithm or "", self.hyperparameters)


@dataclass(frozen=True)
class Budget:
    usd: float | None = None
    policy: Literal["stop", "warn"] = "stop"
    endpoint_warn_hours: float = 4.0


@dataclass(frozen=True)
class FrontierSettings:
    x: str = "test_throughput"
    y: str = "test_accuracy"
    x_direction: Literal["max", "min"] = "max"
    y_direction: Literal["max", "min"] = "max"
    base: str = ""


@dataclass(frozen=True)
class EmulatorSettings:
    catalogs: tuple[Path, ...] = ()  # absolute paths
    speed: float = 300.0
    seed: int = 7
    noise: float = 0.01
    jumpstart_metadata: Path | None = None  # offline JumpStart snapshot directory (absolute)


@dataclass(frozen=True)
class Study:
    name: str
    path: Path  # absolute path of the study file
    backend: Backend
    region: str
    role_arn: str
    output_s3: str
    data: dict[str, str]  # channel name -> S3 URI
    max_parallel_tuning_jobs: int
    candidates: tuple[Candidate, ...]
    budget: Budget = Budget()
    frontier: FrontierSettings = FrontierSettings()
    prices: dict[str, float] = field(default_factory=dict)  # per-study $/hour overrides
    emulator: EmulatorSettings = EmulatorSettings()
    # Non-fatal findings of validation, one line each (`FILE:LINE: field: warning: ...`).
    warnings: tuple[str, ...] = ()

    def candidate(self, name: str) -> Candidate:
        for c in self.candidates:
            if c.name == name:
                return c
        raise KeyError(name)
