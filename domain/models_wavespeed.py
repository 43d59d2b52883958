"""The WaveSpeed models we run, with published prices (reference/wavespeed-protocol.md §4).

`verified=True` means the durations and the price come from WaveSpeed's own documentation;
everything else comes from third-party code and must be checked against the live
`/api/v3/models` schema and `/api/v3/model/price` before it is relied on. Prices can be
overridden from a file (setting VIDEOFORGE_PRICES_FILE) without a release.
"""

from __future__ import annotations

from videoforge.domain.catalog import AUDIO, IMAGE, MB, ORIGINAL, VIDEO, InputLimit, ModelSpec
from videoforge.domain.media import MediaKind
from videoforge.domain.operations import OperationType as Op
from videoforge.domain.options import ModelOption, Span
from videoforge.domain.pricing import BilledDuration, Flat, PerBlock, PerSecond, rates

WS = "wavespeed"
DOCS = "https://wavespeed.ai/docs/docs-api/"
PORTRAIT_OR_LANDSCAPE = ("16:9", "9:16")
WAN_AUDIO = InputLimit(15 * MB, AUDIO.content_types, min_seconds=3, max_seconds=30)
AGENT_SKILLS = "WaveSpeedAI/agent-skills (first-party code, commit 4dedf7c)"
LEGACY = "the legacy backend's code (third-party, reference/alwrity-behaviour.md 3.4 and 4.1)"
VEO = {"durations": (4, 6, 8), "default_duration": 8, "resolutions": ("720p", "1080p"), "default_resolution": "720p",
       "aspect_ratios": PORTRAIT_OR_LANDSCAPE, "default_aspect_ratio": "16:9", "prompt_required": True,
       "optional_fields": frozenset({"negative_prompt", "seed", "generate_audio"})}
WAN26 = {"durations": (5, 10, 15), "default_duration": 5, "resolutions": ("720p", "1080p"),
         "default_resolution": "720p",
         "optional_fields": frozenset({"negative_prompt", "seed", "enable_prompt_expansion"}),
         "options": {"shot_type": ModelOption(choices=("single", "multi"), help="one shot or several")},
         "price": PerSecond(rates(**{"720p": "0.10", "1080p": "0.15"})), "verified": True,
         "source": AGENT_SKILLS + ": 720p $0.10/s, 1080p $0.15/s"}

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
        prompt_required=True,
        price=PerSecond(rates(**{"480p": "0.05", "720p": "0.10", "1080p": "0.15"})), verified=False,
        source=DOCS + "alibaba/alibaba-wan-2.5-video-extend (prompt required: third-party API reference); "
                      "prices assumed as WAN 2.5 (unverified)",
    ),
    ModelSpec(
        id="bytedance/seedance-v1.5-pro/video-extend", provider=WS, operation=Op.EXTEND,
        name="Seedance 1.5 Pro extend", aliases=("seedance-1.5-pro", "seedance-v1.5-pro", "seedance-1.5-pro/extend"),
        durations=tuple(range(4, 13)), default_duration=5, resolutions=("480p", "720p"), default_resolution="720p",
        optional_fields=frozenset({"seed", "generate_audio"}), audio_default=True,
        options={"camera_fixed": ModelOption(bool, help="keep the camera still")},
        inputs={MediaKind.VIDEO: VIDEO}, required_inputs=frozenset({MediaKind.VIDEO}),
        price=PerSecond(rates(**{"480p": "0.012", "480p+audio": "0.024", "720p": "0.026", "720p+audio": "0.052"})),
        verified=False, source=LEGACY + "; the same rates as Seedance 1.5 Pro text/image-to-video in " + AGENT_SKILLS,
    ),
    ModelSpec(
        id="wavespeed-ai/wan-2.2-spicy/video-extend", provider=WS, operation=Op.EXTEND,
        name="WAN 2.2 Spicy extend", aliases=("wan-2.2-spicy", "wan-2.2-spicy/video-extend"),
        durations=(5, 8), default_duration=5, resolutions=("480p", "720p"), default_resolution="720p",
        optional_fields=frozenset({"seed"}),
        inputs={MediaKind.VIDEO: VIDEO}, required_inputs=frozenset({MediaKind.VIDEO}),
        price=PerSecond(rates(**{"480p": "0.03", "720p": "0.06"})), verified=False, source=LEGACY,
    ),
    ModelSpec(
        id="google/veo3.1/text-to-video", provider=WS, operation=Op.TEXT_TO_VIDEO, name="Veo 3.1",
        aliases=("veo3.1", "veo-3.1", "google/veo3.1"), **VEO,
        price=PerSecond(rates(**{"720p": "0.08", "1080p": "0.12"})), verified=False,
        source=LEGACY + " (placeholder prices there; WaveSpeed's not seen)",
    ),
    ModelSpec(
        id="google/veo3.1-fast/text-to-video", provider=WS, operation=Op.TEXT_TO_VIDEO, name="Veo 3.1 Fast",
        aliases=("veo3.1-fast", "veo-3.1-fast", "google/veo3.1-fast"), **VEO, audio_default=True,
        price=Flat(rates(**{"720p": "0.80", "720p+audio": "1.20", "1080p": "0.80", "1080p+audio": "1.20"})),
        verified=True, source=AGENT_SKILLS + ": $1.20 a video with audio, $0.80 without (720p/1080p)",
    ),
    ModelSpec(
        id="alibaba/wan-2.6/text-to-video", provider=WS, operation=Op.TEXT_TO_VIDEO, name="WAN 2.6",
        aliases=("wan-2.6", "alibaba/wan-2.6", "wan-2.6/text-to-video"), prompt_required=True,
        aspect_ratios=PORTRAIT_OR_LANDSCAPE, default_aspect_ratio="16:9", inputs={MediaKind.AUDIO: WAN_AUDIO}, **WAN26,
    ),
    ModelSpec(
        id="alibaba/wan-2.6/image-to-video", provider=WS, operation=Op.IMAGE_TO_VIDEO, name="WAN 2.6 (image)",
        aliases=("wan-2.6", "alibaba/wan-2.6", "wan-2.6/image-to-video"),
        inputs={MediaKind.IMAGE: IMAGE, MediaKind.AUDIO: WAN_AUDIO}, required_inputs=frozenset({MediaKind.IMAGE}),
        **WAN26,
    ),
    ModelSpec(
        id="kwaivgi/kling-v2.5-turbo-std/image-to-video", provider=WS, operation=Op.IMAGE_TO_VIDEO,
        name="Kling 2.5 Turbo Std (image)", aliases=("kling-v2.5-turbo-std", "kling-2.5-turbo-std"),
        durations=(5, 10), default_duration=5, resolutions=("720p",), default_resolution="720p",
        optional_fields=frozenset({"negative_prompt"}), prompt_required=True,
        options={"guidance_scale": ModelOption(float, minimum=0, maximum=1, default=0.5,
                                               help="how closely to follow the prompt")},
        inputs={MediaKind.IMAGE: IMAGE}, required_inputs=frozenset({MediaKind.IMAGE}),
        price=PerSecond(rates(**{"720p": "0.042"})), verified=False,
        source=LEGACY + " ($0.21 for 5 s, $0.42 for 10 s)",
    ),
    ModelSpec(
        id="wavespeed-ai/kandinsky5-pro/image-to-video", provider=WS, operation=Op.IMAGE_TO_VIDEO,
        name="Kandinsky 5 Pro (image)", aliases=("kandinsky5-pro", "wavespeed/kandinsky5-pro"),
        durations=(5,), default_duration=5, resolutions=("512p", "1024p"), default_resolution="512p",
        prompt_required=True, inputs={MediaKind.IMAGE: IMAGE}, required_inputs=frozenset({MediaKind.IMAGE}),
        price=PerSecond(rates(**{"512p": "0.04", "1024p": "0.12"})), verified=False,
        source=DOCS + "wavespeed-ai/kandinsky5-pro-image-to-video (fields); price is fal's for the same model "
                      "($0.04/s 512p, $0.12/s 1024p), WaveSpeed's not seen",
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
        price=PerSecond(rates(**{"720p": "0.012", "1080p": "0.018", "2k": "0.024", "4k": "0.032"}),
                        min_seconds=5, max_seconds=600),
        verified=True, source=DOCS + "wavespeed-ai/flashvsr ($0.06/$0.09/$0.12/$0.16 per 5 s; per-second billing "
                                     "rounded up with a 5 s minimum, as WaveSpeed's pricing formulas)",
    ),
    ModelSpec(
        id="wavespeed-ai/video-upscaler", provider=WS, operation=Op.ENHANCE, name="Video upscaler",
        aliases=("video-upscaler",), billed_from=BilledDuration.INPUT_VIDEO,
        resolutions=("720p", "1080p", "2k", "4k"), default_resolution="720p",
        inputs={MediaKind.VIDEO: InputLimit(VIDEO.max_bytes, VIDEO.content_types, max_seconds=600)},
        price=PerSecond(rates(**{"720p": "0.005", "1080p": "0.0075", "2k": "0.01", "4k": "0.0135"}),
                        min_seconds=5, max_seconds=600), verified=False,
        source=DOCS + "video-upscaler (720p $0.025 per 5 s, per second with a 5 s minimum; the 1080p/2K/4K rows "
                      "of its table were not seen: their rates are 720p's scaled as FlashVSR's tiers, unverified)",
    ),
)

# The output languages heygen/video-translate lists (its schema on a reseller's page, eachlabs.ai;
# the legacy backend's default was "English"); regional variants exist but are not offered yet.
TRANSLATE_LANGUAGES = (
    "English", "Spanish", "French", "Hindi", "Italian", "German", "Polish", "Portuguese", "Chinese", "Japanese",
    "Dutch", "Turkish", "Korean", "Danish", "Arabic", "Romanian", "Mandarin", "Filipino", "Swedish", "Indonesian",
    "Ukrainian", "Greek", "Czech", "Bulgarian", "Malay", "Slovak", "Croatian", "Tamil", "Finnish", "Russian",
)
TOOL = {"provider": WS, "resolutions": (ORIGINAL,), "default_resolution": ORIGINAL,
        "billed_from": BilledDuration.INPUT_VIDEO}
LONG_VIDEO = InputLimit(VIDEO.max_bytes, VIDEO.content_types, max_seconds=600)

VIDEO_TOOLS: tuple[ModelSpec, ...] = (
    ModelSpec(
        id="lightricks/ltx-2-retake", provider=WS, operation=Op.EDIT, name="LTX-2 Retake",
        aliases=("ltx-2-retake", "lightricks/ltx-2-retake/text-to-video"), billed_from=BilledDuration.INPUT_VIDEO,
        resolutions=("1080p",), default_resolution="1080p", prompt_required=True,
        inputs={MediaKind.VIDEO: InputLimit(VIDEO.max_bytes, VIDEO.content_types, min_seconds=2, max_seconds=20)},
        required_inputs=frozenset({MediaKind.VIDEO}),
        options={"start_time": ModelOption(float, minimum=0, within=MediaKind.VIDEO, help="span start, seconds"),
                 "end_time": ModelOption(float, minimum=0, within=MediaKind.VIDEO, help="span end, seconds"),
                 "replace": ModelOption(choices=("audio_and_video", "video", "audio"), default="audio_and_video",
                                        help="what the span re-generates")},
        span=Span("start_time", "end_time", min_seconds=2, max_seconds=16),
        price=PerSecond(rates(**{"1080p": "0.10"})), verified=True,
        source="https://wavespeed.ai/models/lightricks/ltx-2-retake/llms.txt ($0.1 per output second; the span "
               "fields start_time/end_time come from an older docs revision and are unverified)",
    ),
    ModelSpec(
        id="wavespeed-ai/wan-2.1/mocha", operation=Op.FACE_SWAP, name="MoCha character swap",
        aliases=("mocha", "wavespeed/mocha", "wavespeed/mocha/face-swap"), **(TOOL | {
            "resolutions": ("480p", "720p"), "default_resolution": "480p"}),
        optional_fields=frozenset({"seed"}),
        inputs={MediaKind.IMAGE: IMAGE, MediaKind.VIDEO: InputLimit(VIDEO.max_bytes, VIDEO.content_types,
                                                                    max_seconds=120)},
        required_inputs=frozenset({MediaKind.IMAGE, MediaKind.VIDEO}),
        price=PerSecond(rates(**{"480p": "0.04", "720p": "0.08"}), min_seconds=5, max_seconds=120),
        verified=False, source=LEGACY + " ($0.04/s 480p, $0.08/s 720p, 5 to 120 s)",
    ),
    ModelSpec(
        id="wavespeed-ai/video-face-swap", operation=Op.FACE_SWAP, name="Video face swap",
        aliases=("video-face-swap",), **TOOL,
        options={"target_gender": ModelOption(choices=("all", "female", "male"), default="all",
                                              help="which faces to replace"),
                 "target_index": ModelOption(int, minimum=0, maximum=10, default=0,
                                             help="which face, counting from 0")},
        inputs={MediaKind.IMAGE: IMAGE, MediaKind.VIDEO: LONG_VIDEO},
        required_inputs=frozenset({MediaKind.IMAGE, MediaKind.VIDEO}),
        price=PerSecond(rates(**{ORIGINAL: "0.01"}), min_seconds=5, max_seconds=600),
        verified=False, source=LEGACY + " ($0.01/s, 5 to 600 s)",
    ),
    ModelSpec(
        id="heygen/video-translate", operation=Op.TRANSLATE, name="HeyGen video translate",
        aliases=("heygen", "video-translate"), **TOOL,
        options={"language": ModelOption(choices=TRANSLATE_LANGUAGES, default="English",
                                         help="the language the speech is translated into")},
        inputs={MediaKind.VIDEO: LONG_VIDEO}, required_inputs=frozenset({MediaKind.VIDEO}),
        price=PerSecond(rates(**{ORIGINAL: "0.0375"}), min_seconds=1),
        verified=False, source=LEGACY + " and eachlabs.ai's page for the model ($0.0375 a second)",
    ),
    ModelSpec(
        id="wavespeed-ai/video-background-remover", operation=Op.REMOVE_BACKGROUND, name="Video background remover",
        aliases=("video-background-remover", "background-remover"), **TOOL,
        inputs={MediaKind.VIDEO: LONG_VIDEO, MediaKind.IMAGE: IMAGE}, required_inputs=frozenset({MediaKind.VIDEO}),
        price=PerSecond(rates(**{ORIGINAL: "0.01"}), min_seconds=5, max_seconds=600),
        verified=False, source=LEGACY + " ($0.01/s, $0.05 minimum, $6.00 cap); the image replaces the background",
    ),
    ModelSpec(
        id="wavespeed-ai/hunyuan-video-foley", operation=Op.ADD_AUDIO, name="Hunyuan Video Foley",
        aliases=("hunyuan-video-foley", "foley"), **TOOL, optional_fields=frozenset({"seed"}),
        inputs={MediaKind.VIDEO: LONG_VIDEO}, required_inputs=frozenset({MediaKind.VIDEO}),
        price=PerSecond(rates(**{ORIGINAL: "0.02"}), min_seconds=5, max_seconds=600),
        verified=False, source=LEGACY + " ($0.02/s 'estimated', 5 to 600 s)",
    ),
    ModelSpec(
        id="wavespeed-ai/think-sound", operation=Op.ADD_AUDIO, name="ThinkSound",
        aliases=("think-sound",), **TOOL, optional_fields=frozenset({"seed"}),
        inputs={MediaKind.VIDEO: LONG_VIDEO}, required_inputs=frozenset({MediaKind.VIDEO}),
        price=Flat(rates(**{ORIGINAL: "0.05"})), verified=False, source=LEGACY + " ($0.05 a video)",
    ),
)
WAVESPEED_MODELS += VIDEO_TOOLS

WAVESPEED_DEFAULTS: dict[tuple[str, Op], str] = {
    (WS, Op.TEXT_TO_VIDEO): "wavespeed-ai/hunyuan-video-1.5/text-to-video",
    (WS, Op.IMAGE_TO_VIDEO): "alibaba/wan-2.5/image-to-video",
    (WS, Op.AVATAR): "wavespeed-ai/infinitetalk",
    (WS, Op.ENHANCE): "wavespeed-ai/flashvsr",
    (WS, Op.EXTEND): "alibaba/wan-2.5/video-extend",
    (WS, Op.EDIT): "lightricks/ltx-2-retake",
    (WS, Op.FACE_SWAP): "wavespeed-ai/wan-2.1/mocha",
    (WS, Op.TRANSLATE): "heygen/video-translate",
    (WS, Op.REMOVE_BACKGROUND): "wavespeed-ai/video-background-remover",
    (WS, Op.ADD_AUDIO): "wavespeed-ai/hunyuan-video-foley",
}
