"""The study-file reference in docs/study-file.md ("Reference"), rendered from the schema, the metric presets
and the built-in algorithm tables, so the documentation cannot drift from what the loader accepts.

    python -m jstui.study.reference            print the section
    python -m jstui.study.reference --write    replace it in docs/study-file.md between its markers"""

from __future__ import annotations

import sys
from pathlib import Path

from jstui.study import schema as S
from jstui.study.plan import BILLED_OVERHEAD_S, PROVISIONING_S
from jstui.domain.algorithms import BUILTIN_HYPERPARAMETERS, BUILTIN_METRICS
from jstui.study.read_base import MAX_JOBS, MAX_PARALLEL_JOBS, MAX_PARALLEL_TUNING_JOBS
from jstui.domain.metrics import MAX_DEFINITIONS, PRESET_OBJECTIVES, PRESETS

START = "<!-- study-reference:start -->"
END = "<!-- study-reference:end -->"
DOC = "docs/study-file.md"  # relative to the repository


def _default(f: S.Field) -> str:
    d = f.default
    if d is S.REQUIRED:
        return "**required**"
    if d is None:
        return "-"
    if isinstance(d, bool):
        return "`true`" if d else "`false`"
    if isinstance(d, str):
        return f'`"{d}"`'
    return f"`{d:g}`" if isinstance(d, float) else f"`{d}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _header(t: S.Table) -> str:
    if t.name == "models":
        return "`[[models]]`"
    if t.name == "metrics.definitions":
        return "`[[metrics.definitions]]`"
    return f"`[{t.name}]`"


def _table(t: S.Table) -> list[str]:
    out = [f"#### {_header(t)}", "", t.doc, ""]
    rows = list(t.fields) or ([t.free] if t.free else [])
    out += ["| key | type | default | meaning |", "|---|---|---|---|"]
    for f in rows:
        out.append(f"| `{f.key}` | {f.type} | {_default(f)} | {_cell(f.doc)} |")
    return out + [""]


def reference_markdown() -> str:
    lines = [
        "A study file is TOML. `jstui launch STUDY` (without `--yes`) checks it and prints the plan; every",
        "problem is reported at once, one line each, and the command exits 2:",
        "",
        "```",
        "study.toml:14: tuning.max_job: unknown key 'max_job' (did you mean 'max_jobs'?)",
        "study.toml:33: models[2].name: candidate 'mobilenet-v2' has the same name as models[1]; candidate names must be unique",
        "```",
        "",
        "A small study (every key not written takes the default below):",
        "",
        "```toml",
        "[study]",
        'name = "my-study"                 # [a-z0-9-], <= 20 characters',
        'backend = "emulator"              # or "sagemaker" (then role_arn, output_s3 and [data] are required)',
        "",
        "[resources]",
        'instance_type = "ml.g5.xlarge"',
        "max_runtime_s = 7200",
        "",
        "[tuning]",
        'objective = "val_accuracy"',
        "max_jobs = 4",
        "max_parallel_jobs = 2",
        "",
        "[tuning.static]",
        "epochs = 5",
        "",
        "[tuning.ranges.learning_rate]",
        'type = "categorical"',
        "relative_to_default = [1.0, 0.2]  # the model's default, and a fifth of it",
        "",
        "[metrics]",
        'preset = "jumpstart-ic"',
        "",
        "[[models]]",
        'id = "tensorflow-ic-efficientnet-v2-imagenet21k-ft1k-b0"',
        "",
        "[[models]]",
        'id = "tensorflow-ic-efficientnet-v2-imagenet21k-ft1k-b0"',
        'name = "effv2-b0-fixed"           # the same model again, without HPO',
        'tuning = { strategy = "Grid", ranges = { learning_rate = { type = "categorical", values = [0.001] } } }',
        "",
        "[[models]]",
        'algorithm = "image-classification"  # a built-in algorithm (seed 003)',
        'name = "resnet-50"',
        "hyperparameters = { num_layers = 50, use_pretrained_model = 1, num_classes = 257, num_training_samples = 15420 }",
        'tuning = { objective = "validation:accuracy", static = { epochs = 5 } }',
        "```",
        "",
        "`models[N]` counts `[[models]]` entries from 1. Warnings (`...: warning: ...`) do not stop a launch.",
        "Relative paths are relative to the study file. Each `[[models]]` entry is a *candidate*: it may",
        "override `[resources]` and `[tuning]` key by key (its `tuning.static` and `tuning.ranges` replace the",
        "study's whole) and replace `[metrics]`. Hyperparameter values may be strings, numbers or booleans;",
        "SageMaker receives them as strings (booleans as `True`/`False`).",
        "",
        f"Service limits checked: `max_jobs` <= {MAX_JOBS}, `max_parallel_jobs` <= {MAX_PARALLEL_JOBS}, "
        f"`max_parallel_tuning_jobs` <= {MAX_PARALLEL_TUNING_JOBS},",
        f"at most {MAX_DEFINITIONS} metric definitions per job, `max_runtime_s` <= 28 days.",
        "The reference below is generated from the schema (`python -m jstui.study.reference --write`); a test",
        "keeps it in step.",
        "",
    ]
    lines += [
        "#### The launch plan",
        "",
        "`jstui launch STUDY` without `--yes` prints, per candidate, the tuning job it would create (its name),",
        "its training jobs (Grid: every combination; otherwise `max_jobs`), the instance type and $/hour (the",
        "study's `[prices]`, else a cached `jstui prices --refresh`, else the shipped 2026 table), and:",
        "",
        "- **max h / max $**: every training job runs to its `max_runtime_s`, where SageMaker stops it:",
        "  jobs x max_runtime_s x instance_count / 3600 instance hours, times the price. A hard ceiling.",
        "- **exp h / exp $**: from the emulator catalog's figures for the model: `train_epoch_duration` x epochs",
        "  (fixed, static, the largest tuned value, or the model's default), else `train_duration`, plus",
        f"  {BILLED_OVERHEAD_S:g} s of billed download and upload per job, capped at `max_runtime_s`. Early stopping",
        "  can only make it less. `-` where the catalog has no figures.",
        "",
        "then the totals, the expected duration (training jobs in waves of `max_parallel_jobs`, candidates",
        f"started in file order as `max_parallel_tuning_jobs` slots free, {PROVISIONING_S:g} s of provisioning per wave;",
        "divided by the emulator's speed for wall time), and exits 0 having created nothing.",
        "",
    ]
    for t in S.ALL_TABLES:
        lines += _table(t)
    lines += ["#### Metric presets", ""]
    for name, defs in PRESETS.items():
        obj, direction = PRESET_OBJECTIVES[name]
        names = ", ".join(f"`{d.name}`" for d in defs)
        lines.append(f"- `{name}` ({len(defs)} definitions; default objective `{obj}`, {direction}): {names}")
    lines.append("")
    lines += ["#### Built-in algorithms", "",
              "Built-ins report their own metrics and accept only their own hyperparameters, checked against",
              "these tables (image-classification: seed 003). `num_classes` and `num_training_samples` are",
              "required on SageMaker (a warning on the emulator).", ""]
    for algo, specs in BUILTIN_HYPERPARAMETERS.items():
        metrics = ", ".join(f"`{m}` ({d})" for m, d in BUILTIN_METRICS[algo].items())
        lines.append(f"- `{algo}`: metrics {metrics}; hyperparameters:")
        for spec in specs.values():
            default = f", default {spec.default}" if spec.default is not None else ""
            req = ", required" if spec.required else ""
            lines.append(f"  `{spec.name}` ({_cell(spec.describe())}{req}{default});")
        lines[-1] = lines[-1].rstrip(";") + "."
    lines.append("")
    return "\n".join(lines)


def write_doc(doc: Path) -> bool:
    """Replace the section between the markers; True if the file changed."""
    text = doc.read_text(encoding="utf-8")
    i, j = text.index(START) + len(START), text.index(END)
    new = text[:i] + "\n" + reference_markdown() + text[j:]
    if new != text:
        doc.write_text(new, encoding="utf-8")
    return new != text


def doc_section(doc: Path) -> str:
    text = doc.read_text(encoding="utf-8")
    return text[text.index(START) + len(START) + 1 : text.index(END)]


if __name__ == "__main__":  # pragma: no cover
    if "--write" in sys.argv:
        root = Path(__file__).resolve().parents[2]
        print(f"{DOC} updated" if write_doc(root / DOC) else f"{DOC} already up to date")
    else:
        print(reference_markdown())
