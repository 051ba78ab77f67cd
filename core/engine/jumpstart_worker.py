"""JumpStart lookups in a child process: `python -m jstui.engine.jumpstart_worker` reads a JSON list of
lookups on stdin and writes their results (JumpStartModel.to_dict(), or the error) on stdout. An item
with "builtin" (an algorithm's name) asks for a built-in algorithm's training image instead
(sagemaker-core's `image_uris.retrieve`, which reads the image tables the SDK ships): {"image": URI}.

Importing sagemaker-core costs ~150 MB of resident memory and seconds of CPU; a session that launches
from the TUI would otherwise keep both for its lifetime. The parent keeps only the results, cached in
the journal (jstui.engine.models), so each model is looked up once per home."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def main() -> int:
    from jstui.aws.jumpstart import builtin_image, lookup
    from jstui.domain.errors import JstuiError

    out: list[dict[str, Any]] = []
    for item in json.load(sys.stdin):
        try:
            if item.get("builtin") is not None:
                out.append({"image": builtin_image(item["builtin"], item["region"])})
                continue
            model = lookup(item["model_id"], item["version"], region=item["region"],
                           offline_dir=Path(item["offline_dir"]) if item.get("offline_dir") else None,
                           instance_type=item["instance_type"])  # fmt: skip
            out.append({"model": model.to_dict()})
        except JstuiError as exc:
            out.append({"error": str(exc), "kind": type(exc).__name__})
    json.dump(out, sys.stdout, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
