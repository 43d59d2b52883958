"""The models of the offline `local` provider (adapters/local): real H.264 MP4 files rendered on
this machine with FFmpeg, free, so the whole pipeline runs without any API key.

What each model does with its fields is exactly what adapters/local renders; the limits on
input lengths keep a render to a few minutes of CPU at most.
"""

from __future__ import annotations

from videoforge.domain.catalog import AUDIO, IMAGE, ORIGINAL, VIDEO, InputLimit, ModelSpec
from videoforge.domain.media import MediaKind
from videoforge.domain.operations import OperationType as Op
from videoforge.domain.options import ModelOption, Span
from videoforge.domain.pricing import BilledDuration, Flat, rates

LOCAL = "local"
FREE = Flat(rates(**{"*": "0"}))
RESOLUTIONS = ("360p", "480p", "720p", "1080p")
ASPECT_RATIOS = ("16:9", "9:16", "1:1")
SOURCE = "rendered on this machine by adapters/local"
LOCAL_AUDIO = InputLimit(AUDIO.max_bytes, AUDIO.content_types, min_seconds=0.5, max_seconds=120)
LOCAL_VIDEO = InputLimit(VIDEO.max_bytes, VIDEO.content_types, min_seconds=0.1, max_seconds=120)

_COMMON = {"provider": LOCAL, "price": FREE, "resolutions": RESOLUTIONS, "default_resolution": "720p",
           "aspect_ratios": ASPECT_RATIOS, "default_aspect_ratio": "16:9",
           "verified": True, "source": SOURCE}

LOCAL_MODELS: tuple[ModelSpec, ...] = (
    ModelSpec(
        id="local/title-card", operation=Op.TEXT_TO_VIDEO, name="Animated title card (offline)",
        aliases=("local/text-to-video",), durations=tuple(range(1, 21)), default_duration=5,
        prompt_required=True, max_prompt_chars=500, optional_fields=frozenset({"seed"}), **_COMMON,
    ),
    ModelSpec(
        id="local/pan-zoom", operation=Op.IMAGE_TO_VIDEO, name="Pan and zoom over the image (offline)",
        aliases=("local/image-to-video",), durations=tuple(range(1, 21)), default_duration=5,
        max_prompt_chars=200, inputs={MediaKind.IMAGE: IMAGE}, required_inputs=frozenset({MediaKind.IMAGE}),
        **_COMMON,
    ),
    ModelSpec(
        id="local/still-avatar", operation=Op.AVATAR, name="Portrait with the audio track (offline)",
        aliases=("local/avatar",), billed_from=BilledDuration.INPUT_AUDIO,
        inputs={MediaKind.IMAGE: IMAGE, MediaKind.AUDIO: LOCAL_AUDIO},
        required_inputs=frozenset({MediaKind.IMAGE, MediaKind.AUDIO}), **_COMMON,
    ),
    ModelSpec(
        id="local/lanczos-upscale", operation=Op.ENHANCE, name="Lanczos upscale (offline)",
        aliases=("local/enhance",), billed_from=BilledDuration.INPUT_VIDEO,
        inputs={MediaKind.VIDEO: LOCAL_VIDEO}, required_inputs=frozenset({MediaKind.VIDEO}),
        **(_COMMON | {"default_resolution": "1080p"}),
    ),
    ModelSpec(
        id="local/hold-extend", operation=Op.EXTEND, name="Extend by holding the last frame (offline)",
        aliases=("local/extend",), durations=tuple(range(1, 11)), default_duration=3,
        inputs={MediaKind.VIDEO: LOCAL_VIDEO}, required_inputs=frozenset({MediaKind.VIDEO}), **_COMMON,
    ),
)

# The video tools keep the input's own frame, size and rate.
_TOOL = _COMMON | {"resolutions": (ORIGINAL,), "default_resolution": ORIGINAL, "aspect_ratios": (),
                   "default_aspect_ratio": None, "billed_from": BilledDuration.INPUT_VIDEO}
BACKGROUND_COLOURS = ("green", "blue", "black", "white")

LOCAL_MODELS += (
    ModelSpec(
        id="local/soundtrack", operation=Op.ADD_AUDIO, name="A generated soundtrack of the video's length (offline)",
        aliases=("local/add-audio",), inputs={MediaKind.VIDEO: LOCAL_VIDEO},
        required_inputs=frozenset({MediaKind.VIDEO}), **_TOOL,
    ),
    ModelSpec(
        id="local/title-card-retake", operation=Op.EDIT, name="A span re-rendered as a title card (offline)",
        aliases=("local/edit",), prompt_required=True, max_prompt_chars=500, optional_fields=frozenset({"seed"}),
        inputs={MediaKind.VIDEO: LOCAL_VIDEO}, required_inputs=frozenset({MediaKind.VIDEO}),
        options={"start_time": ModelOption(float, minimum=0, within=MediaKind.VIDEO, help="span start, seconds"),
                 "end_time": ModelOption(float, minimum=0, within=MediaKind.VIDEO, help="span end, seconds")},
        span=Span("start_time", "end_time", min_seconds=0.1), **_TOOL,
    ),
    ModelSpec(
        id="local/flat-background", operation=Op.REMOVE_BACKGROUND,
        name="A flat background colour replaced by an image or a colour (offline)",
        aliases=("local/remove-background",),
        inputs={MediaKind.VIDEO: LOCAL_VIDEO, MediaKind.IMAGE: IMAGE}, required_inputs=frozenset({MediaKind.VIDEO}),
        options={"background_colour": ModelOption(choices=BACKGROUND_COLOURS, default="green",
                                                  help="the new background when no image is given")},
        **_TOOL,
    ),
)

LOCAL_DEFAULTS: dict[tuple[str, Op], str] = {
    (LOCAL, Op.TEXT_TO_VIDEO): "local/title-card",
    (LOCAL, Op.IMAGE_TO_VIDEO): "local/pan-zoom",
    (LOCAL, Op.AVATAR): "local/still-avatar",
    (LOCAL, Op.ENHANCE): "local/lanczos-upscale",
    (LOCAL, Op.EXTEND): "local/hold-extend",
    (LOCAL, Op.ADD_AUDIO): "local/soundtrack",
    (LOCAL, Op.EDIT): "local/title-card-retake",
    (LOCAL, Op.REMOVE_BACKGROUND): "local/flat-background",
}
