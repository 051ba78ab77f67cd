"""`jumpstart-od`: a JumpStart (Type 2) object detection fine-tuning script, seed 002's "Type 2" model.
It reports `Val_CrossEntropy` and `Val_SmoothL1` (minimised), not mAP; the catalog's mAP figures set how
good a job is and the losses follow from it."""

from __future__ import annotations

from jstui.emulator.families.common import JobContext, Run, beyond_horizon, finish, fraction, param, preamble, surface

NAME = "jumpstart-od"
METRIC_DEFINITIONS: tuple[tuple[str, str], ...] = ()  # JumpStart jobs bring their own
MAP = ("test_mAP", "mAP", "validation:mAP")
LOG_REGEXES = {"Val_CrossEntropy": r"Val_CrossEntropy=([0-9\.]+)", "Val_SmoothL1": r"Val_SmoothL1=([0-9\.]+)"}


def run(ctx: JobContext) -> Run:
    lr_name = "adam-learning-rate" if "adam-learning-rate" in ctx.hyperparameters else "learning_rate"
    distinct = ctx.has_distinct_default(MAP)
    # With distinct default and tuned figures the optimum is away from the default (seed 002: HPO helped).
    p = param(ctx, lr_name, 0.001, None, log=True, width=1.0)
    if distinct and p.optimum is None:
        p = param(ctx, lr_name, p.default, p.default * 0.5, log=True, width=1.0)
    tuned = ctx.figure(MAP) or ctx.synthetic("mAP", 0.2, 0.5)
    default = ctx.figure(MAP, "default") if distinct else None
    target = fraction(ctx.noisy(surface(ctx, (p,), tuned, default), "mAP"))
    epochs = max(1, int(ctx.hp("epochs", 5)))
    epoch_s = ctx.figure(("train_epoch_duration",))
    if epoch_s is None:
        total = ctx.figure(("train_duration",))
        epoch_s = total / 5 if total else ctx.synthetic("train_epoch_duration", 60.0, 900.0, log=True)
    lines = preamble(ctx, "JumpStart object detection fine-tuning (MXNet GluonCV)")
    t = 15.0
    for e in range(epochs):
        shape = 1.0 - 0.4 * ((e + 1 - epochs) / epochs) ** 2
        m = fraction(target * shape)
        dur = max(1.0, ctx.noisy(epoch_s, f"epoch{e}", 0.5))
        t += dur
        ce, sl1 = 0.9 * (1 - m) + 0.05, 0.35 * (1 - m) + 0.02
        lines += [
            (t, f"[Epoch {e}] Training cost: {dur:.3f}, CrossEntropy={ce * 0.9:.4f}, SmoothL1={sl1 * 0.9:.4f}"),
            (t + 4, f"[Epoch {e}] Val_CrossEntropy={ce:.4f}, Val_SmoothL1={sl1:.4f}"),
        ]
        t += 4
        if (full := beyond_horizon(ctx, t, epochs - e - 1, epoch_s + 4)) is not None:
            return finish(ctx, lines, full + 5, "/usr/bin/python3 transfer_learning.py")
    return finish(ctx, lines, t + 5, "/usr/bin/python3 transfer_learning.py")
