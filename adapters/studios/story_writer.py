from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from videoforge.adapters.studios.common import AssetLinks, file_name
from videoforge.application.results import VideoResult
from videoforge.application.use_cases import GenerateVideo
from videoforge.domain import OperationType, VideoRequest

SOURCE = "story_writer"


class HDVideoRequest(BaseModel):
    prompt: str
    provider: str | None = None
    model: str | None = None
    duration: int | None = None
    resolution: str | None = None
    negative_prompt: str | None = None
    seed: int | None = None
    # Accepted for compatibility with the HuggingFace-era callers; no current model uses them.
    num_frames: int | None = None
    guidance_scale: float | None = None
    num_inference_steps: int | None = None


class HDVideoSceneRequest(HDVideoRequest):
    scene_number: int
    scene_data: dict[str, Any] = Field(default_factory=dict)
    story_context: dict[str, Any] = Field(default_factory=dict)
    all_scenes: list[dict[str, Any]] = Field(default_factory=list)


def scene_prompt(request: HDVideoSceneRequest) -> str:
    """The scene's own description joined to the prompt, so each clip shows its scene."""
    parts = [request.prompt]
    for key in ("title", "description", "image_prompt"):
        value = request.scene_data.get(key)
        if isinstance(value, str) and value.strip() and value.strip() not in parts:
            parts.append(value.strip())
    return ". ".join(parts)


class StoryWriterVideoService:
    """The story writer's HD video endpoints' payloads. As before, errors propagate (the
    routes turn them into HTTP errors); they are now typed."""

    def __init__(self, generate: GenerateVideo, links: AssetLinks | None = None):
        self._generate = generate
        self._links = links or AssetLinks()

    async def generate_hd_video_payload(self, request: HDVideoRequest, user_id: str) -> dict[str, Any]:
        result = self._links.linked(await self._generate(self._request(request, request.prompt, user_id)))
        return self._payload(result)

    async def generate_hd_video_scene_payload(self, request: HDVideoSceneRequest, user_id: str) -> dict[str, Any]:
        prompt = scene_prompt(request)
        result = self._links.linked(await self._generate(self._request(request, prompt, user_id)))
        return {"scene_number": request.scene_number, "prompt_used": prompt} | self._payload(result)

    @staticmethod
    def _request(request: HDVideoRequest, prompt: str, user_id: str) -> VideoRequest:
        return VideoRequest(operation=OperationType.TEXT_TO_VIDEO, user_id=user_id, model=request.model,
                            prompt=prompt, negative_prompt=request.negative_prompt, duration=request.duration,
                            resolution=request.resolution, seed=request.seed, source_module=SOURCE)

    @staticmethod
    def _payload(result: VideoResult) -> dict[str, Any]:
        return {"success": True, "video_filename": file_name(result), "video_url": result.file_url,
                "provider": result.provider, "model": result.model_name, "cost": result.cost.as_float(),
                "duration": result.duration, "asset_id": result.asset_id, "job_id": result.job_id}
