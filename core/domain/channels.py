"""Which input channels (and content types) an algorithm reads: shared by the study-file checks and the
emulator's containers, so a study that validates is one the real containers accept.

Sources (AWS SageMaker Developer Guide):
- "Image Classification - MXNet", Input/Output Interface: RecordIO training uses the `train` and
  `validation` channels with content type `application/x-recordio`; image-format training uses `train`,
  `validation`, `train_lst` and `validation_lst` with `application/x-image` (or `image/png`,
  `image/jpeg`) on all four; a `model` channel is allowed for incremental training.
- "Object Detection - MXNet", Input/Output Interface: RecordIO uses `train` and `validation`
  (`application/x-recordio`); image format uses `train`, `validation`, `train_annotation` and
  `validation_annotation` with `image/png`, `image/jpeg` or `application/x-image` on all four.
- The built-in containers validate InputDataConfig against a schema and fail the job with
  "ClientError: Unable to initialize the algorithm. Failed to validate input data configuration.
  (caused by ValidationError)" and the schema's reason.
- JumpStart transfer-learning scripts read `training` (and, where the model's documentation says so,
  `validation` and `test`); seed 000: the `test_*` metrics appear only when a `test` channel is given.
  The SDK adds a `model` channel (the pre-trained artifact) and, with network isolation, a `code`
  channel (the script)."""

from __future__ import annotations

from dataclasses import dataclass

RECORDIO = "application/x-recordio"
IMAGE_TYPES = ("application/x-image", "image/png", "image/jpeg")
MODEL_CHANNEL = "model"
CODE_CHANNEL = "code"


@dataclass(frozen=True)
class ChannelLayout:
    """One way of feeding a built-in algorithm: its channels and the content types each accepts."""

    name: str  # "RecordIO" | "image"
    channels: tuple[str, ...]  # all required
    content_types: tuple[str, ...]


BUILTIN_LAYOUTS: dict[str, tuple[ChannelLayout, ...]] = {
    "image-classification": (
        ChannelLayout("RecordIO", ("train", "validation"), (RECORDIO,)),
        ChannelLayout("image", ("train", "validation", "train_lst", "validation_lst"), IMAGE_TYPES),
    ),
    "object-detection": (
        ChannelLayout("RecordIO", ("train", "validation"), (RECORDIO,)),
        ChannelLayout("image", ("train", "validation", "train_annotation", "validation_annotation"), IMAGE_TYPES),
    ),
}
OPTIONAL_BUILTIN_CHANNELS = (MODEL_CHANNEL,)  # incremental training


def builtin_channel_problem(algorithm: str, channels: dict[str, str | None]) -> str | None:
    """Why the built-in `algorithm`'s container would reject these channels (name -> ContentType, None
    when not given), in the container's words after "Caused by: "; None when it accepts them."""
    layouts = BUILTIN_LAYOUTS.get(algorithm)
    if not layouts:
        return None
    data = {k: v for k, v in channels.items() if k not in OPTIONAL_BUILTIN_CHANNELS}
    train_type = data.get("train")
    layout = next((lay for lay in layouts if train_type in lay.content_types), None)
    if layout is None:
        if "train" not in data:
            return "'train' is a required property"
        allowed = sorted({t for lay in layouts for t in lay.content_types})
        shown = "None" if train_type is None else repr(train_type)
        return f"{shown} is not one of {allowed} (channel 'train', ContentType)"
    for ch in layout.channels:
        if ch not in data:
            return f"'{ch}' is a required property ({layout.name} format)"
    extra = sorted(set(data) - set(layout.channels))
    if extra:
        return (f"Additional properties are not allowed ({', '.join(repr(e) for e in extra)} "
                f"{'was' if len(extra) == 1 else 'were'} unexpected)")
    for ch in layout.channels:
        if data[ch] not in layout.content_types:
            shown = "None" if data[ch] is None else repr(data[ch])
            return f"{shown} is not one of {list(layout.content_types)} (channel '{ch}', ContentType)"
    return None


def builtin_failure_reason(problem: str) -> str:
    """A built-in container's FailureReason for a rejected input data configuration."""
    return ("ClientError: Unable to initialize the algorithm. Failed to validate input data configuration. "
            f"(caused by ValidationError)\n\nCaused by: {problem}")


def builtin_channel_help(algorithm: str) -> str:
    """A short line naming what the algorithm reads (for study-file errors)."""
    layouts = BUILTIN_LAYOUTS.get(algorithm, ())
    if not layouts:
        return ""
    rec, *others = layouts
    text = f"{' and '.join(rec.channels)} with content_type \"{rec.content_types[0]}\""
    for lay in others:
        text += f", or {', '.join(lay.channels)} with \"{lay.content_types[0]}\""
    return text
