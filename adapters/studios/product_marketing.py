from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from videoforge.adapters.studios.common import AssetLinks, file_name, generate_or_failure, media
from videoforge.application.results import VideoResult
from videoforge.application.use_cases import GenerateVideo
from videoforge.domain import MediaKind, OperationType, VideoRequest

SOURCE = "product_marketing"
WAN_TEXT_TO_VIDEO = "alibaba/wan-2.5/text-to-video"
DEFAULT_NEGATIVE = "blurry, low quality, distorted product, watermark, text artifacts"

_TEMPLATES = {
    "demo": "A clean product demonstration video of {name}: {description}. Show the product in use, close-ups of "
            "its key details, studio lighting.",
    "storytelling": "A short cinematic story featuring {name}: {description}. A person's day made better by the "
                    "product, warm natural light.",
    "feature_highlight": "A dynamic feature highlight of {name}: {description}. Quick cuts between features, "
                         "crisp motion graphics feel.",
    "launch": "An energetic launch teaser for {name}: {description}. Dramatic reveal, bold lighting, premium feel.",
}


class ProductVideoRequest(BaseModel):
    product_name: str
    product_description: str
    video_type: Literal["demo", "storytelling", "feature_highlight", "launch"] = "demo"
    resolution: str = "720p"
    duration: int = 10
    audio_base64: str | None = None
    brand_context: dict[str, Any] = Field(default_factory=dict)
    additional_context: str | None = None
    negative_prompt: str | None = None
    seed: int | None = None


def product_prompt(request: ProductVideoRequest) -> str:
    prompt = _TEMPLATES[request.video_type].format(name=request.product_name,
                                                   description=request.product_description)
    brand = request.brand_context
    for label, key in (("Brand colours", "colors"), ("Style", "style"), ("Values", "values")):
        value = brand.get(key)
        if value:
            prompt += f" {label}: {', '.join(value) if isinstance(value, list) else value}."
    if request.additional_context:
        prompt += f" {request.additional_context}"
    return prompt


class ProductVideoService:
    """Product marketing videos (WAN 2.5 text-to-video, with the product's optional voice-over)."""

    def __init__(self, generate: GenerateVideo, model: str | None = WAN_TEXT_TO_VIDEO,
                 links: AssetLinks | None = None):
        """`model` None: the default text-to-video model of the configured provider."""
        self._generate = generate
        self._links = links or AssetLinks()
        self._model = model

    async def generate_product_video(self, request: ProductVideoRequest, user_id: str) -> dict[str, Any]:
        def shape(result: VideoResult) -> dict[str, Any]:
            return {"success": True, **result.legacy_dict(), "product_name": request.product_name,
                    "video_type": request.video_type, "source_module": SOURCE, "filename": file_name(result),
                    "video_url": result.file_url}

        return await generate_or_failure(self._generate, self._links, lambda: VideoRequest(
            operation=OperationType.TEXT_TO_VIDEO, user_id=user_id, model=self._model,
            prompt=product_prompt(request), negative_prompt=request.negative_prompt or DEFAULT_NEGATIVE,
            duration=request.duration, resolution=request.resolution, seed=request.seed,
            enable_prompt_expansion=True, audio=media(MediaKind.AUDIO, request.audio_base64),
            source_module=SOURCE, extra={"product_name": request.product_name}), shape)
