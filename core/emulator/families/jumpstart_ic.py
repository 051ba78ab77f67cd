"""`jumpstart-ic`: the JumpStart TensorFlow image-classification script of seed 000, as its log reads
(Keras epoch lines, then `- Test accuracy: ...` etc.; the notebook's regexes read these lines)."""

from __future__ import annotations

import math

from jstui.emulator.families.common import (
    JobContext,
    Run,
    SurfaceParam,
    beyond_horizon,
    finish,
    fmt,
    fraction,
    preamble,
    surface,
)

NAME = "jumpstart-ic"
METRIC_DEFINITIONS: tuple[tuple[str, str], ...] = ()  # JumpStart jobs bring their own
DEFAULT_LEARNING_RATE = 0.001  # the JumpStart TF image-classification default
TEST_IMAGES = 256  # images the emulated test evaluation reads (latency = images / throughput)


def run(ctx: JobContext) -> Run:
    lr_default = ctx.figure(("hp.learning_rate",), "default") or DEFAULT_LEARNING_RATE
    params = (SurfaceParam("learning_rate", lr_default, None, log=True, width=1.0),)
    acc_names = ("test_accuracy",)
    tuned = ctx.figure(acc_names) or ctx.synthetic("test_accuracy", 0.55, 0.92)
    default = ctx.figure(acc_names, "default") if ctx.has_distinct_default(acc_names) else None
    target = fraction(ctx.noisy(surface(ctx, params, tuned, default), "test_accuracy"))
    top5_tuned = ctx.figure(("test_top_5_accuracy",)) or min(0.999, tuned + (1 - tuned) * 0.7)
    top5 = fraction(ctx.noisy(top5_tuned * (target / tuned) ** 0.3, "test_top_5_accuracy"))
    latency_fig = ctx.figure(("test_latency_per_sample",))
    throughput = ctx.figure(("test_throughput",)) or (1.0 / latency_fig if latency_fig else None)
    throughput = throughput or ctx.synthetic("test_throughput", 2.0, 60.0, log=True)
    throughput = max(0.01, ctx.noisy(throughput, "test_throughput"))
    total_fig = ctx.figure(("train_duration",))
    epoch_s = ctx.figure(("train_epoch_duration",)) or (total_fig / 5 if total_fig else None)  # seed 000/004: 5 epochs
    epoch_s = epoch_s or ctx.synthetic("train_epoch_duration", 15.0, 900.0, log=True)
    num_params = int(ctx.figure(("num_params",)) or ctx.synthetic("num_params", 3e5, 2e8, log=True))
    val_ratio = 1.0
    val_fig = ctx.figure(("val_accuracy",))
    if val_fig and tuned:
        val_ratio = val_fig / tuned

    epochs = max(1, int(ctx.hp("epochs", 3)))
    early = str(ctx.hyperparameters.get("early_stopping", "False")).lower() == "true"
    patience = max(1, int(ctx.hp("early_stopping_patience", 5)))
    # Far above the default learning rate the model peaks early and then degrades (early stopping's case).
    peak = epochs if ctx.hp("learning_rate", lr_default) <= 3 * lr_default else max(1, round(epochs / 3))
    last = min(epochs, peak + patience) if early else epochs

    lines = preamble(ctx, "JumpStart TensorFlow image classification (transfer_learning.py)")
    trainable = min(num_params, 1281 * 257)
    lines += [
        (4.0, f"- Number of parameters: {num_params}"),
        (4.0, f"- Number of trainable parameters: {trainable}"),
        (4.0, f"- Number of non-trainable parameters: {num_params - trainable}"),
    ]
    t, total = 20.0, 0.0
    for e in range(1, last + 1):
        shape = 1.0 - 0.3 * ((e - peak) / epochs) ** 2
        val_acc = fraction(target * val_ratio * shape)
        acc = fraction(val_acc * 1.02)
        dur = max(1.0, ctx.noisy(epoch_s, f"epoch{e}", 0.5))
        lines.append((t, f"Epoch {e}/{epochs}"))
        t += dur
        total += dur
        lines.append((t, (
            f"{max(1, int(dur * 4))}/{max(1, int(dur * 4))} - {int(dur)}s - loss: {fmt(_loss(acc))} - accuracy: {fmt(acc)}"
            f" - top_5_accuracy: {fmt(fraction(top5 * shape ** 0.3 * 1.01))} - val_loss: {fmt(_loss(val_acc))}"
            f" - val_accuracy: {fmt(val_acc)} - val_top_5_accuracy: {fmt(fraction(top5 * shape ** 0.3))}"
        )))
        if (full := beyond_horizon(ctx, t, last - e, epoch_s)) is not None:
            return finish(ctx, lines, full + 2 + TEST_IMAGES / throughput + 5, "/usr/bin/python3 transfer_learning.py")
    if last < epochs:
        lines.append((t, f"Epoch {last}: early stopping"))
    lines.append((t + 1, f"- Total training duration: {total:.4f}"))
    lines.append((t + 1, f"- Average training duration per epoch: {total / last:.4f}"))
    latency = TEST_IMAGES / throughput
    t += 2 + latency
    lines += [
        (t, f"- Test loss: {fmt(_loss(target))}"),
        (t, f"- Test accuracy: {fmt(target)}"),
        (t, f"- Test top_5_accuracy: {fmt(top5)}"),
        (t, f"- Test evaluation latency: {latency:.4f}"),
        (t, f"- Average test latency per sample: {1.0 / throughput:.6f}"),
        (t, f"- Average test throughput: {throughput:.4f}"),
    ]
    return finish(ctx, lines, t + 5, "/usr/bin/python3 transfer_learning.py")


def _loss(acc: float) -> float:
    return -math.log(max(1e-4, acc)) * 1.3 + 0.02
