"""Metric definitions: the presets a study can name, and the checks every regex must pass.

SageMaker reads a metric by running each definition's regex over the training log and taking its
single capture group; a regex without exactly one group silently yields nothing, so it is an error
here."""

from __future__ import annotations

import re
from typing import Any

import regex as regex_engine

from jstui.domain.model import MetricDefinition

# SageMaker's limits on AlgorithmSpecification.MetricDefinitions.
MAX_DEFINITIONS = 40
MAX_NAME_LEN = 255
MAX_REGEX_LEN = 500

# A number as the families' loggers print it: Keras's progress bar formats small values in scientific
# notation (`val_accuracy: 8.0000e-04`, keras/utils/generic_utils.py Progbar: "%.4e" below 1e-3), its
# one-line-per-epoch form prints negatives and zero that way too (`-5.1230e-01`, `0.0000e+00`), and a
# script's own lines may print Python reprs (`5e-05`, `1.0`, `12`). Seed 000 publishes `([0-9\.]+)`,
# which reads `8.0000e-04` as 8.0 and `-0.5` as 0.5 (docs/emulator-fidelity.md, "Metric presets").
_NUM = r"([-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)"

# Seed 000 (JumpStart TensorFlow image classification; aws/amazon-sagemaker-examples,
# Amazon_JumpStart_Image_Classification_Benchmarking.ipynb): train_/val_/test_
# x seven metrics, then the model-size, duration, latency and throughput lines. 29 in all.
_IC_METRICS = ("accuracy", "loss", "top_5_accuracy", "precision", "recall", "auc", "prc")


def _jumpstart_ic() -> tuple[MetricDefinition, ...]:
    defs: list[MetricDefinition] = []
    for m in _IC_METRICS:
        defs.append(MetricDefinition(f"train_{m}", f"- {m}: {_NUM}"))
        defs.append(MetricDefinition(f"val_{m}", f"- val_{m}: {_NUM}"))
        defs.append(MetricDefinition(f"test_{m}", f"- Test {m}: {_NUM}"))
    defs += [
        MetricDefinition("num_params", f"- Number of parameters: {_NUM}"),
        MetricDefinition("num_trainable_params", f"- Number of trainable parameters: {_NUM}"),
        MetricDefinition("num_non_trainable_params", f"- Number of non-trainable parameters: {_NUM}"),
        MetricDefinition("train_duration", f"- Total training duration: {_NUM}"),
        MetricDefinition("train_epoch_duration", f"- Average training duration per epoch: {_NUM}"),
        MetricDefinition("test_evaluation_latency", f"- Test evaluation latency: {_NUM}"),
        MetricDefinition("test_latency_per_sample", f"- Average test latency per sample: {_NUM}"),
        MetricDefinition("test_throughput", f"- Average test throughput: {_NUM}"),
    ]
    return tuple(defs)


PRESETS: dict[str, tuple[MetricDefinition, ...]] = {
    "jumpstart-ic": _jumpstart_ic(),
    # Seed 002's Type 2 (JumpStart MXNet SSD) object detection reports validation losses, not mAP;
    # regexes as the model's JumpStart spec publishes them (a line "Val_CrossEntropy=x, Val_SmoothL1=y").
    "jumpstart-od": (
        MetricDefinition("Val_CrossEntropy", "Val_CrossEntropy=(.*?),"),
        MetricDefinition("Val_SmoothL1", "Val_SmoothL1=(.*)"),
    ),
}

# The objective each preset's family is tuned on when the study does not say (seed 000; seed 002).
PRESET_OBJECTIVES: dict[str, tuple[str, str]] = {
    "jumpstart-ic": ("val_accuracy", "Maximize"),
    "jumpstart-od": ("Val_CrossEntropy", "Minimize"),
}


def regex_problem(regex: str) -> str | None:
    """Why SageMaker could not read a metric with this regex, or None."""
    if not regex:
        return "regex is empty"
    if len(regex) > MAX_REGEX_LEN:
        return f"regex is {len(regex)} characters; SageMaker allows {MAX_REGEX_LEN}"
    try:
        compiled = re.compile(regex)
    except re.error as exc:
        return f"regex does not compile: {exc}"
    if compiled.groups != 1:
        return (f"regex has {compiled.groups} capture groups; it needs exactly one around the number "
                "(make others non-capturing: (?:...))")
    return None


def _first_group(regex: str) -> str | None:
    """The text inside the first capturing group (escapes and classes respected)."""
    i, start, depth, in_class = 0, -1, 0, False
    while i < len(regex):
        ch = regex[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            if start < 0 and not regex.startswith("(?", i):
                start, depth = i + 1, 0
            elif start >= 0:
                depth += 1
        elif ch == ")" and start >= 0:
            if depth == 0:
                return regex[start:i]
            depth -= 1
        i += 1
    return None


# Forms a logger prints a number in (see _NUM): a capture group that reads plain decimals must read
# these whole, or SageMaker takes a prefix of the number (8.0 for 8.0000e-04).
NUMBER_FORMS = ("0.5", "8.0000e-04", "-5.1230e-01", "0.0000e+00", "5e-05", "12")
NUMBER_PATTERN = _NUM  # what the warning suggests


def lint_regex(regex: str) -> str | None:
    """A warning (not an error) when the capture group reads plain decimals but not every form a
    logger prints them in: seed 000's `([0-9\\.]+)` reads "-0.5" as 0.5 and "8.0000e-04" as 8.0."""
    group = _first_group(regex)
    if group is None:
        return None
    try:
        reads = lambda s: re.fullmatch(group, s) is not None  # noqa: E731
        if reads("0.5"):
            missed = [f for f in NUMBER_FORMS if not reads(f)]
            if missed:
                return (f"its capture group cannot read {', '.join(missed)} (Keras prints small values as "
                        f"8.0000e-04, which it would read as 8.0); use {NUMBER_PATTERN}")
    except re.error:
        return None
    return None


def preset_problems() -> list[str]:
    """Every shipped preset's regex through the same checks as a study's own (tests assert none)."""
    out = []
    for preset, defs in PRESETS.items():
        for d in defs:
            msg = regex_problem(d.regex) or lint_regex(d.regex)
            if msg:
                out.append(f"preset {preset!r}: {d.name}: {msg}")
    return out


# --- plausible ranges (docs/exports-plausibility.md) ------------------------------------------------
# A metric read by a regex that misreads the log (seed 000's `([0-9\.]+)` reads Keras's
# `val_accuracy: 8.0000e-04` as 8.0 and `-5.1230e-01` as 5.1230) often lands outside the range the
# metric can take. The range is known from the metric's name: its words (split on anything not a
# letter or digit, lower-cased: `val_top_5_accuracy` -> val, top, 5, accuracy; `validation:mAP` ->
# validation, map) against the table below, first rule that matches wins. Names no rule knows are
# never flagged. (This block's imports are its own, here, so that it stays apart from the presets above.)

import math as _math  # noqa: E402
from collections.abc import Mapping as _Mapping  # noqa: E402
from dataclasses import dataclass as _dataclass  # noqa: E402


@_dataclass(frozen=True)
class PlausibleRange:
    lo: float
    hi: float
    what: str  # why, in a few words

    def contains(self, value: float) -> bool:
        return _math.isfinite(value) and self.lo <= value <= self.hi

    def text(self) -> str:
        return f"[{self.lo:g}, ∞)" if self.hi == _math.inf else f"[{self.lo:g}, {self.hi:g}]"


_FRACTION = PlausibleRange(0.0, 1.0, "a fraction")
_NON_NEGATIVE = PlausibleRange(0.0, _math.inf, "never negative")

# (words any of which names the metric, range). Fractions: the jumpstart-ic preset's accuracy,
# top-5 accuracy, precision, recall, AUC and PRC (Keras metrics, all in [0, 1]); the built-in
# algorithms' validation:accuracy / validation:mAP (AWS docs, "Image Classification - MXNet" and
# "Object Detection - MXNet" metrics). Never negative: losses (cross-entropy, smooth L1 and the
# jumpstart-od preset's Val_CrossEntropy / Val_SmoothL1), durations, latencies, throughputs, counts.
PLAUSIBLE_RANGES: tuple[tuple[frozenset[str], PlausibleRange], ...] = (
    (frozenset({"accuracy", "acc", "precision", "recall", "auc", "prc", "f1", "map", "iou"}), _FRACTION),
    (frozenset({"loss", "crossentropy", "entropy", "smoothl1", "l1", "mse", "rmse", "mae"}), _NON_NEGATIVE),
    (frozenset({"throughput", "latency", "duration", "time", "seconds", "params", "parameters"}), _NON_NEGATIVE),
)


def _words(name: str) -> set[str]:
    words = {w for w in re.split(r"[^a-z0-9]+", name.lower()) if w}
    # "cross_entropy" and "smooth_l1" say the same as "crossentropy" and "smoothl1"
    joined = re.sub(r"[^a-z0-9]+", "", name.lower())
    words |= {w for w in ("crossentropy", "smoothl1") if w in joined}
    return words


def plausible_range(name: str) -> PlausibleRange | None:
    """The range a metric of this name can take, or None when its name says nothing."""
    words = _words(name)
    for names, rng in PLAUSIBLE_RANGES:
        if words & names:
            return rng
    return None


def implausibility(name: str, value: float | None) -> str | None:
    """One line when `value` cannot be a `name` (e.g. "val_accuracy 8 outside [0, 1] (a fraction)"), else None."""
    if value is None:
        return None
    rng = plausible_range(name)
    if rng is None or rng.contains(float(value)):
        return None
    return f"{name} {float(value):g} outside {rng.text()} ({rng.what})"


def implausibilities(metrics: _Mapping[str, float | None]) -> list[str]:
    """The implausible values of a set of metrics, one line each, in name order."""
    return [line for name in sorted(metrics) if (line := implausibility(name, metrics[name])) is not None]


# A metric regex comes from a study file or a job made elsewhere, and jstui applies it to logs itself
# (learning curves, `status --reread-metrics`). `re` cannot be interrupted and holds the GIL, so one
# that backtracks catastrophically (`^(?:.|..)*\d{9}(\d)`) froze the TUI for good. These match on the
# `regex` package, whose search takes a timeout, per log line (as the emulator does).
REGEX_TIMEOUT_S = 0.25
# The timeout is wall-clock time, so a loaded machine (or a thread waiting for the GIL) can make an
# ordinary search overrun it: a timeout is confirmed by one retry with CONFIRM_FACTOR times the time
# before the regex is given up (a truly catastrophic one costs 11 x 0.25 s once, off the UI thread).
CONFIRM_FACTOR = 10
RUNAWAY = "regex timed out on a log line (catastrophic backtracking?); it reads nothing"


def compile_metric(pattern: str) -> Any:
    """`pattern` compiled for time-boxed searches; raises re.error when it does not compile."""
    try:
        return regex_engine.compile(pattern)
    except (regex_engine.error, ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise re.error(str(exc)) from None


def search_metric(rx: Any, line: str) -> Any:
    """rx.search(line), or TimeoutError when it overran REGEX_TIMEOUT_S and then, searched again,
    CONFIRM_FACTOR times that."""
    try:
        return rx.search(line, timeout=REGEX_TIMEOUT_S)
    except TimeoutError:
        return rx.search(line, timeout=REGEX_TIMEOUT_S * CONFIRM_FACTOR)


def read_metrics(lines: list[str], definitions: tuple[MetricDefinition, ...] | list[MetricDefinition]) -> dict[str, float]:
    """What SageMaker would record from a training log with these definitions: each regex searched
    in each line, its one group read as a number; a metric's final value is its last match (the
    value FinalMetricDataList reports). A match that is not a number is skipped, as SageMaker skips it."""
    out: dict[str, float] = {}
    compiled = [(d.name, compile_metric(d.regex)) for d in definitions]
    for line in lines:
        for name, rx in list(compiled):
            try:
                m = search_metric(rx, line)
            except TimeoutError:  # a runaway regex reads nothing, as on the emulator
                compiled.remove((name, rx))
                out.pop(name, None)
                continue
            if m is None or not m.groups():
                continue
            try:
                out[name] = float(m.group(1))
            except (TypeError, ValueError):
                continue
    return out
