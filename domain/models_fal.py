"""The fal models we can run (fal.ai's queue API, directly or through Hugging Face's router).

Prices are fal's published per-model prices as shown on each model page at the time of
writing; none has been checked against a live account, so every row is `verified=False`.
These rows are not yet part of `default_catalog()`: the fal adapter is not wired into the
container yet (issue 13, partly done), and a model without a live adapter must not be offered.
"""

from __future__ import annotations

from videoforge.domain.catalog import IMAGE, ModelSpec
from videoforge.domain.media import MediaKind
from videoforge.domain.operations import OperationType as Op
from videoforge.domain.pricing import Flat, PerSecond, rates

FAL = "fal"
PAGES = "https://fal.ai/models/"

FAL_MODELS: tuple[ModelSpec, ...] = (
    ModelSpec(
        # The legacy backend's default: huggingface_hub.InferenceClient(provider="fal-ai")
        # .text_to_video(model="tencent/HunyuanVideo"), which Hugging Face maps to fal-ai/hunyuan-video.
        id="fal-ai/hunyuan-video", provider=FAL, operation=Op.TEXT_TO_VIDEO,
        name="HunyuanVideo (fal)", aliases=("tencent/HunyuanVideo", "hunyuan-video"),
        durations=(5,), default_duration=5, resolutions=("480p", "580p", "720p"), default_resolution="720p",
        aspect_ratios=("16:9", "9:16"), default_aspect_ratio="16:9",
        optional_fields=frozenset({"seed"}), prompt_required=True,
        price=Flat(rates(**{"480p": "0.40", "580p": "0.40", "720p": "0.40"})), verified=False,
        source=PAGES + "fal-ai/hunyuan-video ($0.4 per video; unverified)",
    ),
    ModelSpec(
        id="fal-ai/kling-video/v2.1/standard/image-to-video", provider=FAL, operation=Op.IMAGE_TO_VIDEO,
        name="Kling 2.1 Standard (image, fal)", aliases=("kling-2.1-standard/image-to-video",),
        durations=(5, 10), default_duration=5, resolutions=("720p",), default_resolution="720p",
        optional_fields=frozenset({"negative_prompt"}), inputs={MediaKind.IMAGE: IMAGE},
        required_inputs=frozenset({MediaKind.IMAGE}), prompt_required=True,
        price=PerSecond(rates(**{"720p": "0.05"})), verified=False,
        source=PAGES + "fal-ai/kling-video/v2.1/standard/image-to-video ($0.25 per 5 s, $0.05 a second; unverified)",
    ),
    ModelSpec(
        # The same family as WaveSpeed's alibaba/wan-2.5/text-to-video: one alias, two specs.
        id="fal-ai/wan-25-preview/text-to-video", provider=FAL, operation=Op.TEXT_TO_VIDEO,
        name="WAN 2.5 (fal)", aliases=("wan-2.5/fal",),
        durations=(5, 10), default_duration=5, resolutions=("480p", "720p", "1080p"), default_resolution="720p",
        aspect_ratios=("16:9", "9:16"), default_aspect_ratio="16:9",
        optional_fields=frozenset({"negative_prompt", "seed"}), prompt_required=True,
        price=PerSecond(rates(**{"480p": "0.05", "720p": "0.10", "1080p": "0.15"})), verified=False,
        source=PAGES + "fal-ai/wan-25-preview/text-to-video ($0.05/$0.10/$0.15 a second; unverified)",
    ),
)
