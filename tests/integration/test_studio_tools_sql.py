"""The studio services that bypassed the entry point (issue 12, reference/alwrity-behaviour.md 6.2
and 6.4), on the SQL backend (SQLite in a temporary folder) with the scripted fake provider:
legacy names, arguments and return keys, one job, asset and usage record each."""

from __future__ import annotations

import base64

import pytest
from dependency_injector import providers

from tests.conftest import settings_for_tests
from videoforge.adapters.fakes import FakeVideoProvider, InMemoryStorage, fake_audio, fake_image, fake_video
from videoforge.bootstrap import build_container, open_container

VIDEO = fake_video(6.0)
FACE = fake_image()
KEYS = {"success", "video_url", "video_bytes", "cost", "metadata"}


@pytest.fixture
async def studio(tmp_path):
    container = build_container(settings_for_tests(backend="sql", data_dir=tmp_path, default_plan="enterprise",
                                                   poll_interval=0.001))
    provider, storage = FakeVideoProvider(), InMemoryStorage()
    container.video_providers.override(providers.Object({"wavespeed": provider}))
    container.storage.override(providers.Object(storage))
    async with open_container(container=container):
        container.fake = provider
        container.kept = storage
        yield container


def bytes_of(container, result) -> bytes:
    return container.kept.objects[next(k for k in container.kept.objects if k.endswith(f"{result['job_id']}.mp4"))]


async def test_face_swap_with_mocha_and_with_video_face_swap(studio):
    mocha = await studio.face_swap().swap_face(FACE, VIDEO, model="mocha", prompt="same scene", user_id="u1")
    assert KEYS | {"model", "resolution"} <= set(mocha) | {"video_bytes"}, mocha
    assert mocha["success"] and mocha["model"] == "wavespeed-ai/wan-2.1/mocha" and mocha["resolution"] == "480p"
    assert mocha["cost"] == 0.24 and mocha["video_bytes"] == bytes_of(studio, mocha)  # 6 s x $0.04
    swap = await studio.face_swap().swap_face(base64.b64encode(FACE).decode(), VIDEO, model="video-face-swap",
                                              target_gender="female", target_index=1, user_id="u1")
    assert swap["success"] and swap["model"] == "wavespeed-ai/video-face-swap" and swap["cost"] == 0.06
    assert studio.fake.submissions[-1].spec.options == {"target_gender": "female", "target_index": 1}


async def test_face_swap_refuses_a_face_that_is_not_an_image(studio):
    refused = await studio.face_swap().swap_face(b"plain text, no picture", VIDEO, user_id="u1")
    assert refused["success"] is False and refused["error_code"] == "invalid_request" and "image" in refused["error"]
    assert await studio.list_jobs()("u1") == []


async def test_translate_video(studio):
    result = await studio.video_translate().translate_video(VIDEO, output_language="Spanish", user_id="u1")
    assert result["success"] and result["output_language"] == "Spanish" and result["cost"] == 0.225  # 6 s
    assert set(result) | {"video_bytes"} >= KEYS and result["video_bytes"] == bytes_of(studio, result)
    refused = await studio.video_translate().translate_video(VIDEO, output_language="Klingon", user_id="u1")
    assert refused["success"] is False and "language" in refused["error"]


async def test_remove_background_with_and_without_a_new_one(studio):
    plain = await studio.video_background_remover().remove_background(VIDEO, user_id="u1")
    assert plain["success"] and plain["has_background_replacement"] is False and plain["cost"] == 0.06
    replaced = await studio.video_background_remover().remove_background(VIDEO, FACE, user_id="u1")
    assert replaced["has_background_replacement"] is True and replaced["video_bytes"] == bytes_of(studio, replaced)


async def test_add_audio_with_foley_and_think_sound(studio):
    foley = await studio.add_audio_to_video().add_audio(VIDEO, prompt="waves", seed=3, user_id="u1")
    assert foley["success"] and foley["model_used"] == "wavespeed-ai/hunyuan-video-foley" and foley["cost"] == 0.12
    think = await studio.add_audio_to_video().add_audio(VIDEO, model="think-sound", user_id="u1")
    assert think["model_used"] == "wavespeed-ai/think-sound" and think["cost"] == 0.05
    assert set(think) | {"video_bytes"} >= KEYS and think["video_bytes"] == bytes_of(studio, think)


async def test_create_talking_avatar(studio):
    result = await studio.avatar_studio().create_talking_avatar(
        base64.b64encode(FACE).decode(), base64.b64encode(fake_audio(7.0)).decode(), resolution="480p",
        prompt="a calm narrator", user_id="u1")
    assert result["success"] and result["model_used"] == "wavespeed-ai/infinitetalk" and result["cost"] == 0.21
    assert {"video_url", "duration", "provider", "width", "height"} <= set(result)


async def test_story_scene_animation_and_its_resume_bill_once_and_only_for_the_owner(studio):
    service = studio.story_scene_animation()
    scene = {"scene_number": 3, "description": "a fox crosses the snow"}
    made = await service.animate_scene_image(FACE, scene, {"style": "watercolour"}, user_id="u1", duration=5)
    assert {"success", "scene_number", "video_filename", "video_url", "duration", "cost", "prompt_used",
            "provider", "prediction_id"} <= set(made)
    assert made["scene_number"] == 3 and made["cost"] == 0.21 and "fox" in made["prompt_used"]
    assert studio.fake.submissions[-1].spec.model == "kwaivgi/kling-v2.5-turbo-std/image-to-video"
    again = await service.resume_scene_animation(made["prediction_id"], 3, user_id="u1")
    assert again["success"] and again["video_filename"] == made["video_filename"]
    usage = await studio.usage_meter().summary("u1", studio.clock().now().strftime("%Y-%m"))
    assert usage.video_calls == 1  # the resume billed nothing more
    foreign = await service.resume_scene_animation(made["prediction_id"], 3, user_id="u2")
    assert foreign["success"] is False and "prediction_id" in foreign["error"]
