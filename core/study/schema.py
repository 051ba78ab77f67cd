"""The study file's schema: every table and key, its type, default and meaning.

One source of truth for three readers: the loader (types, defaults, unknown-key checks), the
docs/study-file.md reference (`jstui.study.reference` renders these tables) and the test that keeps the two
in step. Semantic rules that involve more than one key live in `core.study.validate`."""

from __future__ import annotations

from dataclasses import dataclass


class _Required:
    def __repr__(self) -> str:
        return "required"


REQUIRED = _Required()  # a key with no default
NONE = None  # an optional key whose absence means "not set"

# Types as docs/study-file.md names them; the loader checks TOML values against these.
STRING = "string"
INTEGER = "integer"
NUMBER = "number"  # integer or float
BOOLEAN = "boolean"
STRINGS = "string or array of strings"
ARRAY = "array"  # of scalars (strings or numbers)
NUMBERS = "array of numbers"
SCALARS = "table of scalars"  # free keys -> string/number/boolean
TABLE = "table"
TABLES = "array of tables"


@dataclass(frozen=True)
class Field:
    key: str
    type: str
    doc: str
    default: object = NONE
    choices: tuple[str, ...] = ()

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


@dataclass(frozen=True)
class Table:
    """A TOML table. `free` describes tables whose keys are the user's (channels, prices,
    hyperparameters): then `fields` is empty and every key must have `free`'s type."""

    name: str  # as written in the file, e.g. "study", "tuning.ranges.<name>", "models"
    doc: str
    fields: tuple[Field, ...] = ()
    free: Field | None = None

    def field(self, key: str) -> Field | None:
        for f in self.fields:
            if f.key == key:
                return f
        return None

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields)


STUDY = Table(
    "study",
    "What the study is called and where it runs.",
    (
        Field("name", STRING, "The journal key and the job-name prefix: `[a-z0-9-]`, at most 20 characters, "
              "starting with a letter or digit, not a subcommand's name.", REQUIRED),
        Field("backend", STRING, "`emulator` (the built-in local SageMaker) or `sagemaker` (your AWS account).",
              "emulator", ("emulator", "sagemaker")),
        Field("region", STRING, "AWS region, e.g. `us-east-1`.", "us-east-1"),
        Field("role_arn", STRING, "IAM role the training jobs run as (`arn:aws:iam::<account>:role/<name>`). "
              "Required on the sagemaker backend; the emulator uses a placeholder.", NONE),
        Field("output_s3", STRING, "S3 URI (`s3://bucket/prefix/`) for model artifacts. Required on the sagemaker "
              "backend; the emulator uses `s3://jstui-emulator/<name>/`.", NONE),
    ),
)

DATA = Table(
    "data",
    "Input channels: channel name (`[A-Za-z0-9._-]`) = S3 URI. Required on the sagemaker backend "
    "(usually `training`); the emulator defaults to `training = \"s3://jstui-emulator/<name>/train/\"`.",
    free=Field("<channel>", STRING, "S3 URI of the channel's data."),
)

_RESOURCE_FIELDS = (
    Field("instance_type", STRING, "Training instance type, `ml.<family>.<size>`.", "ml.p3.2xlarge"),
    Field("instance_count", INTEGER, "Instances per training job (>= 1).", 1),
    Field("spot", BOOLEAN, "Managed spot training (billable time shrinks; jobs may wait for capacity).", False),
    Field("max_runtime_s", INTEGER, "Per training job: StoppingCondition.MaxRuntimeInSeconds "
          "(1 .. 2419200, i.e. 28 days). The plan's maximum spend uses it.", 360000),
    Field("max_wait_s", INTEGER, "Spot only: StoppingCondition.MaxWaitTimeInSeconds, >= max_runtime_s. "
          "Default: max_runtime_s.", NONE),
)
RESOURCES = Table("resources", "Compute per training job. A candidate may override any key.", _RESOURCE_FIELDS)

_TUNING_FIELDS = (
    Field("objective", STRING, "The metric the tuning job optimises; must be one of the candidate's metric "
          "definitions. Default: the family's (`val_accuracy` for preset jumpstart-ic, `Val_CrossEntropy` for "
          "jumpstart-od, `validation:accuracy` / `validation:mAP` for built-ins).", NONE),
    Field("direction", STRING, "`Maximize` or `Minimize`. Default: the family's for its default objective, "
          "else Maximize.", NONE, ("Maximize", "Minimize")),
    Field("strategy", STRING, "`Bayesian`, `Random` or `Grid` (categorical ranges only; runs every "
          "combination).", "Bayesian", ("Bayesian", "Random", "Grid")),
    Field("max_jobs", INTEGER, "Training jobs per tuning job (1 .. 750). Ignored by Grid, which runs every "
          "combination.", 2),
    Field("max_parallel_jobs", INTEGER, "Training jobs running at once per tuning job (1 .. 100).", 2),
    Field("max_parallel_tuning_jobs", INTEGER, "Tuning jobs running at once across the study (1 .. 100); "
          "study-wide, not per candidate.", 8),
    Field("static", SCALARS, "Fixed hyperparameters over each model's defaults: `name = value`. A candidate's "
          "`static` replaces the study's.", NONE),
    Field("ranges", TABLE, "Tuned hyperparameters: `[tuning.ranges.<name>]` tables (below). A candidate's "
          "`ranges` replaces the study's.", NONE),
)
TUNING = Table("tuning", "How each candidate's hyperparameter tuning job searches.", _TUNING_FIELDS)
CANDIDATE_TUNING_KEYS = tuple(f.key for f in _TUNING_FIELDS if f.key != "max_parallel_tuning_jobs")

RANGE = Table(
    "tuning.ranges.<name>",
    "One tuned hyperparameter.",
    (
        Field("type", STRING, "`categorical`, `continuous` or `integer`.", REQUIRED,
              ("categorical", "continuous", "integer")),
        Field("values", ARRAY, "Categorical: the values to try (at most 30).", NONE),
        Field("relative_to_default", NUMBERS, "Categorical: multiples of the model's default value, e.g. "
              "`[1.0, 0.2]` = {default, default/5}. Use instead of `values`.", NONE),
        Field("min", NUMBER, "Continuous / integer: lower bound (< max).", NONE),
        Field("max", NUMBER, "Continuous / integer: upper bound.", NONE),
        Field("scaling", STRING, "Continuous / integer: `Auto`, `Linear`, `Logarithmic` (min > 0) or "
              "`ReverseLogarithmic` (continuous, 0 <= min < max < 1).", "Auto",
              ("Auto", "Linear", "Logarithmic", "ReverseLogarithmic")),
    ),
)

METRICS = Table(
    "metrics",
    "Metric definitions (regexes over the training log) for JumpStart candidates; built-in algorithms "
    "supply their own and ignore this table. A candidate's `metrics` replaces the study's.",
    (
        Field("preset", STRING, "`jumpstart-ic` (seed 000's 29 definitions) or `jumpstart-od` "
              "(Val_CrossEntropy, Val_SmoothL1).", NONE, ("jumpstart-ic", "jumpstart-od")),
        Field("definitions", TABLES, "`[[metrics.definitions]]` with `name` and `regex` (exactly one capture "
              "group); added to the preset's. At most 40 per job.", NONE),
    ),
)

METRIC_DEFINITION = Table(
    "metrics.definitions",
    "One metric read from the training log.",
    (
        Field("name", STRING, "Metric name (as exports and the frontier call it).", REQUIRED),
        Field("regex", STRING, "Python/SageMaker regex with exactly one capture group, e.g. "
              "`- val_accuracy: ([0-9\\\\.]+)`.", REQUIRED),
    ),
)

BUDGET = Table(
    "budget",
    "Spend limit for the study (also `launch --budget USD`).",
    (
        Field("usd", NUMBER, "Budget in USD (> 0). Unset: no budget.", NONE),
        Field("policy", STRING, "`stop` (stop running jobs before the budget is crossed) or `warn`.", "stop",
              ("stop", "warn")),
        Field("endpoint_warn_hours", NUMBER, "Warn about endpoints jstui created that run longer (> 0).", 4.0),
    ),
)

FRONTIER = Table(
    "frontier",
    "The Pareto frontier's axes.",
    (
        Field("x", STRING, "Any metric, or `cost_usd` / `train_duration`.", "test_throughput"),
        Field("y", STRING, "Any metric, or `cost_usd` / `train_duration`.", "test_accuracy"),
        Field("x_direction", STRING, "`max` or `min`: which way is better on x.", "max", ("max", "min")),
        Field("y_direction", STRING, "`max` or `min`: which way is better on y.", "max", ("max", "min")),
        Field("base", STRING, "A candidate's name: adds relative_* columns (seed 004). Empty: none.", ""),
    ),
)

PRICES = Table(
    "prices",
    "Optional $/hour overrides of the shipped price table: `\"ml.p3.2xlarge\" = 3.06`.",
    free=Field("<instance type>", NUMBER, "USD per instance hour (> 0)."),
)

EMULATOR = Table(
    "emulator",
    "Settings of the built-in emulator (backend `emulator`).",
    (
        Field("catalog", STRINGS, "Catalog CSV(s) of published figures, relative to the study file.", NONE),
        Field("speed", NUMBER, "Simulated seconds per wall second (> 0); fixed per emulator state.", 300.0),
        Field("seed", INTEGER, "Seed of the emulator's noise.", 7),
        Field("noise", NUMBER, "Spread of the seeded noise (>= 0); 0 = the catalog's figures exactly.", 0.01),
        Field("jumpstart_metadata", STRING, "Offline JumpStart metadata snapshot directory, relative to the "
              "study file. Default: `jumpstart/` beside the study file, if it exists.", NONE),
    ),
)

MODEL = Table(
    "models",
    "`[[models]]`: one candidate each. Give `id` or `algorithm`.",
    (
        Field("id", STRING, "A JumpStart model id, e.g. `tensorflow-ic-efficientnet-v2-imagenet21k-ft1k-m`.", NONE),
        Field("algorithm", STRING, "A built-in algorithm instead of `id`: `image-classification` or "
              "`object-detection`.", NONE, ("image-classification", "object-detection")),
        Field("name", STRING, "The candidate's key everywhere (job names, exports, the CLI's MODEL): unique, "
              "`[A-Za-z0-9._-]`. Default: the model id (built-ins: algorithm and selecting hyperparameters).",
              NONE),
        Field("version", STRING, "JumpStart model version spec.", "*"),
        Field("hyperparameters", SCALARS, "Fixed hyperparameters of this candidate (over defaults and static).",
              NONE),
        Field("resources", TABLE, "Overrides of `[resources]` keys.", NONE),
        Field("tuning", TABLE, "Overrides of `[tuning]` keys (not max_parallel_tuning_jobs).", NONE),
        Field("metrics", TABLE, "Replaces `[metrics]` for this candidate.", NONE),
    ),
)

# Top-level tables in file order; "models" is the array of candidates.
TOP_LEVEL: tuple[Table, ...] = (STUDY, DATA, RESOURCES, TUNING, METRICS, BUDGET, FRONTIER, PRICES, EMULATOR, MODEL)
TOP_LEVEL_BY_NAME = {t.name: t for t in TOP_LEVEL}
# Every documented table, for the reference in docs/study-file.md.
ALL_TABLES: tuple[Table, ...] = (STUDY, DATA, RESOURCES, TUNING, RANGE, METRICS, METRIC_DEFINITION, BUDGET,
                                 FRONTIER, PRICES, EMULATOR, MODEL)
