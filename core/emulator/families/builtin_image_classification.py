"""`builtin-image-classification`: SageMaker's built-in image classification algorithm (MXNet ResNet,
seed 003's hyperparameters). It logs MXNet-style `Epoch[n] Validation-accuracy=...` lines, and the service
supplies the metric definitions itself."""

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

NAME = "builtin-image-classification"
METRIC_DEFINITIONS = (
    ("train:accuracy", r"Epoch\[\d+\] Train-accuracy=([0-9\.]+)"),
    ("validation:accuracy", r"Epoch\[\d+\] Validation-accuracy=([0-9\.]+)"),
    ("train:accuracy:epoch", r"Epoch\[\d+\] Train-accuracy=([0-9\.]+)"),
    ("validation:accuracy:epoch", r"Epoch\[\d+\] Validation-accuracy=([0-9\.]+)"),
)
ACCURACY = ("validation:accuracy", "test_accuracy", "accuracy")


def run(ctx: JobContext) -> Run:
    params = (
        param(ctx, "learning_rate", 0.1, 0.02, log=True, width=1.0),  # seed 003: default 0.1
        param(ctx, "mini_batch_size", 32, 64, log=True, width=1.5),
    )
    tuned = ctx.figure(ACCURACY) or ctx.synthetic("validation:accuracy", 0.5, 0.9)
    default = ctx.figure(ACCURACY, "default") if ctx.has_distinct_default(ACCURACY) else None
    target = fraction(ctx.noisy(surface(ctx, params, tuned, default), "validation:accuracy"))
    if str(ctx.hyperparameters.get("use_pretrained_model", "0")) != "1" and ctx.profile.recognised_by == "unknown":
        target *= 0.8
    epochs = max(1, int(ctx.hp("epochs", 30)))
    epoch_s = ctx.figure(("train_epoch_duration",))
    if epoch_s is None:
        total = ctx.figure(("train_duration",))
        epoch_s = total / 30 if total else ctx.synthetic("train_epoch_duration", 40.0, 400.0, log=True)
    lr_opt = params[0].optimum or params[0].default
    peak = epochs if ctx.hp("learning_rate", params[0].default) <= 5 * lr_opt else max(1, round(epochs / 3))
    early = str(ctx.hyperparameters.get("early_stopping", "False")).lower() == "true"
    last = epochs_run(epochs, peak, early, max(1, int(ctx.hp("early_stopping_patience", 5))),
                      max(1, int(ctx.hp("early_stopping_min_epochs", 10))))
    lines = preamble(ctx, "built-in image classification (MXNet)")
    lines.append((3.0, f"[INFO] hyperparameters: {dict(sorted(ctx.hyperparameters.items()))}"))
    t = 10.0
    for e in range(last):
        shape = 1.0 - 0.35 * ((e + 1 - peak) / epochs) ** 2
        val = fraction(target * shape)
        dur = max(1.0, ctx.noisy(epoch_s, f"epoch{e}", 0.5))
        t += dur
        lines += [
            (t, f"Epoch[{e}] Train-accuracy={fraction(val * 1.03):.6f}"),
            (t, f"Epoch[{e}] Time cost={dur:.3f}"),
            (t + 2, f"Epoch[{e}] Validation-accuracy={val:.6f}"),
        ]
        t += 2
        if (full := beyond_horizon(ctx, t, last - e - 1, epoch_s + 2)) is not None:
            return finish(ctx, lines, full + 5, "train")
    if last < epochs:
        lines.append((t, f"Early stopping: no improvement for the patience window; stopped after epoch {last - 1}"))
    return finish(ctx, lines, t + 5, "train")
