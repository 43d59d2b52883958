"""The WaveSpeed models we run, with published prices (reference/wavespeed-protocol.md §4).

`verified=True` means the durations and the price come from WaveSpeed's own documentation;
everything else comes from third-party code and must be checked against the live
`/api/v3/models` schema and `/api/v3/model/price` before it is relied on. Prices can be
overridden from a file (setting VIDEOFORGE_PRICES_FILE) without a release.
"""

from __future__ import annotations

from videoforge.domain.catalog import AUDIO, IMAGE, MB, VIDEO, InputLimit, ModelSpec
from videoforge.domain.media import MediaKind
from videoforge.domain.operations import OperationType as Op
from videoforge.domain.pricing import BilledDuration, PerBlock, PerSecond, rates

WS = "wavespeed"
DOCS = "https://wavespeed.ai/docs/docs-api/"
PORTRAIT_OR_LANDSCAPE = ("16:9", "9:16")
WAN_AUDIO = InputLimit(15 * MB, AUDIO.content_types, min_seconds=3, max_seconds=30)

WAVESPEED_MODELS: tuple[ModelSpec, ...] = (
    ModelSpec(
        id="wavespeed-ai/hunyuan-video-1.5/text-to-video", provider=WS, operation=Op.TEXT_TO_VIDEO,
        name="Hunyuan Video 1.5", aliases=("hunyuan-video-1.5", "hunyuan-video-1.5/text-to-video"),
        durations=(5, 8, 10), default_duration=5, resolutions=("480p", "720p"), default_resolution="720p",
        aspect_ratios=PORTRAIT_OR_LANDSCAPE, default_aspect_ratio="16:9",
        optional_fields=frozenset({"negative_prompt", "seed"}), prompt_required=True,
        price=PerSecond(rates(**{"480p": "0.02", "720p": "0.04"})), verified=True,
        source=DOCS + "wavespeed-ai/hunyuan-video-1.5/text-to-video (field names from third-party code)",
    ),
    ModelSpec(
        id="wavespeed-ai/hunyuan-video-1.5/image-to-video", provider=WS, operation=Op.IMAGE_TO_VIDEO,
        name="Hunyuan Video 1.5 (image)", aliases=("hunyuan-video-1.5", "hunyuan-video-1.5/image-to-video"),
        durations=(5, 8), default_duration=5, resolutions=("480p", "720p"), default_resolution="720p",
        optional_fields=frozenset({"seed"}), inputs={MediaKind.IMAGE: IMAGE},
        price=PerSecond(rates(**{"480p": "0.02", "720p": "0.04"})), verified=False,
        source="llms.txt of the model; price assumed equal to text-to-video (unverified)",
    ),
    ModelSpec(
        id="lightricks/ltx-2-pro/text-to-video", provider=WS, operation=Op.TEXT_TO_VIDEO,
        name="LTX-2 Pro", aliases=("ltx-2-pro", "lightricks/ltx-2-pro"),
        durations=(6, 8, 10), default_duration=6, resolutions=("1080p",), default_resolution="1080p",
        optional_fields=frozenset({"generate_audio"}), prompt_required=True,
        price=PerSecond(rates(**{"1080p": "0.06"})), verified=False,
        source="third-party review citing " + DOCS + "lightricks/lightricks-ltx-2-pro-text-to-video",
    ),
    ModelSpec(
        id="lightricks/ltx-2-fast/text-to-video", provider=WS, operation=Op.TEXT_TO_VIDEO,
        name="LTX-2 Fast", aliases=("ltx-2-fast", "lightricks/ltx-2-fast"),
        durations=(6, 8, 10, 12, 14, 16, 18, 20), default_duration=6, resolutions=("1080p",),
        default_resolution="1080p", optional_fields=frozenset({"generate_audio"}), prompt_required=True,
        price=PerSecond(rates(**{"1080p": "0.04"})), verified=False,
        source="model page shows '$0.04 per run'; taken as per second (uncertain)",
    ),
    ModelSpec(
        id="alibaba/wan-2.5/text-to-video", provider=WS, operation=Op.TEXT_TO_VIDEO,
        name="WAN 2.5", aliases=("wan-2.5", "alibaba/wan-2.5", "wan-2.5/text-to-video"), family="wan-2.5",
        durations=(5, 10), default_duration=5, resolutions=("480p", "720p", "1080p"), default_resolution="720p",
        aspect_ratios=PORTRAIT_OR_LANDSCAPE, default_aspect_ratio="16:9",
        optional_fields=frozenset({"negative_prompt", "seed", "enable_prompt_expansion"}), prompt_required=True,
        inputs={MediaKind.AUDIO: WAN_AUDIO},
        price=PerSecond(rates(**{"480p": "0.05", "720p": "0.10", "1080p": "0.15"})), verified=False,
        source="llms.txt of the model; prices from third-party code (uncertain)",
    ),
    ModelSpec(
        id="alibaba/wan-2.5/image-to-video", provider=WS, operation=Op.IMAGE_TO_VIDEO,
        name="WAN 2.5 (image)", aliases=("wan-2.5", "alibaba/wan-2.5", "wan-2.5/image-to-video"),
        durations=(5, 10), default_duration=5, resolutions=("480p", "720p", "1080p"), default_resolution="720p",
        optional_fields=frozenset({"negative_prompt", "seed", "enable_prompt_expansion"}),
        inputs={MediaKind.IMAGE: IMAGE, MediaKind.AUDIO: WAN_AUDIO},
        price=PerSecond(rates(**{"480p": "0.05", "720p": "0.10", "1080p": "0.15"})), verified=False,
        source="third-party code (fields match Replicate's wan-2.5-i2v); unverified on WaveSpeed",
    ),
    ModelSpec(
        id="alibaba/wan-2.5/video-extend", provider=WS, operation=Op.EXTEND,
        name="WAN 2.5 extend", aliases=("wan-2.5", "alibaba/wan-2.5", "wan-2.5/video-extend"),
        durations=tuple(range(3, 11)), default_duration=5, resolutions=("480p", "720p", "1080p"),
        default_resolution="720p",
        optional_fields=frozenset({"negative_prompt", "seed", "enable_prompt_expansion"}),
        inputs={MediaKind.VIDEO: VIDEO, MediaKind.AUDIO: WAN_AUDIO},
        price=PerSecond(rates(**{"480p": "0.05", "720p": "0.10", "1080p": "0.15"})), verified=False,
        source=DOCS + "alibaba/alibaba-wan-2.5-video-extend-fast; prices assumed as WAN 2.5 (unverified)",
    ),
    ModelSpec(
        id="wavespeed-ai/infinitetalk", provider=WS, operation=Op.AVATAR, name="InfiniteTalk",
        aliases=("infinitetalk",), billed_from=BilledDuration.INPUT_AUDIO, resolutions=("480p", "720p"),
        default_resolution="480p",
        optional_fields=frozenset({"seed"}),
        inputs={MediaKind.IMAGE: IMAGE, MediaKind.AUDIO: InputLimit(15 * MB, AUDIO.content_types, max_seconds=600)},
        price=PerSecond(rates(**{"480p": "0.03", "720p": "0.06"}), min_seconds=5, max_seconds=600),
        verified=True,
        source=DOCS + "wavespeed-ai/infinitetalk ($0.15 / $0.30 per 5 s, 5 s minimum)",
    ),
    ModelSpec(
        id="wavespeed-ai/hunyuan-avatar", provider=WS, operation=Op.AVATAR, name="Hunyuan Avatar",
        aliases=("hunyuan-avatar",), billed_from=BilledDuration.INPUT_AUDIO, resolutions=("480p", "720p"),
        default_resolution="480p",
        optional_fields=frozenset({"seed"}),
        inputs={MediaKind.IMAGE: IMAGE, MediaKind.AUDIO: InputLimit(15 * MB, AUDIO.content_types, max_seconds=120)},
        price=PerBlock(rates(**{"480p": "0.15", "720p": "0.30"}), block_seconds=5, max_seconds=120),
        verified=False, source="third-party code citing " + DOCS + "wavespeed-ai/hunyuan-avatar",
    ),
    ModelSpec(
        id="wavespeed-ai/flashvsr", provider=WS, operation=Op.ENHANCE, name="FlashVSR upscaler",
        aliases=("flashvsr", "wavespeed/flashvsr"), billed_from=BilledDuration.INPUT_VIDEO,
        resolutions=("720p", "1080p", "2k", "4k"), default_resolution="1080p",
        inputs={MediaKind.VIDEO: InputLimit(VIDEO.max_bytes, VIDEO.content_types, max_seconds=600)},
        price=PerBlock(rates(**{"720p": "0.06", "1080p": "0.09", "2k": "0.12", "4k": "0.16"}), max_seconds=600),
        verified=False, source="third-party code; billed per started 5 s of the input video (unverified)",
    ),
    ModelSpec(
        id="wavespeed-ai/video-upscaler", provider=WS, operation=Op.ENHANCE, name="Video upscaler",
        aliases=("video-upscaler",), billed_from=BilledDuration.INPUT_VIDEO,
        resolutions=("720p",), default_resolution="720p",
        inputs={MediaKind.VIDEO: InputLimit(VIDEO.max_bytes, VIDEO.content_types, max_seconds=600)},
        price=PerSecond(rates(**{"720p": "0.005"}), min_seconds=5, max_seconds=600), verified=True,
        source=DOCS + "video-upscaler ($0.025 per 5 s at 720p; other tiers not published, so not offered)",
    ),
)

WAVESPEED_DEFAULTS: dict[tuple[str, Op], str] = {
    (WS, Op.TEXT_TO_VIDEO): "wavespeed-ai/hunyuan-video-1.5/text-to-video",
    (WS, Op.IMAGE_TO_VIDEO): "alibaba/wan-2.5/image-to-video",
    (WS, Op.AVATAR): "wavespeed-ai/infinitetalk",
    (WS, Op.ENHANCE): "wavespeed-ai/flashvsr",
    (WS, Op.EXTEND): "alibaba/wan-2.5/video-extend",
}
