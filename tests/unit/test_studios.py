"""Every studio method through the container, on the fakes: the legacy dictionaries, the asset's
source module and the usage record."""

from __future__ import annotations

import base64

import pytest

from videoforge.adapters.fakes import Outcome, fake_audio, fake_image, fake_video
from videoforge.adapters.studios import (
    HDVideoRequest,
    HDVideoSceneRequest,
    ProductVideoRequest,
    TalkingAvatarRequest,
    TransformImageToVideoRequest,
)
from videoforge.application.errors import JobFailedError
from videoforge.bootstrap import compat
from videoforge.domain import Cost, ErrorCode, Plan

STUDIO_KEYS = {"success", "video_url", "cost", "duration", "model_used", "provider", "resolution", "width", "height",
               "file_size", "metadata"}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def only_asset(harness):
    [asset] = harness.assets.assets.values()
    [usage] = harness.usage.events.values()
    assert usage.job_id == asset.job_id and usage.cost == asset.cost
    return asset


async def test_video_studio_text_to_video(harness):
    out = await harness.container.video_studio().generate_text_to_video(
        prompt="a fox in snow", duration=8, resolution="480p", user_id="u1")
    assert set(out) >= STUDIO_KEYS and out["success"] is True
    assert (out["cost"], out["duration"], out["width"], out["height"]) == (0.16, 8.0, 832, 480)
    assert out["model_used"] == "wavespeed-ai/hunyuan-video-1.5/text-to-video" and out["provider"] == "wavespeed"
    asset = only_asset(harness)
    assert asset.source_module == "video_studio" and out["video_url"] == f"/api/video/assets/{asset.id}/video"


async def test_video_studio_image_to_video(harness):
    out = await harness.container.video_studio().generate_image_to_video(
        image_data=fake_image(), prompt="slow pan", model="alibaba/wan-2.5", duration=10, user_id="u1")
    assert out["success"] and out["model_used"] == "alibaba/wan-2.5/image-to-video" and out["cost"] == 1.0
    assert only_asset(harness).source_module == "video_studio"


async def test_video_studio_avatar(harness):
    out = await harness.container.video_studio().generate_avatar_video(
        avatar_data=fake_image(), audio_data=fake_audio(6.0), model="infinitetalk", resolution="480p", user_id="u1")
    assert out["success"] and out["duration"] == 6.0 and out["cost"] == 0.18
    assert only_asset(harness).operation == "avatar"


async def test_video_studio_enhance(harness):
    out = await harness.container.video_studio().enhance_video(
        video_data=fake_video(4.0, 640, 360), target_resolution="2k", user_id="u1")
    assert out["success"] and (out["width"], out["height"]) == (2560, 1440)
    assert out["enhancement_type"] == "upscale" and out["target_resolution"] == "2k" and out["cost"] == 0.12
    unsupported = await harness.container.video_studio().enhance_video(
        video_data=fake_video(), enhancement_type="hdr", user_id="u1")
    assert unsupported == {"success": False, "error": "enhancement_type: is not supported (allowed: upscale)",
                           "error_code": "invalid_request"}


async def test_video_studio_extend(harness):
    out = await harness.container.video_studio().extend_video(
        video_data=fake_video(5.0), prompt="and then it rains", duration=3, resolution="480p", user_id="u1")
    assert out["success"] and out["duration"] == 8.0 and out["cost"] == 0.15


async def test_video_studio_models_and_estimate(harness):
    studio = harness.container.video_studio()
    models = await studio.get_available_models("text-to-video")
    assert models["success"] and {m["id"] for m in models["models"]} >= {"lightricks/ltx-2-pro/text-to-video"}
    estimate = await studio.estimate_cost("text-to-video", duration=10, resolution="720p",
                                          model="hunyuan-video-1.5", user_id="u1")
    assert estimate["estimated_cost"] == 0.4 and estimate["allowed"] and estimate["price_verified"]
    bad = await studio.estimate_cost("text-to-video", duration=7, model="hunyuan-video-1.5")
    assert bad["success"] is False and "allowed: 5, 8, 10" in bad["error"]
    assert harness.quota.reservations == {}


async def test_a_provider_failure_keeps_the_legacy_failure_shape(harness):
    harness.provider.script(Outcome.fail(ErrorCode.CONTENT_MODERATION, provider_code=1200, message="flagged"))
    out = await harness.container.video_studio().generate_text_to_video(prompt="x", user_id="u1")
    assert out["success"] is False and out["error_code"] == "content_moderation" and "flagged" in out["error"]
    assert harness.assets.assets == {} and harness.usage.events == {}


async def test_a_quota_refusal_keeps_the_legacy_failure_shape(harness):
    harness.quota.assign("u1", Plan("one-video", 1, Cost("2")))
    studio = harness.container.video_studio()
    assert (await studio.generate_text_to_video(prompt="x", user_id="u1"))["success"]
    out = await studio.generate_text_to_video(prompt="x", user_id="u1")
    assert out["success"] is False and out["error_code"] == "video_limit"
    assert out["usage_info"]["limit"] == 1 and len(harness.provider.submissions) == 1
    # the legacy dictionaries keep their amounts as JSON numbers (floats): the studios' callers' contract
    assert isinstance(out["usage_info"]["requested_cost"], float) and isinstance(out["usage_info"]["cost_limit"], float)


async def test_image_studio_transform_and_avatar(harness):
    studio = harness.container.image_studio()
    out = await studio.transform_image_to_video(TransformImageToVideoRequest(
        image_base64="data:image/png;base64," + b64(fake_image()), prompt="drift"), user_id="u1")
    assert {"success", "video_url", "video_base64", "duration", "resolution", "width", "height", "file_size", "cost",
            "provider", "model", "metadata"} <= set(out)
    assert out["success"] and out["video_base64"] is None and out["model"] == "alibaba/wan-2.5/image-to-video"
    avatar = await studio.create_talking_avatar(TalkingAvatarRequest(
        image_base64=b64(fake_image()), audio_base64=b64(fake_audio(5.0)), resolution="480p"), user_id="u1")
    assert avatar["success"] and avatar["duration"] == 5.0 and avatar["model"] == "wavespeed-ai/infinitetalk"
    assert {a.source_module for a in harness.assets.assets.values()} == {"image_studio"}
    assert len(harness.usage.events) == 2
    broken = await studio.transform_image_to_video(TransformImageToVideoRequest(image_base64="not base64!"),
                                                   user_id="u1")
    assert broken["success"] is False and broken["error"].startswith("image:")


async def test_story_writer_hd_video(harness):
    service = harness.container.story_writer_video()
    out = await service.generate_hd_video_payload(HDVideoRequest(prompt="a dragon over hills", provider="wavespeed"),
                                                  user_id="u1")
    assert out["success"] and out["video_filename"].endswith(".mp4")
    assert out["video_url"] == f"/api/video/assets/{out['asset_id']}/video"
    scene = await service.generate_hd_video_scene_payload(HDVideoSceneRequest(
        prompt="the castle", scene_number=3, scene_data={"description": "storm clouds gather"}), user_id="u1")
    assert scene["scene_number"] == 3 and "storm clouds gather" in scene["prompt_used"]
    assert {a.source_module for a in harness.assets.assets.values()} == {"story_writer"}
    harness.provider.script(Outcome.fail())
    with pytest.raises(JobFailedError):
        await service.generate_hd_video_payload(HDVideoRequest(prompt="x"), user_id="u1")


async def test_podcast_scene_video_and_a_retry_after_failure(harness):
    service = harness.container.podcast_video()
    harness.provider.script(Outcome.fail(ErrorCode.TASK_FAILED))
    failed = await service.render_scene_video(avatar_image=fake_image(), audio=fake_audio(9.0), user_id="u1",
                                              project_id="p1", scene_id="s1", resolution="480p")
    assert failed["success"] is False and failed["error_code"] == "provider_task_failed"
    retried = await service.render_scene_video(avatar_image=fake_image(), audio=fake_audio(9.0), user_id="u1",
                                               project_id="p1", scene_id="s1", resolution="480p")
    assert retried["success"] and retried["cost"] == 0.27 and retried["duration"] == 9.0
    assert {"video_url", "video_filename", "cost", "duration", "provider", "model"} <= set(retried)
    assert only_asset(harness).source_module == "podcast_maker" and len(harness.provider.submissions) == 2


async def test_product_marketing_video(harness):
    out = await harness.container.product_video().generate_product_video(ProductVideoRequest(
        product_name="Aurora Lamp", product_description="a smart bedside lamp", video_type="launch",
        brand_context={"colors": ["teal", "white"]}), user_id="u1")
    assert out["success"] and out["product_name"] == "Aurora Lamp" and out["source_module"] == "product_marketing"
    assert out["model_name"] == "alibaba/wan-2.5/text-to-video" and out["cost"] == 1.0
    [task] = harness.provider.submissions
    assert "Aurora Lamp" in task.spec.prompt and "teal, white" in task.spec.prompt
    assert task.spec.enable_prompt_expansion is True and task.spec.negative_prompt
    assert only_asset(harness).source_module == "product_marketing"


async def test_ai_video_generate_keeps_the_legacy_signature_and_keys(harness):
    compat.use_container(harness.container)
    try:
        result = await compat.ai_video_generate(prompt="waves", operation_type="text-to-video",
                                                provider="wavespeed", user_id="u1", duration=5,
                                                resolution="720p", model="hunyuan-video-1.5", negative_prompt="blur")
        image = await compat.ai_video_generate(image_base64=b64(fake_image()), operation_type="image-to-video",
                                               user_id="u1", prompt="pan")
    finally:
        compat.use_container(None)
    assert {"prompt", "duration", "model_name", "cost", "provider", "resolution", "width", "height", "metadata",
            "source_video_url", "prediction_id", "asset_id", "file_url", "file_path"} <= set(result)
    assert result["cost"] == 0.2 and image["model_name"] == "alibaba/wan-2.5/image-to-video"
    assert {a.source_module for a in harness.assets.assets.values()} == {"main_video_generation"}
    # Storage in memory keeps no file here: the bytes are read through the storage, on first access.
    assert result["file_path"] == result["storage_key"] and "video_bytes" not in list(result)
    assert result["video_bytes"] == harness.storage.objects[result["storage_key"]]
