"""How each fal model takes a render specification: its field names and value formats.

Sources (each model's `llms.txt`, "Input Schema", linked from domain/models_fal.py):
- fal-ai/hunyuan-video: prompt, seed, aspect_ratio ("16:9" | "9:16"), resolution ("480p" | "580p" |
  "720p"), num_frames ("129" by default, about 5 s): no duration field.
- fal-ai/kling-video/v2.1/standard/image-to-video: prompt, image_url, duration ("5" | "10", a
  string), negative_prompt: no resolution or aspect ratio (the image sets them).
- fal-ai/wan-25-preview/text-to-video: prompt, duration ("5" | "10"), resolution, aspect_ratio,
  negative_prompt, seed.
- fal-ai/bytedance-upscaler/upscale/video: video_url, target_resolution ("1080p" | "2k" | "4k"):
  no prompt.

Every file input takes a URL or a base64 data URI (fal docs, "Files"); a model of the catalog
without an entry here cannot be submitted. `by_url`: the model's files always go through fal's
storage on the direct route (the upscaler: a video of up to 100 MB, which fal advises against
sending as a data URI, "it can impact request performance"); other inputs go inline up to the
adapter's `inline_max` and through the storage above it (storage.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from videoforge.domain.media import MediaKind
from videoforge.domain.render import RenderSpec

IMAGE, AUDIO, VIDEO = MediaKind.IMAGE, MediaKind.AUDIO, MediaKind.VIDEO
_INPUT_NAMES = {IMAGE: "image_url", AUDIO: "audio_url", VIDEO: "video_url"}


@dataclass(frozen=True, slots=True)
class FalFormat:
    """One fal model's request body."""

    prompt: bool = True
    duration: bool = False  # sends the duration as a string of seconds ("5")
    resolution_field: str | None = None  # the resolution's name ("720p") under this field
    aspect_ratio: bool = False
    options: frozenset[str] = frozenset()  # of negative_prompt, seed
    inputs: frozenset[MediaKind] = frozenset()
    by_url: bool = False  # its files always go through fal's storage (direct route), never inline

    def field(self, kind: MediaKind) -> str:
        """The field that carries an input of this kind (a URL or a data URI)."""
        return _INPUT_NAMES[kind]

    def body(self, spec: RenderSpec, inputs: Mapping[MediaKind, str]) -> dict[str, Any]:
        """The JSON input for `spec`, with `inputs` (a URL or a data URI per kind), in a fixed order."""
        body: dict[str, Any] = {}
        if self.prompt and spec.prompt is not None:
            body["prompt"] = spec.prompt
        if self.duration and spec.duration is not None:
            body["duration"] = str(spec.duration)
        if self.resolution_field:
            body[self.resolution_field] = spec.resolution
        if self.aspect_ratio and spec.aspect_ratio:
            body["aspect_ratio"] = spec.aspect_ratio
        for name in sorted(self.options):
            if getattr(spec, name) is not None:
                body[name] = getattr(spec, name)
        for kind, reference in inputs.items():
            body[_INPUT_NAMES[kind]] = reference
        return body


FAL_FORMATS: Mapping[str, FalFormat] = {
    "fal-ai/hunyuan-video": FalFormat(resolution_field="resolution", aspect_ratio=True, options=frozenset({"seed"})),
    "fal-ai/kling-video/v2.1/standard/image-to-video": FalFormat(
        duration=True, options=frozenset({"negative_prompt"}), inputs=frozenset({IMAGE})),
    "fal-ai/wan-25-preview/text-to-video": FalFormat(
        duration=True, resolution_field="resolution", aspect_ratio=True,
        options=frozenset({"negative_prompt", "seed"})),
    "fal-ai/bytedance-upscaler/upscale/video": FalFormat(
        prompt=False, resolution_field="target_resolution", inputs=frozenset({VIDEO}), by_url=True),
}
