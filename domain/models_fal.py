"""The fal models we can run (fal.ai's queue API, directly or through Hugging Face's router).

Prices are fal's published per-model prices as shown on each model page (its `llms.txt`,
"Pricing") at the time of writing; none has been checked against a live account, so every row
is `verified=False` (VIDEOFORGE_PRICES_FILE overrides them). The rows are part of
`default_catalog()`; they are offered (listed, accepted) only where the fal adapter is configured
(FAL_KEY or HF_TOKEN). How fal spells each model's fields is the adapter's business
(`adapters/fal/models.py`).
"""

from __future__ import annotations

from videoforge.domain.catalog import IMAGE, VIDEO, InputLimit, ModelSpec
from videoforge.domain.media import MediaKind
from videoforge.domain.operations import OperationType as Op
from videoforge.domain.pricing import BilledDuration, Flat, PerSecond, rates

FAL = "fal"
PAGES = "https://fal.ai/models/"

FAL_MODELS: tuple[ModelSpec, ...] = (
    ModelSpec(
        # The legacy backend's default: huggingface_hub.InferenceClient(provider="fal-ai")
        # .text_to_video(model="tencent/HunyuanVideo"), which Hugging Face maps to fal-ai/hunyuan-video.
        id="fal-ai/hunyuan-video", provider=FAL, operation=Op.TEXT_TO_VIDEO,
        name="HunyuanVideo (fal)", aliases=("tencent/HunyuanVideo", "hunyuan-video"), family="hunyuan-video",
        durations=(5,), default_duration=5, resolutions=("480p", "580p", "720p"), default_resolution="720p",
        aspect_ratios=("16:9", "9:16"), default_aspect_ratio="16:9",
        optional_fields=frozenset({"seed"}), prompt_required=True,
        price=Flat(rates(**{"480p": "0.40", "580p": "0.40", "720p": "0.40"})), verified=False,
        source=PAGES + "fal-ai/hunyuan-video ($0.4 per video; unverified)",
    ),
    ModelSpec(
        id="fal-ai/kling-video/v2.1/standard/image-to-video", provider=FAL, operation=Op.IMAGE_TO_VIDEO,
        name="Kling 2.1 Standard (image, fal)", aliases=("kling-2.1-standard/image-to-video",),
        family="kling-2.1-standard",
        durations=(5, 10), default_duration=5, resolutions=("720p",), default_resolution="720p",
        optional_fields=frozenset({"negative_prompt"}), inputs={MediaKind.IMAGE: IMAGE},
        required_inputs=frozenset({MediaKind.IMAGE}), prompt_required=True,
        price=PerSecond(rates(**{"720p": "0.05"})), verified=False,
        source=PAGES + "fal-ai/kling-video/v2.1/standard/image-to-video ($0.25 per 5 s, $0.05 a second; unverified)",
    ),
    ModelSpec(
        # The same family as WaveSpeed's alibaba/wan-2.5/text-to-video: one alias, two specs.
        id="fal-ai/wan-25-preview/text-to-video", provider=FAL, operation=Op.TEXT_TO_VIDEO,
        name="WAN 2.5 (fal)", aliases=("wan-2.5/fal", "alibaba/wan-2.5"), family="wan-2.5",
        durations=(5, 10), default_duration=5, resolutions=("480p", "720p", "1080p"), default_resolution="720p",
        aspect_ratios=("16:9", "9:16"), default_aspect_ratio="16:9",
        optional_fields=frozenset({"negative_prompt", "seed"}), prompt_required=True,
        price=PerSecond(rates(**{"480p": "0.05", "720p": "0.10", "1080p": "0.15"})), verified=False,
        source=PAGES + "fal-ai/wan-25-preview/text-to-video ($0.05/$0.10/$0.15 a second; unverified)",
    ),
    ModelSpec(
        id="fal-ai/bytedance-upscaler/upscale/video", provider=FAL, operation=Op.ENHANCE,
        name="ByteDance video upscaler (fal)", aliases=("bytedance-upscaler",), family="bytedance-upscaler",
        billed_from=BilledDuration.INPUT_VIDEO, resolutions=("1080p", "2k", "4k"), default_resolution="1080p",
        inputs={MediaKind.VIDEO: InputLimit(VIDEO.max_bytes, VIDEO.content_types, max_seconds=600)},
        required_inputs=frozenset({MediaKind.VIDEO}),
        price=PerSecond(rates(**{"1080p": "0.0072", "2k": "0.0144", "4k": "0.0288"}), min_seconds=1, max_seconds=600),
        verified=False,
        source=PAGES + "fal-ai/bytedance-upscaler/upscale/video ($0.0072/s 1080p, $0.0144/s 2K, $0.0288/s 4K at "
        "30 fps, per second of the input; unverified)",
    ),
)

FAL_DEFAULTS: dict[tuple[str, Op], str] = {
    (FAL, Op.TEXT_TO_VIDEO): "fal-ai/hunyuan-video",
    (FAL, Op.IMAGE_TO_VIDEO): "fal-ai/kling-video/v2.1/standard/image-to-video",
    (FAL, Op.ENHANCE): "fal-ai/bytedance-upscaler/upscale/video",
}
