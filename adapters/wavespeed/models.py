"""How each WaveSpeed model takes a render specification: its field names and value formats.

WaveSpeed's models disagree on where the frame goes: `size` as "WIDTH*HEIGHT" pixels (the
text-to-video models that take an aspect ratio), the resolution's name under `resolution`, the
upscalers' `target_resolution`, or nowhere (fixed-resolution models). Those with an input for
their length take no `duration`. The field names come from the sources listed in
domain/models_wavespeed.py; a model of the catalog without an entry here cannot be submitted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from videoforge.domain.media import MediaKind
from videoforge.domain.render import RenderSpec

_INPUT_NAMES = {MediaKind.IMAGE: "image", MediaKind.AUDIO: "audio", MediaKind.VIDEO: "video"}


def takes(*kinds: MediaKind) -> Mapping[MediaKind, str]:
    """The input fields of a model taking `kinds` (WaveSpeed names each after its kind)."""
    return {kind: _INPUT_NAMES[kind] for kind in kinds}


@dataclass(frozen=True, slots=True)
class WireFormat:
    """One model's request body."""

    size_field: str | None = None  # takes the frame as "WIDTH*HEIGHT" under this field
    resolution_field: str | None = None  # takes the resolution's name ("720p") under this field
    aspect_ratio_field: str | None = None  # takes the aspect ratio ("16:9") under this field
    duration_field: str | None = "duration"  # None: the model's length comes from an input
    inline_images: bool = False  # takes small images inline as data URIs (else they are uploaded)
    raw_base64_images: bool = False  # takes images as bare base64, never a URL (Kling, as the legacy code sent)
    input_fields: Mapping[MediaKind, str] = field(default_factory=dict)  # the inputs it takes, by kind
    option_fields: Mapping[str, str] = field(default_factory=dict)  # the spec's options it takes: neutral -> wire
    option_values: Mapping[str, Mapping[Any, Any]] = field(default_factory=dict)  # values spelt otherwise

    def body(self, spec: RenderSpec, inputs: Mapping[MediaKind, str]) -> dict[str, Any]:
        """The JSON body for `spec`, with `inputs` (a URL or data URI per kind) under their fields.
        Fields come in a fixed order, so the same spec always makes the same bytes."""
        body: dict[str, Any] = {}
        if spec.prompt is not None:
            body["prompt"] = spec.prompt
        if self.size_field:
            body[self.size_field] = f"{spec.width}*{spec.height}"
        if self.resolution_field:
            body[self.resolution_field] = spec.resolution
        if self.aspect_ratio_field and spec.aspect_ratio:
            body[self.aspect_ratio_field] = spec.aspect_ratio
        if self.duration_field and spec.duration is not None:
            body[self.duration_field] = spec.duration
        options = {"negative_prompt": spec.negative_prompt, "seed": spec.seed, "generate_audio": spec.generate_audio,
                   "enable_prompt_expansion": spec.enable_prompt_expansion}
        body.update((name, value) for name, value in options.items() if value is not None)
        for name, value in spec.options.items():
            if name in self.option_fields:
                body[self.option_fields[name]] = self.option_values.get(name, {}).get(value, value)
        for kind, reference in inputs.items():
            body[self.input_fields[kind]] = reference
        return body


IMAGE, AUDIO, VIDEO = MediaKind.IMAGE, MediaKind.AUDIO, MediaKind.VIDEO

WIRE_FORMATS: Mapping[str, WireFormat] = {
    "wavespeed-ai/hunyuan-video-1.5/text-to-video": WireFormat(size_field="size"),
    "wavespeed-ai/hunyuan-video-1.5/image-to-video": WireFormat(resolution_field="resolution",
                                                                input_fields=takes(IMAGE)),
    "lightricks/ltx-2-pro/text-to-video": WireFormat(),
    "lightricks/ltx-2-fast/text-to-video": WireFormat(),
    "alibaba/wan-2.5/text-to-video": WireFormat(size_field="size", input_fields=takes(AUDIO)),
    "alibaba/wan-2.5/image-to-video": WireFormat(resolution_field="resolution", inline_images=True,
                                                 input_fields=takes(IMAGE, AUDIO)),
    "alibaba/wan-2.5/video-extend": WireFormat(resolution_field="resolution", input_fields=takes(VIDEO, AUDIO)),
    "alibaba/wan-2.6/text-to-video": WireFormat(size_field="size", input_fields=takes(AUDIO),
                                                option_fields={"shot_type": "shot_type"}),
    "alibaba/wan-2.6/image-to-video": WireFormat(resolution_field="resolution", input_fields=takes(IMAGE, AUDIO),
                                                 option_fields={"shot_type": "shot_type"}),
    "google/veo3.1/text-to-video": WireFormat(resolution_field="resolution", aspect_ratio_field="aspect_ratio"),
    "google/veo3.1-fast/text-to-video": WireFormat(resolution_field="resolution", aspect_ratio_field="aspect_ratio"),
    # The legacy code sent Kling's image as bare base64 and its guidance as guidance_scale (0-1).
    "kwaivgi/kling-v2.5-turbo-std/image-to-video": WireFormat(raw_base64_images=True, input_fields=takes(IMAGE),
                                                              option_fields={"guidance_scale": "guidance_scale"}),
    "wavespeed-ai/kandinsky5-pro/image-to-video": WireFormat(resolution_field="resolution",
                                                             input_fields={IMAGE: "image_url"}),
    "bytedance/seedance-v1.5-pro/video-extend": WireFormat(resolution_field="resolution", input_fields=takes(VIDEO),
                                                           option_fields={"camera_fixed": "camera_fixed"}),
    "wavespeed-ai/wan-2.2-spicy/video-extend": WireFormat(resolution_field="resolution", input_fields=takes(VIDEO)),
    "lightricks/ltx-2-retake": WireFormat(
        duration_field=None, input_fields=takes(VIDEO),
        option_fields={"start_time": "start_time", "end_time": "end_time", "replace": "mode"},
        option_values={"replace": {"audio_and_video": "replace_audio_and_video", "video": "replace_video",
                                   "audio": "replace_audio"}}),
    "wavespeed-ai/wan-2.1/mocha": WireFormat(resolution_field="resolution", duration_field=None,
                                             input_fields=takes(IMAGE, VIDEO)),
    "wavespeed-ai/video-face-swap": WireFormat(duration_field=None, input_fields={IMAGE: "face_image", VIDEO: "video"},
                                               option_fields={"target_gender": "target_gender",
                                                              "target_index": "target_index"}),
    "heygen/video-translate": WireFormat(duration_field=None, input_fields=takes(VIDEO),
                                         option_fields={"language": "output_language"}),
    "wavespeed-ai/video-background-remover": WireFormat(duration_field=None,
                                                        input_fields={VIDEO: "video", IMAGE: "background_image"}),
    "wavespeed-ai/hunyuan-video-foley": WireFormat(duration_field=None, input_fields=takes(VIDEO)),
    "wavespeed-ai/think-sound": WireFormat(duration_field=None, input_fields=takes(VIDEO)),
    "wavespeed-ai/infinitetalk": WireFormat(resolution_field="resolution", duration_field=None, inline_images=True,
                                            input_fields=takes(IMAGE, AUDIO)),
    "wavespeed-ai/hunyuan-avatar": WireFormat(resolution_field="resolution", duration_field=None,
                                              inline_images=True, input_fields=takes(IMAGE, AUDIO)),
    "wavespeed-ai/flashvsr": WireFormat(resolution_field="target_resolution", duration_field=None,
                                        input_fields=takes(VIDEO)),
    "wavespeed-ai/video-upscaler": WireFormat(resolution_field="target_resolution", duration_field=None,
                                              input_fields=takes(VIDEO)),
}
