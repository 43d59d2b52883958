"""The Video Studio services that called WaveSpeed directly (face swap, translation, background
removal, sound), the Avatar Studio and the story writer's scene animation, as thin callers of
the unified pipeline with their legacy names, arguments and return keys
(reference/alwrity-behaviour.md 6.2 and 6.4). `video_bytes` is read from the stored file on the
first access of that key only (LegacyResult)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from videoforge.adapters.studios.common import AssetLinks, failure, file_name, generate_or_failure, media
from videoforge.adapters.studios.legacy import LegacyResult
from videoforge.application.errors import JobFailedError, JobNotFinishedError
from videoforge.application.results import VideoResult
from videoforge.application.use_cases import GenerateVideo, GetAsset, ListJobs, RunJob, StoredVideo
from videoforge.domain import DomainError, InvalidRequestError, MediaKind, OperationType, VideoRequest

VIDEO_STUDIO = "video_studio"
STORY_WRITER = "story_writer"
# The legacy face-swap model names: only video-face-swap takes a target face; only MoCha a resolution.
FACE_SWAP_TARGETS = ("video-face-swap", "wavespeed-ai/video-face-swap")


class _Caller:
    def __init__(self, generate: GenerateVideo, stored: StoredVideo, links: AssetLinks | None = None):
        self._generate = generate
        self._stored = stored
        self._links = links or AssetLinks()

    async def _run(self, request: Callable[[], VideoRequest], shape: Callable[[VideoResult], dict[str, Any]],
                   progress: Callable | None) -> dict[str, Any]:
        def with_bytes(result: VideoResult) -> dict[str, Any]:
            key = result.file_path
            return LegacyResult(shape(result), lambda: self._stored.read_now(key))

        return await generate_or_failure(self._generate, self._links, request, with_bytes, progress)


def _common(result: VideoResult) -> dict[str, Any]:
    return {"success": True, "video_url": result.file_url, "cost": result.cost.as_float(),
            "metadata": result.metadata, "asset_id": result.asset_id, "job_id": result.job_id,
            "prediction_id": result.prediction_id}


class FaceSwapService(_Caller):
    async def swap_face(self, image_data: bytes | str, video_data: bytes | str, model: str = "mocha",
                        prompt: str | None = None, resolution: str | None = "480p", seed: int | None = None,
                        target_gender: str = "all", target_index: int = 0, user_id: str | None = None,
                        progress_callback: Callable | None = None) -> dict[str, Any]:
        targeted = model in FACE_SWAP_TARGETS
        return await self._run(lambda: VideoRequest(
            operation=OperationType.FACE_SWAP, user_id=user_id, model=model, prompt=prompt, seed=seed,
            resolution=None if targeted else resolution, image=media(MediaKind.IMAGE, image_data),
            video=media(MediaKind.VIDEO, video_data), source_module=VIDEO_STUDIO,
            options={"target_gender": target_gender, "target_index": target_index} if targeted else {}),
            lambda r: _common(r) | {"model": r.model_name, "resolution": r.resolution}, progress_callback)


class VideoTranslateService(_Caller):
    async def translate_video(self, video_data: bytes | str, output_language: str = "English",
                              user_id: str | None = None, progress_callback: Callable | None = None) -> dict[str, Any]:
        return await self._run(lambda: VideoRequest(
            operation=OperationType.TRANSLATE, user_id=user_id, video=media(MediaKind.VIDEO, video_data),
            options={"language": output_language}, source_module=VIDEO_STUDIO),
            lambda r: _common(r) | {"output_language": output_language}, progress_callback)


class VideoBackgroundRemoverService(_Caller):
    async def remove_background(self, video_data: bytes | str, background_image_data: bytes | str | None = None,
                                user_id: str | None = None,
                                progress_callback: Callable | None = None) -> dict[str, Any]:
        replaced = bool(background_image_data)
        return await self._run(lambda: VideoRequest(
            operation=OperationType.REMOVE_BACKGROUND, user_id=user_id, video=media(MediaKind.VIDEO, video_data),
            image=media(MediaKind.IMAGE, background_image_data), source_module=VIDEO_STUDIO),
            lambda r: _common(r) | {"has_background_replacement": replaced}, progress_callback)


class AddAudioToVideoService(_Caller):
    async def add_audio(self, video_data: bytes | str, model: str = "hunyuan-video-foley", prompt: str | None = None,
                        seed: int | None = None, user_id: str | None = None,
                        progress_callback: Callable | None = None) -> dict[str, Any]:
        return await self._run(lambda: VideoRequest(
            operation=OperationType.ADD_AUDIO, user_id=user_id, model=model, prompt=prompt, seed=seed,
            video=media(MediaKind.VIDEO, video_data), source_module=VIDEO_STUDIO),
            lambda r: _common(r) | {"model_used": r.model_name}, progress_callback)


class AvatarStudioService(_Caller):
    async def create_talking_avatar(self, image_base64: bytes | str, audio_base64: bytes | str,
                                    resolution: str = "720p", prompt: str | None = None,
                                    mask_image_base64: str | None = None, seed: int | None = None,
                                    user_id: str | None = None, model: str = "infinitetalk",
                                    progress_callback: Callable | None = None) -> dict[str, Any]:
        return await self._run(lambda: VideoRequest(
            operation=OperationType.AVATAR, user_id=user_id, model=model, prompt=prompt, resolution=resolution,
            seed=seed, image=media(MediaKind.IMAGE, image_base64), audio=media(MediaKind.AUDIO, audio_base64),
            source_module=VIDEO_STUDIO, extra={"mask_image": bool(mask_image_base64)}),
            lambda r: _common(r) | {"duration": r.duration, "model_used": r.model_name, "provider": r.provider,
                                    "resolution": r.resolution, "width": r.width, "height": r.height},
            progress_callback)


def scene_animation_prompt(scene_data: dict[str, Any], story_context: dict[str, Any] | None) -> str:
    """The scene's own words (the legacy code asked an LLM; this joins what the scene says)."""
    parts = [str(scene_data.get(k)).strip() for k in ("animation_prompt", "description", "image_prompt", "title")
             if isinstance(scene_data.get(k), str) and scene_data.get(k).strip()]
    style = (story_context or {}).get("story_setting") or (story_context or {}).get("style")
    if isinstance(style, str) and style.strip():
        parts.append(style.strip())
    return ". ".join(dict.fromkeys(parts)) or "gentle cinematic motion over the scene"


class StorySceneAnimationService:
    """The story writer's Kling scene animation (`animate-scene-preview`) and its resume, which
    now checks ownership and never bills twice: it follows the caller's own job for that
    prediction to its end (delivery is once per job)."""

    def __init__(self, generate: GenerateVideo, list_jobs: ListJobs, run_job: RunJob, get_asset: GetAsset,
                 links: AssetLinks | None = None, model: str = "kwaivgi/kling-v2.5-turbo-std/image-to-video"):
        self._generate = generate
        self._list_jobs, self._run_job, self._get_asset = list_jobs, run_job, get_asset
        self._links = links or AssetLinks()
        self._model = model

    async def animate_scene_image(self, image_bytes: bytes | str, scene_data: dict[str, Any],
                                  story_context: dict[str, Any] | None = None, user_id: str | None = None,
                                  duration: int = 5, progress_callback: Callable | None = None) -> dict[str, Any]:
        prompt = scene_animation_prompt(scene_data, story_context)
        scene = scene_data.get("scene_number")
        return await generate_or_failure(self._generate, self._links, lambda: VideoRequest(
            operation=OperationType.IMAGE_TO_VIDEO, user_id=user_id, model=self._model, prompt=prompt,
            duration=duration, image=media(MediaKind.IMAGE, image_bytes), source_module=STORY_WRITER),
            lambda r: self._response(r, scene, prompt), progress_callback)

    async def resume_scene_animation(self, prediction_id: str, scene_number: int, duration: int = 5,
                                     user_id: str | None = None) -> dict[str, Any]:
        try:
            job = await self._own_job(prediction_id, user_id)
            job = await self._run_job(job.id)
            if job.error is not None:
                raise JobFailedError(job)
            if job.asset_id is None:
                raise JobNotFinishedError(job, "the animation is still rendering")
            asset = await self._get_asset(job.asset_id, job.user_id)
        except (DomainError, JobFailedError, JobNotFinishedError) as e:
            return failure(e)
        result = self._links.linked(VideoResult.of(job, asset))
        return self._response(result, scene_number, job.request.prompt)

    async def _own_job(self, prediction_id: str, user_id: str | None):
        for job in await self._list_jobs(user_id or "", limit=200):
            if job.provider_job_id == prediction_id and job.request.source_module == STORY_WRITER:
                return job
        raise InvalidRequestError("prediction_id", "is not a scene animation of yours", value=prediction_id)

    @staticmethod
    def _response(result: VideoResult, scene_number: Any, prompt: str | None) -> dict[str, Any]:
        return {"success": True, "scene_number": scene_number, "video_filename": file_name(result),
                "video_url": result.file_url, "duration": result.duration, "cost": result.cost.as_float(),
                "prompt_used": prompt, "provider": result.provider, "prediction_id": result.prediction_id,
                "asset_id": result.asset_id, "job_id": result.job_id}
