from __future__ import annotations

from collections.abc import Callable
from typing import Any

from videoforge.adapters.studios.common import (
    EXPECTED,
    AssetLinks,
    failure,
    generate_or_failure,
    legacy_usage_info,
    media,
    video_fields,
)
from videoforge.application.use_cases import EstimateCost, GenerateVideo, ListModels
from videoforge.domain import InvalidRequestError, MediaKind, OperationType, VideoRequest

SOURCE = "video_studio"


class VideoStudioService:
    """The Video Studio's methods, each a thin caller of the unified pipeline."""

    def __init__(self, generate: GenerateVideo, estimate: EstimateCost, list_models: ListModels,
                 links: AssetLinks | None = None):
        self._generate = generate
        self._links = links or AssetLinks()
        self._estimate = estimate
        self._list_models = list_models

    async def generate_text_to_video(self, prompt: str, negative_prompt: str | None = None, duration: int = 5,
                                     resolution: str = "720p", aspect_ratio: str = "16:9",
                                     motion_preset: str = "medium", provider: str | None = None,
                                     model: str | None = None, user_id: str | None = None,
                                     progress_callback: Callable | None = None, **extra: Any) -> dict[str, Any]:
        return await generate_or_failure(self._generate, self._links, lambda: VideoRequest(
            operation=OperationType.TEXT_TO_VIDEO, user_id=user_id, model=model, prompt=prompt,
            negative_prompt=negative_prompt, duration=duration, resolution=resolution, aspect_ratio=aspect_ratio,
            source_module=SOURCE, extra={"motion_preset": motion_preset, **extra}), video_fields, progress_callback)

    async def generate_image_to_video(self, image_data: bytes | str, prompt: str | None = None, duration: int = 5,
                                      resolution: str = "720p", aspect_ratio: str | None = None,
                                      motion_preset: str = "medium", provider: str | None = None,
                                      model: str | None = None, user_id: str | None = None,
                                      progress_callback: Callable | None = None, **extra: Any) -> dict[str, Any]:
        return await generate_or_failure(self._generate, self._links, lambda: VideoRequest(
            operation=OperationType.IMAGE_TO_VIDEO, user_id=user_id, model=model, prompt=prompt,
            duration=duration, resolution=resolution, aspect_ratio=aspect_ratio,
            image=media(MediaKind.IMAGE, image_data), source_module=SOURCE,
            extra={"motion_preset": motion_preset, **extra}), video_fields, progress_callback)

    async def generate_avatar_video(self, avatar_data: bytes | str, audio_data: bytes | str,
                                    video_data: bytes | None = None, text: str | None = None,
                                    language: str | None = None, provider: str | None = None,
                                    model: str | None = None, user_id: str | None = None,
                                    resolution: str | None = None, progress_callback: Callable | None = None,
                                    **extra: Any) -> dict[str, Any]:
        return await generate_or_failure(self._generate, self._links, lambda: VideoRequest(
            operation=OperationType.AVATAR, user_id=user_id, model=model, prompt=text, resolution=resolution,
            image=media(MediaKind.IMAGE, avatar_data), audio=media(MediaKind.AUDIO, audio_data),
            source_module=SOURCE, extra={"language": language, **extra}), video_fields, progress_callback)

    async def enhance_video(self, video_data: bytes | str, enhancement_type: str = "upscale",
                            target_resolution: str = "1080p", provider: str | None = None, model: str | None = None,
                            user_id: str | None = None, progress_callback: Callable | None = None) -> dict[str, Any]:
        def request() -> VideoRequest:
            if enhancement_type != "upscale":
                raise InvalidRequestError("enhancement_type", "is not supported", value=enhancement_type,
                                          allowed=["upscale"])
            return VideoRequest(operation=OperationType.ENHANCE, user_id=user_id, model=model,
                                resolution=target_resolution, video=media(MediaKind.VIDEO, video_data),
                                source_module=SOURCE)

        def shape(result):
            return video_fields(result) | {"enhancement_type": enhancement_type,
                                           "target_resolution": target_resolution}

        return await generate_or_failure(self._generate, self._links, request, shape, progress_callback)

    async def extend_video(self, video_data: bytes | str, prompt: str | None = None, model: str | None = None,
                           audio_data: bytes | str | None = None, negative_prompt: str | None = None,
                           resolution: str = "720p", duration: int = 5, enable_prompt_expansion: bool | None = None,
                           generate_audio: bool | None = None, camera_fixed: bool | None = None,
                           seed: int | None = None, user_id: str | None = None,
                           progress_callback: Callable | None = None) -> dict[str, Any]:
        return await generate_or_failure(self._generate, self._links, lambda: VideoRequest(
            operation=OperationType.EXTEND, user_id=user_id, model=model, prompt=prompt,
            negative_prompt=negative_prompt, resolution=resolution, duration=duration, seed=seed,
            enable_prompt_expansion=enable_prompt_expansion, generate_audio=generate_audio,
            video=media(MediaKind.VIDEO, video_data), audio=media(MediaKind.AUDIO, audio_data),
            source_module=SOURCE, extra={"camera_fixed": camera_fixed}), video_fields, progress_callback)

    async def get_available_models(self, operation_type: str | None = None) -> dict[str, Any]:
        try:
            models = await self._list_models(operation_type)
        except EXPECTED as e:
            return failure(e)
        return {"success": True, "operation_type": operation_type, "models": [m.summary() for m in models]}

    async def estimate_cost(self, operation_type: str = "text-to-video", duration: int | None = 5,
                            resolution: str | None = "720p", model: str | None = None,
                            user_id: str = "anonymous", **inputs: Any) -> dict[str, Any]:
        try:
            estimate = await self._estimate(VideoRequest(
                operation=operation_type, user_id=user_id, model=model, duration=duration, resolution=resolution,
                prompt=inputs.get("prompt") or "cost estimate",
                image=media(MediaKind.IMAGE, inputs.get("image_data")),
                audio=media(MediaKind.AUDIO, inputs.get("audio_data")),
                video=media(MediaKind.VIDEO, inputs.get("video_data")), source_module=SOURCE))
        except EXPECTED as e:
            return failure(e)
        return {"success": True, "estimated_cost": estimate.cost.as_float(), "model": estimate.model.id,
                "resolution": estimate.resolution, "duration": estimate.duration,
                "billed_seconds": estimate.billed_seconds, "pricing": estimate.model.price.describe(),
                "price_verified": estimate.model.verified, "allowed": estimate.allowed,
                "usage_info": legacy_usage_info(estimate.quota.usage_info)}

