from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from videoforge.adapters.studios.common import AssetLinks, generate_or_failure, media
from videoforge.application.results import VideoResult
from videoforge.application.use_cases import GenerateVideo
from videoforge.domain import MediaKind, OperationType, VideoRequest

SOURCE = "image_studio"


class TransformImageToVideoRequest(BaseModel):
    image_base64: str
    prompt: str | None = None
    audio_base64: str | None = None
    resolution: str = "720p"
    duration: int = 5
    negative_prompt: str | None = None
    seed: int | None = None
    enable_prompt_expansion: bool | None = None
    model: str | None = None


class TalkingAvatarRequest(BaseModel):
    image_base64: str
    audio_base64: str
    resolution: str = "720p"
    prompt: str | None = None
    mask_image_base64: str | None = None
    seed: int | None = None
    model: str | None = None


def transform_fields(result: VideoResult) -> dict[str, Any]:
    return {"success": True, "video_url": result.file_url, "video_base64": None, "duration": result.duration,
            "resolution": result.resolution, "width": result.width, "height": result.height,
            "file_size": result.file_size, "cost": result.cost.as_float(), "provider": result.provider,
            "model": result.model_name, "metadata": result.metadata, "asset_id": result.asset_id,
            "job_id": result.job_id}


class TransformStudioService:
    """The Image Studio's transforms, thin callers of the unified pipeline."""

    def __init__(self, generate: GenerateVideo, links: AssetLinks | None = None):
        self._generate = generate
        self._links = links or AssetLinks()

    async def transform_image_to_video(self, request: TransformImageToVideoRequest, user_id: str) -> dict[str, Any]:
        return await generate_or_failure(self._generate, self._links, lambda: VideoRequest(
            operation=OperationType.IMAGE_TO_VIDEO, user_id=user_id, model=request.model, prompt=request.prompt,
            negative_prompt=request.negative_prompt, duration=request.duration, resolution=request.resolution,
            seed=request.seed, enable_prompt_expansion=request.enable_prompt_expansion,
            image=media(MediaKind.IMAGE, request.image_base64), audio=media(MediaKind.AUDIO, request.audio_base64),
            source_module=SOURCE), transform_fields)

    async def create_talking_avatar(self, request: TalkingAvatarRequest, user_id: str) -> dict[str, Any]:
        return await generate_or_failure(self._generate, self._links, lambda: VideoRequest(
            operation=OperationType.AVATAR, user_id=user_id, model=request.model, prompt=request.prompt,
            resolution=request.resolution, seed=request.seed, image=media(MediaKind.IMAGE, request.image_base64),
            audio=media(MediaKind.AUDIO, request.audio_base64), source_module=SOURCE,
            extra={"mask_image": bool(request.mask_image_base64)}), transform_fields)
