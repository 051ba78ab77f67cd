"""Algorithm families: what each emulated training script logs and, for built-ins, the metric definitions
the service supplies (docs/emulator.md, "Algorithm families")."""

from __future__ import annotations

from types import ModuleType

from jstui.emulator.families import (
    builtin_image_classification,
    builtin_object_detection,
    jumpstart_ic,
    jumpstart_object_detection,
)
from jstui.domain.channels import CODE_CHANNEL, builtin_channel_problem, builtin_failure_reason
from jstui.emulator.families.common import JobContext, Run, preamble

FAMILIES: dict[str, ModuleType] = {
    m.NAME: m
    for m in (jumpstart_ic, jumpstart_object_detection, builtin_image_classification, builtin_object_detection)
}

__all__ = ["FAMILIES", "JobContext", "Run", "run_job", "builtin_metric_definitions"]


# The SageMaker training toolkit's path for a script shipped as the `code` channel (SDK v2
# EstimatorBase.CONTAINER_CODE_CHANNEL_SOURCEDIR_PATH).
CODE_CHANNEL_SOURCEDIR = "/opt/ml/input/data/code/sourcedir.tar.gz"
TRAINING_CHANNEL = "training"
_BUILTIN_ALGORITHMS = {"builtin-image-classification": "image-classification",
                       "builtin-object-detection": "object-detection"}


def run_job(ctx: JobContext) -> Run:
    refused = _container_refuses(ctx)
    if refused is not None:
        return refused
    return FAMILIES[ctx.profile.family].run(ctx)


def _container_refuses(ctx: JobContext) -> Run | None:
    """What the container does before any training: a built-in validates its channels (AWS docs'
    Input/Output Interface, see jstui.domain.channels); a script-mode container fetches its script
    (sagemaker-training toolkit: `sagemaker_submit_directory` is an S3 URI it downloads, or a path
    under /opt/ml/input/data/ when shipped as a channel)."""
    algorithm = _BUILTIN_ALGORITHMS.get(ctx.profile.family)
    if algorithm is not None:
        problem = builtin_channel_problem(algorithm, ctx.channels)
        if problem is None:
            return None
        lines = preamble(ctx, f"built-in {algorithm}")
        lines.append((2.0, f"[ERROR] Customer Error: Failed to validate input data configuration: {problem}"))
        return Run(tuple(lines), 3.0, builtin_failure_reason(problem))
    submit = ctx.hyperparameters.get("sagemaker_submit_directory", "")
    reason = None
    if TRAINING_CHANNEL not in ctx.channels:
        # The JumpStart image-classification / object-detection scripts read the `training` channel (AWS
        # docs "Image Classification - TensorFlow", "Object Detection - TensorFlow": fit({"training": ...});
        # the toolkit exposes it as SM_CHANNEL_TRAINING).
        reason = ('AlgorithmError: ExecuteUserScriptError: ExitCode 1 ErrorMessage "KeyError: \'SM_CHANNEL_TRAINING\'" '
                  f'Command "/usr/bin/python3 transfer_learning.py" (the job has no `{TRAINING_CHANNEL}` channel)')
    elif submit.startswith("s3://") and ctx.network_isolation:
        bucket, _, key = submit[5:].partition("/")
        reason = ("AlgorithmError: framework error: botocore.exceptions.EndpointConnectionError: Could not "
                  f'connect to the endpoint URL: "https://{bucket}.s3.amazonaws.com/{key}" (network isolation '
                  "is on, so the container cannot download sagemaker_submit_directory; the SageMaker SDK ships "
                  f"the script as the `{CODE_CHANNEL}` channel instead)")
    elif submit.startswith("/opt/ml/input/data/"):
        channel = submit[len("/opt/ml/input/data/"):].split("/", 1)[0]
        if channel not in ctx.channels:
            reason = (f"AlgorithmError: framework error: FileNotFoundError: [Errno 2] No such file or directory: "
                      f"'{submit}' (no `{channel}` input channel)")
    if reason is None:
        return None
    lines = preamble(ctx, "script mode")
    lines.append((2.0, f"ERROR: {reason}"))
    return Run(tuple(lines), 3.0, reason)


def builtin_metric_definitions(family: str) -> tuple[tuple[str, str], ...]:
    return FAMILIES[family].METRIC_DEFINITIONS
