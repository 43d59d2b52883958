from __future__ import annotations

from collections.abc import Callable
from typing import Any

from videoforge.adapters.studios.common import AssetLinks, media
from videoforge.application.use_cases import GenerateVideo
from videoforge.domain import MediaKind, VideoRequest

_REQUEST_FIELDS = ("model", "negative_prompt", "duration", "resolution", "aspect_ratio", "seed", "generate_audio",
                   "enable_prompt_expansion", "source_module", "idempotency_key")


class LegacyVideoGeneration:
    """`ai_video_generate` with its legacy signature and result keys, on the unified pipeline.

    Differences from the legacy function, on purpose: the result carries `asset_id`,
    `file_url` and `file_path` instead of raw `video_bytes`; errors are typed
    (InvalidRequestError, QuotaExceededError, JobFailedError) instead of HTTPExceptions; every
    operation is supported, not only text- and image-to-video.
    """

    def __init__(self, generate: GenerateVideo, links: AssetLinks | None = None):
        self._generate = generate
        self._links = links or AssetLinks()

    async def __call__(self, prompt: str | None = None, image_data: bytes | None = None,
                       image_base64: str | None = None, operation_type: str = "text-to-video",
                       provider: str | None = None, user_id: str | None = None,
                       progress_callback: Callable | None = None, **kwargs: Any) -> dict[str, Any]:
        known = {k: kwargs.pop(k) for k in _REQUEST_FIELDS if k in kwargs}
        known.setdefault("source_module", "main_video_generation")
        request = VideoRequest(
            operation=operation_type, user_id=user_id, prompt=prompt,
            image=media(MediaKind.IMAGE, image_data if image_data is not None else image_base64),
            audio=media(MediaKind.AUDIO, kwargs.pop("audio_base64", None) or kwargs.pop("audio_data", None)),
            video=media(MediaKind.VIDEO, kwargs.pop("video_base64", None) or kwargs.pop("video_data", None)),
            provider=provider, extra=kwargs, **known)
        result = await self._generate(request, progress_callback)
        return self._links.linked(result).legacy_dict()
