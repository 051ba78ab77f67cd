"""Built-in SageMaker algorithms jstui knows: how a candidate maps to a catalog id.

(The hyperparameter tables and valid values of seed 003 belong here too.)"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# The hyperparameters that select the model within a built-in algorithm (a built-in's
# catalog id is the algorithm plus these, docs/emulator.md, e.g. `image-classification:num_layers=50`).
SELECTING_HYPERPARAMETERS: dict[str, tuple[str, ...]] = {
    "image-classification": ("num_layers",),
    "object-detection": ("base_network",),
}


def catalog_id_for(algorithm: str, hyperparameters: Mapping[str, object]) -> str:
    keys = SELECTING_HYPERPARAMETERS.get(algorithm, ())
    parts = [f"{k}={hyperparameters[k]}" for k in keys if k in hyperparameters]
    return algorithm + (":" + ",".join(parts) if parts else "")


# --- Built-in algorithms' own metrics (they ignore MetricDefinitions) --------------------------------
# name -> direction; the first is the default objective (SageMaker docs "Tune an Image Classification
# Model" / "Tune an Object Detection Model").
BUILTIN_METRICS: dict[str, dict[str, str]] = {
    "image-classification": {"validation:accuracy": "Maximize", "train:accuracy": "Maximize"},
    "object-detection": {"validation:mAP": "Maximize", "train:progress": "Maximize"},
}


# --- Built-in algorithms' hyperparameters --------------------------------------------------------------
@dataclass(frozen=True)
class HyperparameterSpec:
    """What one hyperparameter of a built-in algorithm accepts. Values arrive as strings (that is
    how SageMaker passes them), so every check parses the string."""

    name: str
    kind: str  # "int" | "float" | "choice" | "shape" | "string" | "int-list"
    required: bool = False
    min: float | None = None  # inclusive unless min_exclusive
    max: float | None = None
    min_exclusive: bool = False
    choices: tuple[str, ...] = ()
    default: str | None = None

    def describe(self) -> str:
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind == "shape":
            return "'channels,height,width', e.g. '3,224,224'"
        if self.kind == "int-list":
            return "comma-separated epochs, e.g. '10,20'"
        if self.kind in ("int", "float"):
            what = "an integer" if self.kind == "int" else "a number"
            lo = "" if self.min is None else (f"> {_fmt(self.min)}" if self.min_exclusive else f">= {_fmt(self.min)}")
            hi = "" if self.max is None else f"<= {_fmt(self.max)}"
            if self.kind == "float" and self.min is not None and self.max is not None and not self.min_exclusive:
                return f"a number in [{_fmt(self.min)}, {_fmt(self.max)}]"
            return " ".join(x for x in (what, lo, "and" if lo and hi else "", hi) if x)
        return "a string"

    def problem(self, value: str) -> str | None:
        """Why `value` is not acceptable, or None."""
        v = value.strip()
        if self.kind == "choice":
            return None if v in self.choices else f"{value!r} is not {self.describe()}"
        if self.kind == "shape":
            parts = v.split(",")
            ok = len(parts) == 3 and all(p.strip().isdigit() and int(p) > 0 for p in parts)
            return None if ok else f"{value!r} is not {self.describe()}"
        if self.kind == "int-list":
            ok = all(p.strip().isdigit() and int(p) > 0 for p in v.split(",")) if v else False
            return None if ok else f"{value!r} is not {self.describe()}"
        if self.kind in ("int", "float"):
            try:
                num = int(v) if self.kind == "int" else float(v)
            except ValueError:
                return f"{value!r} is not {self.describe()}"
            if self.min is not None and (num <= self.min if self.min_exclusive else num < self.min):
                return f"{value} is out of range: must be {self.describe()}"
            if self.max is not None and num > self.max:
                return f"{value} is out of range: must be {self.describe()}"
        return None


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _pos_int(name: str, **kw) -> HyperparameterSpec:
    return HyperparameterSpec(name, "int", min=1, **kw)


def _unit(name: str, **kw) -> HyperparameterSpec:
    return HyperparameterSpec(name, "float", min=0, max=1, **kw)


def _flag(name: str, **kw) -> HyperparameterSpec:
    return HyperparameterSpec(name, "choice", choices=("0", "1"), **kw)


def _bool(name: str, **kw) -> HyperparameterSpec:
    return HyperparameterSpec(name, "choice", choices=("True", "False"), **kw)


# ResNet depths (seed 003, num_layers): the first set is for large images and is the only one with
# pretrained weights; the second is for small (CIFAR-size) images.
IC_PRETRAINED_LAYERS = ("18", "34", "50", "101", "152", "200")
IC_SMALL_IMAGE_LAYERS = ("20", "32", "44", "56", "110")

# Seed 003: "Image Classification Hyperparameters - Amazon SageMaker", every parameter it lists.
IMAGE_CLASSIFICATION: dict[str, HyperparameterSpec] = {
    s.name: s
    for s in (
        _pos_int("num_classes", required=True),
        _pos_int("num_training_samples", required=True),
        HyperparameterSpec("augmentation_type", "choice", choices=("crop", "crop_color", "crop_color_transform")),
        _unit("beta_1", default="0.9"),
        _unit("beta_2", default="0.999"),
        _pos_int("checkpoint_frequency"),  # also <= epochs: checked with the other values
        _bool("early_stopping", default="False"),
        _pos_int("early_stopping_min_epochs", default="10"),
        _pos_int("early_stopping_patience", default="5"),
        _unit("early_stopping_tolerance", default="0.0"),
        _pos_int("epochs", default="30"),
        _unit("eps", default="1e-8"),
        _unit("gamma", default="0.9"),
        HyperparameterSpec("image_shape", "shape", default="3,224,224"),
        HyperparameterSpec("kv_store", "choice", choices=("dist_sync", "dist_async")),
        _unit("learning_rate", default="0.1"),
        _unit("lr_scheduler_factor", default="0.1"),
        HyperparameterSpec("lr_scheduler_step", "int-list"),
        _pos_int("mini_batch_size", default="32"),
        _unit("momentum", default="0.9"),
        _flag("multi_label", default="0"),
        HyperparameterSpec("num_layers", "choice", choices=IC_PRETRAINED_LAYERS + IC_SMALL_IMAGE_LAYERS,
                           default="152"),
        HyperparameterSpec("optimizer", "choice", choices=("sgd", "adam", "rmsprop", "nag"), default="sgd"),
        HyperparameterSpec("precision_dtype", "choice", choices=("float32", "float16"), default="float32"),
        _pos_int("resize"),
        HyperparameterSpec("top_k", "int", min=2),  # "positive integer larger than 1"
        _flag("use_pretrained_model", default="0"),
        _flag("use_weighted_loss", default="0"),
        _unit("weight_decay", default="0.0001"),
    )
}

# SageMaker docs "Object Detection Hyperparameters" (seed 002 trains this algorithm).
OBJECT_DETECTION: dict[str, HyperparameterSpec] = {
    s.name: s
    for s in (
        _pos_int("num_classes", required=True),
        _pos_int("num_training_samples", required=True),
        HyperparameterSpec("base_network", "choice", choices=("vgg-16", "resnet-50"), default="vgg-16"),
        _bool("early_stopping", default="False"),
        _pos_int("early_stopping_min_epochs", default="10"),
        _pos_int("early_stopping_patience", default="5"),
        _unit("early_stopping_tolerance", default="0.0"),
        HyperparameterSpec("image_shape", "int", min=300, default="300"),
        _pos_int("epochs", default="30"),
        HyperparameterSpec("freeze_layer_pattern", "string"),
        HyperparameterSpec("kv_store", "choice", choices=("device", "dist_sync", "dist_async")),
        _pos_int("label_width", default="350"),
        HyperparameterSpec("learning_rate", "float", min=0, max=1, min_exclusive=True, default="0.001"),
        _unit("lr_scheduler_factor", default="0.1"),
        HyperparameterSpec("lr_scheduler_step", "int-list"),
        _pos_int("mini_batch_size", default="32"),
        _unit("momentum", default="0.9"),
        _unit("nms_threshold", default="0.45"),
        HyperparameterSpec("optimizer", "choice", choices=("sgd", "adam", "rmsprop", "adadelta"), default="sgd"),
        _unit("overlap_threshold", default="0.5"),
        _flag("use_pretrained_model", default="1"),
        _unit("weight_decay", default="0.0005"),
    )
}

BUILTIN_HYPERPARAMETERS: dict[str, dict[str, HyperparameterSpec]] = {
    "image-classification": IMAGE_CLASSIFICATION,
    "object-detection": OBJECT_DETECTION,
}


def builtin_cross_problems(algorithm: str, values: dict[str, str]) -> list[tuple[str, str]]:
    """Rules across hyperparameters of a built-in (seed 003): (hyperparameter, problem) pairs.
    `values` holds the fixed values (defaults not filled in)."""
    out: list[tuple[str, str]] = []
    if algorithm != "image-classification":
        return out
    pretrained = values.get("use_pretrained_model", "0").strip() == "1"
    layers = values.get("num_layers", IMAGE_CLASSIFICATION["num_layers"].default or "").strip()
    if pretrained and layers in IC_SMALL_IMAGE_LAYERS:
        out.append(("num_layers", f"{layers} has no pretrained weights; with use_pretrained_model = 1 use one of "
                                  + ", ".join(IC_PRETRAINED_LAYERS)))
    shape = values.get("image_shape", "").replace(" ", "")
    if pretrained and shape and IMAGE_CLASSIFICATION["image_shape"].problem(shape) is None:
        if shape.split(",")[1:] != ["224", "224"]:
            out.append(("image_shape", f"{shape!r}: pretrained models take only 224x224 images (e.g. '3,224,224')"))
    epochs, ckpt = values.get("epochs", "30"), values.get("checkpoint_frequency")
    if ckpt and ckpt.strip().isdigit() and epochs.strip().isdigit() and int(ckpt) > int(epochs):
        out.append(("checkpoint_frequency", f"{ckpt} is more than epochs ({epochs}): no checkpoint would be saved"))
    top_k, classes = values.get("top_k"), values.get("num_classes")
    if top_k and classes and top_k.strip().isdigit() and classes.strip().isdigit() and int(top_k) > int(classes):
        out.append(("top_k", f"{top_k} is more than num_classes ({classes})"))
    return out
