"""Every studio method through the container on the SQL backend (embedded SQLite) with the local
provider: real files, checked by probing, with their asset's source module and usage record."""

from __future__ import annotations

import base64

import pytest

from videoforge.adapters.media.probe import probe_file
from videoforge.adapters.studios import (
    HDVideoRequest,
    HDVideoSceneRequest,
    ProductVideoRequest,
    TalkingAvatarRequest,
    TransformImageToVideoRequest,
)
from videoforge.bootstrap import Settings, build_container, open_container
from videoforge.domain import MediaKind

STUDIO_KEYS = {"success", "video_url", "cost", "duration", "model_used", "provider", "resolution", "width", "height",
               "file_size", "metadata"}


@pytest.fixture
async def studios(tmp_path, media_samples):
    settings = Settings(fake_providers=False, data_dir=tmp_path, default_provider="local", wavespeed_api_key=None,
                        default_plan="enterprise", poll_interval=0.05)
    assert settings.backend == "sql"
    container = build_container(settings)
    async with open_container(container=container):
        yield container, tmp_path, media_samples


async def recorded(container, tmp_path, out: dict, source_module: str, duration: float, size: tuple[int, int]):
    """The asset the studio's result names: its module, its usage record, and the file itself."""
    asset = await container.asset_library().get(out["asset_id"])
    assert asset.source_module == source_module and asset.cost.usd == 0
    period = container.clock().now().strftime("%Y-%m")
    assert out["job_id"] in {r.job_id for r in await container.usage_meter().records("u1", period)}
    info = probe_file(tmp_path / "media" / asset.storage_key, MediaKind.VIDEO)
    assert abs(info.duration - duration) <= 0.1 and (info.width, info.height) == size
    return asset


async def test_video_studio(studios):
    container, root, samples = studios
    studio = container.video_studio()
    t2v = await studio.generate_text_to_video(prompt="a paper boat", duration=2, resolution="360p", user_id="u1")
    assert set(t2v) >= STUDIO_KEYS and t2v["success"] and t2v["model_used"] == "local/title-card"
    assert (t2v["width"], t2v["height"], t2v["cost"], t2v["provider"]) == (640, 360, 0.0, "local")
    await recorded(container, root, t2v, "video_studio", 2.0, (640, 360))

    i2v = await studio.generate_image_to_video(image_data=samples["image_640x480"], prompt="drift", duration=2,
                                               resolution="360p", aspect_ratio="9:16", user_id="u1")
    await recorded(container, root, i2v, "video_studio", 2.0, (360, 640))

    avatar = await studio.generate_avatar_video(avatar_data=samples["image_640x480"], audio_data=samples["audio_3s"],
                                                resolution="360p", user_id="u1")
    await recorded(container, root, avatar, "video_studio", 3.0, (640, 360))

    enhanced = await studio.enhance_video(video_data=samples["video_2s_320x180"], target_resolution="480p",
                                          user_id="u1")
    assert enhanced["enhancement_type"] == "upscale" and enhanced["target_resolution"] == "480p"
    await recorded(container, root, enhanced, "video_studio", 2.0, (832, 480))

    extended = await studio.extend_video(video_data=samples["video_2s_320x180"], duration=1, resolution="360p",
                                         user_id="u1")
    await recorded(container, root, extended, "video_studio", 3.0, (640, 360))


async def test_image_studio(studios):
    container, root, samples = studios
    studio = container.image_studio()
    image = base64.b64encode(samples["image_640x480"]).decode()
    moving = await studio.transform_image_to_video(TransformImageToVideoRequest(
        image_base64=image, prompt="slow zoom", duration=2, resolution="360p"), user_id="u1")
    assert moving["success"] and moving["video_base64"] is None and moving["model"] == "local/pan-zoom"
    await recorded(container, root, moving, "image_studio", 2.0, (640, 360))
    talking = await studio.create_talking_avatar(TalkingAvatarRequest(
        image_base64="data:image/png;base64," + image, audio_base64=base64.b64encode(samples["audio_2_5s"]).decode(),
        resolution="360p"), user_id="u1")
    await recorded(container, root, talking, "image_studio", 2.5, (640, 360))


async def test_story_writer_podcast_and_product_marketing(studios):
    container, root, samples = studios
    story = container.story_writer_video()
    hd = await story.generate_hd_video_payload(HDVideoRequest(prompt="a castle", duration=2, resolution="360p"),
                                               user_id="u1")
    assert hd["success"] and hd["video_filename"].endswith(".mp4")
    await recorded(container, root, hd, "story_writer", 2.0, (640, 360))
    scene = await story.generate_hd_video_scene_payload(HDVideoSceneRequest(
        prompt="the gate", scene_number=2, scene_data={"description": "fog rolls in"}, duration=1,
        resolution="360p"), user_id="u1")
    assert scene["scene_number"] == 2 and "fog rolls in" in scene["prompt_used"]

    podcast = await container.podcast_video().render_scene_video(
        avatar_image=samples["image_640x480"], audio=samples["audio_3s"], user_id="u1", project_id="p",
        scene_id="s1", resolution="360p")
    assert podcast["success"] and podcast["model"] == "local/still-avatar"
    await recorded(container, root, podcast, "podcast_maker", 3.0, (640, 360))

    product = await container.product_video().generate_product_video(ProductVideoRequest(
        product_name="Aurora Lamp", product_description="a bedside lamp", duration=2, resolution="360p"),
        user_id="u1")
    assert product["success"] and product["source_module"] == "product_marketing"
    await recorded(container, root, product, "product_marketing", 2.0, (640, 360))
