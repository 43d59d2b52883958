from __future__ import annotations

from collections.abc import Callable
from typing import Any

from videoforge.adapters.studios.common import AssetLinks, media
from videoforge.application.use_cases import GenerateVideo, StoredVideo
from videoforge.domain import MediaKind, VideoRequest

_REQUEST_FIELDS = ("model", "negative_prompt", "duration", "resolution", "aspect_ratio", "seed", "generate_audio",
                   "enable_prompt_expansion", "source_module", "idempotency_key")


class LegacyResult(dict):
    """The legacy result dictionary. `video_bytes` is not held: it is read from the stored file
    on the first access of that key (`result["video_bytes"]`, `.get`, `in`), then kept, so a
    caller that never reads it costs neither I/O nor memory. The read blocks (the legacy code's
    did too). Until then the key is not listed by `keys()` or iteration."""

    def __init__(self, fields: dict[str, Any], read_video: Callable[[], bytes]):
        super().__init__(fields)
        self._read_video = read_video

    def __missing__(self, key: str) -> Any:
        if key != "video_bytes":
            raise KeyError(key)
        data = self._read_video()
        self["video_bytes"] = data
        return data

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key == "video_bytes" or key in self.keys() else default

    def __contains__(self, key: object) -> bool:
        return key == "video_bytes" or super().__contains__(key)


class LegacyVideoGeneration:
    """`ai_video_generate` with its legacy signature and result keys, on the unified pipeline.

    The result keeps the legacy keys, `video_bytes` included (read lazily, see LegacyResult),
    plus `asset_id`, `file_url`, `storage_key` and `file_path` (the file on this machine where
    storage keeps files, else the storage key). `provider=` is honoured: a configured provider
    (under any spelling the routing table knows) or a refusal naming the configured ones, before
    anything is reserved. Errors are typed (InvalidRequestError, QuotaExceededError,
    JobFailedError) instead of HTTPExceptions; every operation is supported.
    """

    def __init__(self, generate: GenerateVideo, stored: StoredVideo, links: AssetLinks | None = None):
        self._generate = generate
        self._links = links or AssetLinks()
        self._stored = stored

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
        result = self._links.linked(await self._generate(request, progress_callback))
        fields = result.legacy_dict() | {"storage_key": result.file_path}
        stored, key = self._stored, result.file_path
        local = await stored.local_path(key)
        if local is not None:
            fields["file_path"] = str(local)
        return LegacyResult(fields, lambda: stored.read_now(key))
