"""End to end for each model the legacy backend used or named (issue 12): a request through the
container built from the environment, the WaveSpeed adapter talking HTTP to the emulator, the
PyAV probe reading the real MP4 it returns. Each case checks the exact API path and body the
provider received, the stored asset, and the usage recorded at the catalog price (written out
here, from the sources in domain/models_wavespeed.py, not recomputed from the catalog)."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.wavespeed import Scenario, emulator_environment
from tests.samples import mp4, png
from videoforge.bootstrap import Settings, build_container, open_container
from videoforge.domain import Cost, InvalidRequestError, MediaInput, MediaKind, VideoRequest

IMAGE = png(640, 480)


@dataclass(frozen=True)
class Case:
    request: dict[str, Any]
    body: dict[str, Any]  # inputs: "<upload>" for an uploaded URL, else the exact value
    price: str
    size: tuple[int, int]
    inputs: tuple[str, ...] = field(default=())


CASES: dict[str, Case] = {
    "google/veo3.1/text-to-video": Case(
        dict(operation="text_to_video", prompt="a lighthouse", resolution="720p", aspect_ratio="9:16", duration=4,
             generate_audio=True),
        {"prompt": "a lighthouse", "resolution": "720p", "aspect_ratio": "9:16", "duration": 4,
         "generate_audio": True},
        "0.32", (1280, 720)),  # 4 s x $0.08 (placeholder, unverified)
    "google/veo3.1-fast/text-to-video": Case(
        dict(operation="text_to_video", prompt="a lighthouse", duration=6),
        {"prompt": "a lighthouse", "resolution": "720p", "aspect_ratio": "16:9", "duration": 6,
         "generate_audio": True},
        "1.20", (1280, 720)),  # one video with audio
    "kwaivgi/kling-v2.5-turbo-std/image-to-video": Case(
        dict(operation="image_to_video", prompt="the scene comes alive", duration=10,
             options={"guidance_scale": 0.7}),
        {"prompt": "the scene comes alive", "duration": 10, "guidance_scale": 0.7, "image": "<base64>"},
        "0.42", (1280, 720), ("image",)),  # $0.42 for 10 s
    "wavespeed-ai/kandinsky5-pro/image-to-video": Case(
        dict(operation="image_to_video", prompt="slow dolly-in", resolution="512p"),
        {"prompt": "slow dolly-in", "resolution": "512p", "duration": 5, "image_url": "<upload>"},
        "0.20", (768, 512), ("image",)),  # 5 s x $0.04
    "bytedance/seedance-v1.5-pro/video-extend": Case(
        dict(operation="extend", prompt="keep going", resolution="480p", duration=4,
             options={"camera_fixed": True}),
        {"prompt": "keep going", "resolution": "480p", "duration": 4, "generate_audio": True, "camera_fixed": True,
         "video": "<upload>"},
        "0.096", (832, 480), ("video",)),  # 4 s x $0.024 (480p with audio)
    "wavespeed-ai/wan-2.2-spicy/video-extend": Case(
        dict(operation="extend", prompt="keep going", resolution="480p", duration=5, seed=3),
        {"prompt": "keep going", "resolution": "480p", "duration": 5, "seed": 3, "video": "<upload>"},
        "0.15", (832, 480), ("video",)),  # 5 s x $0.03
    "alibaba/wan-2.6/text-to-video": Case(
        dict(operation="text_to_video", prompt="a harbour", aspect_ratio="9:16", duration=5,
             options={"shot_type": "multi"}),
        {"prompt": "a harbour", "size": "720*1280", "duration": 5, "shot_type": "multi"},
        "0.50", (720, 1280)),  # 5 s x $0.10
    "alibaba/wan-2.6/image-to-video": Case(
        dict(operation="image_to_video", prompt="waves", duration=5),
        {"prompt": "waves", "resolution": "720p", "duration": 5, "image": "<upload>"},
        "0.50", (1280, 720), ("image",)),  # 5 s x $0.10
    # The legacy backend's other operations, billed by the 3 s input clip.
    "lightricks/ltx-2-retake": Case(
        dict(operation="edit", prompt="a red boat", options={"start_time": 0.5, "end_time": 2.5}),
        {"prompt": "a red boat", "start_time": 0.5, "end_time": 2.5, "mode": "replace_audio_and_video",
         "video": "<upload>"},
        "0.30", (1280, 720), ("video",)),  # 3 s x $0.10 per output second
    "wavespeed-ai/wan-2.1/mocha": Case(
        dict(operation="face_swap", prompt="same scene"),
        {"prompt": "same scene", "resolution": "480p", "image": "<upload>", "video": "<upload>"},
        "0.20", (832, 480), ("image", "video")),  # the 5 s minimum x $0.04
    "wavespeed-ai/video-face-swap": Case(
        dict(operation="face_swap", options={"target_gender": "male", "target_index": 1}),
        {"target_gender": "male", "target_index": 1, "face_image": "<upload>", "video": "<upload>"},
        "0.05", (1280, 720), ("image", "video")),  # the 5 s minimum x $0.01
    "heygen/video-translate": Case(
        dict(operation="translate", options={"language": "Japanese"}),
        {"output_language": "Japanese", "video": "<upload>"},
        "0.1125", (1280, 720), ("video",)),  # 3 s x $0.0375
    "wavespeed-ai/video-background-remover": Case(
        dict(operation="remove_background"),
        {"background_image": "<upload>", "video": "<upload>"},
        "0.05", (1280, 720), ("image", "video")),  # the 5 s minimum x $0.01
    "wavespeed-ai/hunyuan-video-foley": Case(
        dict(operation="add_audio", prompt="waves on rocks", seed=4),
        {"prompt": "waves on rocks", "seed": 4, "video": "<upload>"},
        "0.10", (1280, 720), ("video",)),  # the 5 s minimum x $0.02
    "wavespeed-ai/think-sound": Case(
        dict(operation="add_audio", prompt="rain"),
        {"prompt": "rain", "video": "<upload>"},
        "0.05", (1280, 720), ("video",)),  # $0.05 a video
}


@pytest.fixture
async def container(wavespeed_emulator, monkeypatch, tmp_path):
    for name, value in emulator_environment(wavespeed_emulator, VIDEOFORGE_STORAGE="memory",
                                            VIDEOFORGE_DATA_DIR=str(tmp_path),
                                            VIDEOFORGE_DEFAULT_PLAN="enterprise",
                                            # the emulator renders real MP4s while answering: give it time
                                            VIDEOFORGE_WAVESPEED_READ_TIMEOUT="30").items():
        monkeypatch.setenv(name, value)
    wavespeed_emulator.real_media = True
    container = build_container(Settings())
    async with open_container(container=container):
        yield container


def inputs_for(case: Case, tmp_path: Path) -> dict[str, MediaInput]:
    given: dict[str, MediaInput] = {}
    if "image" in case.inputs:
        given["image"] = MediaInput.from_bytes(MediaKind.IMAGE, IMAGE + bytes(600_000), "image/png", "scene.png")
    if "video" in case.inputs:
        clip = mp4(tmp_path / "clip.mp4", 3.0, 320, 240, audio=False)
        given["video"] = MediaInput.from_path(MediaKind.VIDEO, str(clip), "video/mp4", clip.stat().st_size)
    return given


@pytest.mark.parametrize("model", sorted(CASES))
async def test_each_new_model_is_sent_its_own_body_stored_and_billed_at_the_catalog_price(
        container, wavespeed_emulator, tmp_path, model):
    case = CASES[model]
    wavespeed_emulator.script(Scenario.succeed(polls=1))
    request = VideoRequest(user_id="u1", model=model, **case.request, **inputs_for(case, tmp_path))

    result = await container.generate_video()(request)

    [submit] = [r for r in wavespeed_emulator.requests_to("POST", "/api/v3/") if "/media/" not in r.path]
    assert submit.path == f"/api/v3/{model}"
    task = wavespeed_emulator.tasks[result.prediction_id]
    sent = json.loads(task.body)
    for name, value in case.body.items():
        if value == "<upload>":
            assert sent[name].startswith(wavespeed_emulator.url + "/_media/"), name
            sent[name] = value
        elif value == "<base64>":
            assert sent[name] == base64.b64encode(IMAGE + bytes(600_000)).decode()
            sent[name] = value
    assert sent == case.body
    stored = container.storage().objects[result.file_path]
    assert result.sha256 == hashlib.sha256(stored).hexdigest() and (result.width, result.height) == case.size
    asset = await container.asset_library().get(result.asset_id)
    assert asset.model == model and asset.operation == request.operation.value
    price = Cost(case.price)
    [record] = await container.usage_meter().records("u1", container.clock().now().strftime("%Y-%m"))
    assert record.cost == price and result.cost == price and record.model == model


@pytest.mark.parametrize(("operation", "changes", "field", "allowed"), [
    ("face_swap", {"image": MediaInput.from_bytes(MediaKind.IMAGE, b"not a picture at all", "image/png", "face.png")},
     "image", None),
    ("translate", {"options": {"language": "Klingon"}}, "language", "English"),
    ("edit", {"prompt": "a red boat", "options": {"start_time": 1, "end_time": 9}}, "end_time", "0 to"),
])
async def test_bad_inputs_are_refused_by_name_before_anything_is_reserved_or_sent(
        container, wavespeed_emulator, tmp_path, operation, changes, field, allowed):
    clip = mp4(tmp_path / "clip.mp4", 3.0, 320, 240, audio=False)
    fields = {"video": MediaInput.from_path(MediaKind.VIDEO, str(clip), "video/mp4", clip.stat().st_size),
              "image": MediaInput.from_bytes(MediaKind.IMAGE, IMAGE, "image/png", "face.png")} | changes
    if operation != "face_swap":
        fields.pop("image")
    with pytest.raises(InvalidRequestError) as refused:
        await container.generate_video()(VideoRequest(operation=operation, user_id="u1", **fields))
    assert refused.value.field == field
    if allowed:
        assert any(allowed in str(a) for a in refused.value.allowed)
    assert wavespeed_emulator.submission_count == 0 and wavespeed_emulator.uploads == {}
    usage = (await container.quota_guard().check("u1", Cost(0), container.clock().now().strftime("%Y-%m"))).usage
    assert (usage.calls, usage.reserved_calls) == (0, 0)
    assert await container.list_jobs()("u1") == []


def test_an_operation_without_its_video_is_refused_naming_the_video():
    for operation in ("edit", "face_swap", "translate", "remove_background", "add_audio"):
        with pytest.raises(InvalidRequestError) as refused:
            VideoRequest(operation=operation, user_id="u1", prompt="p",
                         image=MediaInput.from_bytes(MediaKind.IMAGE, IMAGE, "image/png", "face.png"))
        assert refused.value.field == "video" and operation in str(refused.value)
