from __future__ import annotations

from typing import Any

from videoforge.adapters.studios.common import AssetLinks, file_name, generate_or_failure, media
from videoforge.application.results import VideoResult
from videoforge.application.use_cases import GenerateVideo
from videoforge.domain import MediaKind, OperationType, VideoRequest

SOURCE = "podcast_maker"
INFINITETALK = "wavespeed-ai/infinitetalk"


def scene_fields(result: VideoResult) -> dict[str, Any]:
    return {"success": True, "video_url": result.file_url, "video_filename": file_name(result),
            "cost": result.cost.as_float(), "duration": result.duration, "provider": result.provider,
            "model": result.model_name, "asset_id": result.asset_id, "job_id": result.job_id}


class PodcastVideoService:
    """The podcast's scene video: the host's image speaking the scene's audio (InfiniteTalk)."""

    def __init__(self, generate: GenerateVideo, model: str | None = INFINITETALK, links: AssetLinks | None = None):
        """`model` None: the default avatar model of the configured provider."""
        self._generate = generate
        self._links = links or AssetLinks()
        self._model = model

    async def render_scene_video(self, *, avatar_image: bytes | str, audio: bytes | str, user_id: str,
                                 project_id: str | None = None, scene_id: str | None = None,
                                 resolution: str = "720p", prompt: str | None = None, seed: int | None = -1,
                                 progress_callback=None) -> dict[str, Any]:
        return await generate_or_failure(self._generate, self._links, lambda: VideoRequest(
            operation=OperationType.AVATAR, user_id=user_id, model=self._model, prompt=prompt,
            resolution=resolution, seed=seed, image=media(MediaKind.IMAGE, avatar_image),
            audio=media(MediaKind.AUDIO, audio), source_module=SOURCE,
            extra={"project_id": project_id, "scene_id": scene_id}), scene_fields, progress_callback)
