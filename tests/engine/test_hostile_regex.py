"""Re-check of issue 16, "Crashes" 8, on jstui's own side: a metric regex that backtracks
catastrophically froze the TUI for good once its curves screen opened (the learning-curve reader ran it
with `re`, which cannot be interrupted and holds the GIL), and would hang `status --reread-metrics`
the same way. The emulator already time-boxed it; both readers now do too, and the other metrics
still read. Each reader runs in a thread with a generous bound, so a regression fails, not hangs."""

from __future__ import annotations

import threading

from jstui.domain.curves import CurveReader, Definition
from jstui.domain.metrics import RUNAWAY, read_metrics
from jstui.domain.model import MetricDefinition

RUNAWAY_REGEX = r"^(?:.|..)*\d{9}(\d)"  # exponential in the line's length when it cannot match
LINES = ["Epoch 1/2", "- loss: 0.9 - val_accuracy: 0.5000 " + "x" * 60, "Epoch 2/2", "- val_accuracy: 0.7500 " + "y" * 60]


def _finishes(fn):
    out: list = []
    t = threading.Thread(target=lambda: out.append(fn()), daemon=True)
    t.start()
    t.join(120)  # a bound, not a measurement: without the time box this never returns
    assert not t.is_alive(), "the reader hung on a catastrophic regex"
    return out[0]


def test_the_curve_reader_gives_up_a_runaway_regex_and_reads_the_rest():
    reader = CurveReader([Definition("slow", RUNAWAY_REGEX), Definition("val_accuracy", r"val_accuracy: ([0-9.]+)")])
    added = _finishes(lambda: reader.feed(LINES))
    assert added == 2 and [v for _, v in reader.series["val_accuracy"]] == [0.5, 0.75]
    assert reader.problems == {"slow": RUNAWAY} and reader.series["slow"] == []
    assert reader.progress.epoch == 2


def test_reread_metrics_gives_up_a_runaway_regex_and_reads_the_rest():
    defs = (MetricDefinition("slow", RUNAWAY_REGEX), MetricDefinition("val_accuracy", r"val_accuracy: ([0-9.]+)"))
    assert _finishes(lambda: read_metrics(LINES, defs)) == {"val_accuracy": 0.75}


def test_one_timeout_from_a_loaded_machine_does_not_give_a_regex_up():
    """The time box is wall-clock time: a busy machine can make an ordinary search overrun it once."""
    from jstui.domain import metrics

    real = metrics.compile_metric(r"val_accuracy: ([0-9.]+)")
    timeouts: list[float] = []

    class SlowOnce:
        def search(self, line, timeout):
            timeouts.append(timeout)
            if len(timeouts) == 1:
                raise TimeoutError("regex timed out")
            return real.search(line, timeout=timeout)

    m = metrics.search_metric(SlowOnce(), "- val_accuracy: 0.7500")
    assert m is not None and m.group(1) == "0.7500"
    assert timeouts == [metrics.REGEX_TIMEOUT_S, metrics.REGEX_TIMEOUT_S * metrics.CONFIRM_FACTOR]
