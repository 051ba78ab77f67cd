"""Metric presets read every form the families' real loggers print a number in (issue 15, item 2).

Line forms, with their sources:
- Keras `Progbar` (tf.keras, keras/utils/generic_utils.py): values below 1e-3 print as `%.4e`
  (`val_accuracy: 8.0000e-04`), others as `%.4f`; its one-line-per-epoch form (verbose=2) prints
  every value with `%.4e` when small, so negatives and zero appear as `-5.1230e-01` / `0.0000e+00`.
- The JumpStart TF script's own summary lines (`- Test accuracy: ...`, seed 000's table) are Python
  prints: `repr(float)` forms such as `5e-05`, `0.91`, and integers (`- Number of parameters: 12`).
- The JumpStart MXNet SSD script prints `Val_CrossEntropy=0.1234, Val_SmoothL1=0.0567` (the regexes
  its spec publishes)."""

from __future__ import annotations

import re

import pytest

from jstui.domain.metrics import PRESETS, lint_regex, preset_problems


def _read(preset: str, name: str, line: str) -> float | None:
    """What SageMaker reads: the regex searched over the line, its one group as a float."""
    regex = next(d.regex for d in PRESETS[preset] if d.name == name)
    m = re.search(regex, line)
    return float(m.group(1)) if m else None


KERAS_PROGBAR = "1/1 [==============================] - 3s 3s/step - loss: 4.8372 - accuracy: 0.0000e+00 - val_loss: 5.1230 - val_accuracy: 8.0000e-04"
KERAS_EPOCH_LINE = "2/2 - 4s - loss: -5.1230e-01 - accuracy: 0.5000 - val_loss: 6.2500e-05 - val_accuracy: 0.0000e+00 - 4s/epoch"
SCRIPT_LINES = {
    "- Test loss: 5e-05": ("test_loss", 5e-05),
    "- Test accuracy: 0.91": ("test_accuracy", 0.91),
    "- Test accuracy: 1.0": ("test_accuracy", 1.0),
    "- Number of parameters: 12": ("num_params", 12.0),
    "- Average test throughput: 1.2345e+03": ("test_throughput", 1234.5),
    "- Test auc: -0.25": ("test_auc", -0.25),
}


@pytest.mark.parametrize(
    "line,name,expected",
    [
        (KERAS_PROGBAR, "val_accuracy", 8.0e-4),
        (KERAS_PROGBAR, "train_accuracy", 0.0),
        (KERAS_PROGBAR, "val_loss", 5.1230),
        (KERAS_EPOCH_LINE, "train_loss", -0.5123),
        (KERAS_EPOCH_LINE, "val_loss", 6.25e-05),
        (KERAS_EPOCH_LINE, "val_accuracy", 0.0),
    ]
    + [(line, name, value) for line, (name, value) in SCRIPT_LINES.items()],
)
def test_jumpstart_ic_reads_every_number_form(line, name, expected):
    assert _read("jumpstart-ic", name, line) == pytest.approx(expected)


def test_seed_regex_misreads_what_the_preset_reads():
    """The reason the preset differs from seed 000's published `([0-9\\.]+)`."""
    seed = re.search(r"- val_accuracy: ([0-9\.]+)", KERAS_PROGBAR)
    assert float(seed.group(1)) == 8.0  # a broken job would rank best
    assert _read("jumpstart-ic", "val_accuracy", KERAS_PROGBAR) == pytest.approx(8e-4)


@pytest.mark.parametrize("line,ce,sl1", [
    ("[Epoch 3] Val_CrossEntropy=0.1234, Val_SmoothL1=0.0567", 0.1234, 0.0567),
    ("[Epoch 3] Val_CrossEntropy=8.0000e-04, Val_SmoothL1=5e-05", 8e-4, 5e-05),
])
def test_jumpstart_od_reads_the_scripts_lines(line, ce, sl1):
    assert _read("jumpstart-od", "Val_CrossEntropy", line) == pytest.approx(ce)
    assert _read("jumpstart-od", "Val_SmoothL1", line) == pytest.approx(sl1)


def test_presets_pass_the_regex_lint():
    assert preset_problems() == []


def test_lint_flags_the_seed_form_and_accepts_the_preset_form():
    assert "8.0000e-04" in lint_regex(r"- val_accuracy: ([0-9\.]+)")
    assert lint_regex(r"- val_accuracy: ([0-9]+\.[0-9]+)") is not None
    assert lint_regex(next(d.regex for d in PRESETS["jumpstart-ic"] if d.name == "val_accuracy")) is None
