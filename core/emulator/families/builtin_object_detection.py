"""`builtin-object-detection`: SageMaker's built-in (Type 1, legacy) object detection algorithm (SSD),
seed 002's "Type 1" model: `#quality_metric: ... validation mAP <score>=(x)` lines, service-supplied
metric definitions, and a large gap between default (mAP 0.067) and tuned (0.226) hyperparameters."""

from __future__ import annotations

from jstui.emulator.families.common import (
    JobContext,
    Run,
    beyond_horizon,
    epochs_run,
    finish,
    fraction,
    param,
    preamble,
    surface,
)

NAME = "builtin-object-detection"
METRIC_DEFINITIONS = (
    ("validation:mAP", r"#quality_metric: host=\S+, epoch=\S+, validation mAP <score>=\(([0-9\.]+)\)"),
    ("train:cross_entropy", r"#quality_metric: host=\S+, epoch=\S+, batch=\S+, train cross_entropy <loss>=\(([0-9\.]+)\)"),
    ("train:smooth_l1", r"#quality_metric: host=\S+, epoch=\S+, batch=\S+, train smooth_l1 <loss>=\(([0-9\.]+)\)"),
)
MAP = ("validation:mAP", "test_mAP", "mAP")


def run(ctx: JobContext) -> Run:
    params = (
        param(ctx, "learning_rate", 0.001, 0.005, log=True, width=1.0),
        param(ctx, "momentum", 0.9, 0.9, log=False, width=0.2),
        param(ctx, "weight_decay", 0.0005, 0.0005, log=True, width=2.0),
    )
    tuned = ctx.figure(MAP) or ctx.synthetic("validation:mAP", 0.2, 0.6)
    default = ctx.figure(MAP, "default") if ctx.has_distinct_default(MAP) else None
    target = fraction(ctx.noisy(surface(ctx, params, tuned, default), "validation:mAP"))
    epochs = max(1, int(ctx.hp("epochs", 30)))
    epoch_s = ctx.figure(("train_epoch_duration",))
    if epoch_s is None:
        total = ctx.figure(("train_duration",))
        epoch_s = total / 30 if total else ctx.synthetic("train_epoch_duration", 30.0, 200.0, log=True)
    early = str(ctx.hyperparameters.get("early_stopping", "False")).lower() == "true"
    last = epochs_run(epochs, epochs, early, max(1, int(ctx.hp("early_stopping_patience", 5))),
                      max(1, int(ctx.hp("early_stopping_min_epochs", 10))))
    lines = preamble(ctx, "built-in object detection (SSD, MXNet)")
    t = 10.0
    for e in range(last):
        shape = 1.0 - 0.4 * ((e + 1 - epochs) / epochs) ** 2
        m = fraction(target * shape)
        dur = max(1.0, ctx.noisy(epoch_s, f"epoch{e}", 0.5))
        t += dur
        ce = 0.4 + 2.0 * (1 - m)
        lines += [
            (t, f"#quality_metric: host=algo-1, epoch={e}, batch=36, train cross_entropy <loss>=({ce:.6f})"),
            (t, f"#quality_metric: host=algo-1, epoch={e}, batch=36, train smooth_l1 <loss>=({0.3 * ce:.6f})"),
            (t + 3, f"#quality_metric: host=algo-1, epoch={e}, validation mAP <score>=({m:.6f})"),
        ]
        t += 3
        if (full := beyond_horizon(ctx, t, last - e - 1, epoch_s + 3)) is not None:
            return finish(ctx, lines, full + 5, "train")
    return finish(ctx, lines, t + 5, "train")
