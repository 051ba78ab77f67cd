"""Built-in SageMaker algorithms jstui knows: how a candidate maps to a catalog id.

(The hyperparameter tables and valid values of seed 003 belong here too.)"""

from __future__ import annotations

# The hyperparameters that select the model within a built-in algorithm (DESIGN: a built-in's
# catalog id is the algorithm plus these, e.g. `image-classification:num_layers=50`).
SELECTING_HYPERPARAMETERS: dict[str, tuple[str, ...]] = {
    "image-classification": ("num_layers",),
    "object-detection": ("base_network",),
}


def catalog_id_for(algorithm: str, hyperparameters: dict[str, object]) -> str:
    keys = SELECTING_HYPERPARAMETERS.get(algorithm, ())
    parts = [f"{k}={hyperparameters[k]}" for k in keys if k in hyperparameters]
    return algorithm + (":" + ",".join(parts) if parts else "")
