"""The JSON body WaveSpeed receives for every model of the catalog, pinned byte for byte.

Each request goes through the catalog's checks and the WaveSpeed adapter, over real HTTP to the
emulator, which keeps the body exactly as it arrived. Upload URLs differ from run to run, so
they are written `<upload:NAME>`; everything else (field names, values, order, separators) is
compared as bytes."""

from __future__ import annotations

import re

import pytest

from videoforge.adapters.wavespeed import WaveSpeedVideoProvider
from videoforge.application.ports.provider import ProviderTask
from videoforge.application.sources import InputSource
from videoforge.bootstrap.wavespeed import http_client
from videoforge.domain import MediaInput, MediaKind, VideoRequest, default_catalog
from videoforge.domain.catalog import GenerationPlan

SMALL_PNG = b"\x89PNG\r\n\x1a\n-small-face"  # small enough to go inline where the model takes data URIs
LARGE_PNG = b"\x89PNG\r\n\x1a\n" + bytes(600_000)  # always uploaded
AUDIO = MediaInput.from_bytes(MediaKind.AUDIO, b"ID3-voice", "audio/mpeg", "voice.mp3")
VIDEO = MediaInput.from_bytes(MediaKind.VIDEO, b"\x00\x00\x00\x18ftypmp42", "video/mp4", "clip.mp4")
EVERYTHING = {"negative_prompt": "blur", "seed": 7, "generate_audio": True, "enable_prompt_expansion": False}


def image(data: bytes) -> MediaInput:
    return MediaInput.from_bytes(MediaKind.IMAGE, data, "image/png", "face.png")


# For each model, a request giving everything a request can give, and one giving only what the
# model needs.
CASE_FIELDS = {
    "wavespeed-ai/hunyuan-video-1.5/text-to-video (everything)": dict(
        operation="text_to_video", prompt="a cat", resolution="480p", aspect_ratio="9:16", duration=8, **EVERYTHING),
    "wavespeed-ai/hunyuan-video-1.5/text-to-video (defaults)": dict(operation="text_to_video", prompt="a cat"),
    "wavespeed-ai/hunyuan-video-1.5/image-to-video (everything)": dict(
        operation="image_to_video", prompt="a cat", resolution="480p", duration=8, image=image(LARGE_PNG),
        **EVERYTHING),
    "wavespeed-ai/hunyuan-video-1.5/image-to-video (defaults)": dict(operation="image_to_video",
                                                                     image=image(SMALL_PNG)),
    "lightricks/ltx-2-pro/text-to-video (everything)": dict(
        operation="text_to_video", prompt="a cat", duration=8, **EVERYTHING),
    "lightricks/ltx-2-pro/text-to-video (defaults)": dict(operation="text_to_video", prompt="a cat"),
    "lightricks/ltx-2-fast/text-to-video (everything)": dict(
        operation="text_to_video", prompt="a cat", duration=20, **(EVERYTHING | {"generate_audio": False})),
    "lightricks/ltx-2-fast/text-to-video (defaults)": dict(operation="text_to_video", prompt="a cat"),
    "alibaba/wan-2.5/text-to-video (everything)": dict(
        operation="text_to_video", prompt="a cat", resolution="1080p", aspect_ratio="9:16", duration=10, audio=AUDIO,
        **EVERYTHING),
    "alibaba/wan-2.5/text-to-video (defaults)": dict(operation="text_to_video", prompt="a cat"),
    "alibaba/wan-2.5/image-to-video (everything)": dict(
        operation="image_to_video", prompt="a cat", resolution="480p", duration=10, image=image(SMALL_PNG),
        audio=AUDIO, **EVERYTHING),
    "alibaba/wan-2.5/image-to-video (defaults)": dict(operation="image_to_video", image=image(LARGE_PNG)),
    "alibaba/wan-2.5/video-extend (everything)": dict(
        operation="extend", prompt="a cat", resolution="1080p", duration=3, video=VIDEO, audio=AUDIO, **EVERYTHING),
    "alibaba/wan-2.5/video-extend (defaults)": dict(operation="extend", prompt="a cat", video=VIDEO),
    "alibaba/wan-2.6/text-to-video (everything)": dict(
        operation="text_to_video", prompt="a cat", resolution="1080p", aspect_ratio="9:16", duration=15, audio=AUDIO,
        options={"shot_type": "multi"}, **EVERYTHING),
    "alibaba/wan-2.6/text-to-video (defaults)": dict(operation="text_to_video", prompt="a cat"),
    "alibaba/wan-2.6/image-to-video (everything)": dict(
        operation="image_to_video", prompt="a cat", resolution="1080p", duration=10, image=image(SMALL_PNG),
        audio=AUDIO, options={"shot_type": "single"}, **EVERYTHING),
    "alibaba/wan-2.6/image-to-video (defaults)": dict(operation="image_to_video", image=image(LARGE_PNG)),
    "google/veo3.1/text-to-video (everything)": dict(
        operation="text_to_video", prompt="a cat", resolution="1080p", aspect_ratio="9:16", duration=4, **EVERYTHING),
    "google/veo3.1/text-to-video (defaults)": dict(operation="text_to_video", prompt="a cat"),
    "google/veo3.1-fast/text-to-video (everything)": dict(
        operation="text_to_video", prompt="a cat", resolution="1080p", aspect_ratio="9:16", duration=6,
        **(EVERYTHING | {"generate_audio": False})),
    "google/veo3.1-fast/text-to-video (defaults)": dict(operation="text_to_video", prompt="a cat"),
    "kwaivgi/kling-v2.5-turbo-std/image-to-video (everything)": dict(
        operation="image_to_video", prompt="a cat", duration=10, image=image(SMALL_PNG),
        options={"guidance_scale": 0.8}, **EVERYTHING),
    "kwaivgi/kling-v2.5-turbo-std/image-to-video (defaults)": dict(operation="image_to_video", prompt="a cat",
                                                                   image=image(SMALL_PNG)),
    "wavespeed-ai/kandinsky5-pro/image-to-video (everything)": dict(
        operation="image_to_video", prompt="a cat", resolution="1024p", duration=5, image=image(SMALL_PNG),
        **EVERYTHING),
    "wavespeed-ai/kandinsky5-pro/image-to-video (defaults)": dict(operation="image_to_video", prompt="a cat",
                                                                  image=image(LARGE_PNG)),
    "bytedance/seedance-v1.5-pro/video-extend (everything)": dict(
        operation="extend", prompt="a cat", resolution="480p", duration=12, video=VIDEO,
        options={"camera_fixed": True}, **(EVERYTHING | {"generate_audio": False})),
    "bytedance/seedance-v1.5-pro/video-extend (defaults)": dict(operation="extend", video=VIDEO),
    "wavespeed-ai/wan-2.2-spicy/video-extend (everything)": dict(
        operation="extend", prompt="a cat", resolution="480p", duration=8, video=VIDEO, **EVERYTHING),
    "wavespeed-ai/wan-2.2-spicy/video-extend (defaults)": dict(operation="extend", video=VIDEO),
    "wavespeed-ai/infinitetalk (everything)": dict(
        operation="avatar", prompt="a cat", resolution="720p", image=image(SMALL_PNG), audio=AUDIO, **EVERYTHING),
    "wavespeed-ai/infinitetalk (defaults)": dict(operation="avatar", image=image(LARGE_PNG), audio=AUDIO),
    "wavespeed-ai/hunyuan-avatar (everything)": dict(
        operation="avatar", prompt="a cat", resolution="720p", image=image(LARGE_PNG), audio=AUDIO, **EVERYTHING),
    "wavespeed-ai/hunyuan-avatar (defaults)": dict(operation="avatar", image=image(SMALL_PNG), audio=AUDIO),
    "wavespeed-ai/flashvsr (everything)": dict(operation="enhance", prompt="sharper", resolution="4k", video=VIDEO,
                                               **EVERYTHING),
    "wavespeed-ai/flashvsr (defaults)": dict(operation="enhance", video=VIDEO),
    "wavespeed-ai/video-upscaler (everything)": dict(operation="enhance", prompt="sharper", video=VIDEO,
                                                     **EVERYTHING),
    "wavespeed-ai/video-upscaler (defaults)": dict(operation="enhance", video=VIDEO),
    "lightricks/ltx-2-retake (everything)": dict(
        operation="edit", prompt="a red boat", video=VIDEO,
        options={"start_time": 1, "end_time": 4.5, "replace": "video"}, **EVERYTHING),
    "lightricks/ltx-2-retake (defaults)": dict(operation="edit", prompt="a red boat", video=VIDEO),
    "wavespeed-ai/wan-2.1/mocha (everything)": dict(
        operation="face_swap", prompt="the same scene", resolution="720p", image=image(SMALL_PNG), video=VIDEO,
        **EVERYTHING),
    "wavespeed-ai/wan-2.1/mocha (defaults)": dict(operation="face_swap", image=image(LARGE_PNG), video=VIDEO),
    "wavespeed-ai/video-face-swap (everything)": dict(
        operation="face_swap", image=image(SMALL_PNG), video=VIDEO,
        options={"target_gender": "female", "target_index": 2}, **EVERYTHING),
    "wavespeed-ai/video-face-swap (defaults)": dict(operation="face_swap", image=image(LARGE_PNG), video=VIDEO),
    "heygen/video-translate (everything)": dict(operation="translate", video=VIDEO, options={"language": "Spanish"},
                                                **EVERYTHING),
    "heygen/video-translate (defaults)": dict(operation="translate", video=VIDEO),
    "wavespeed-ai/video-background-remover (everything)": dict(
        operation="remove_background", video=VIDEO, image=image(SMALL_PNG), **EVERYTHING),
    "wavespeed-ai/video-background-remover (defaults)": dict(operation="remove_background", video=VIDEO),
    "wavespeed-ai/hunyuan-video-foley (everything)": dict(operation="add_audio", prompt="waves", video=VIDEO,
                                                          **EVERYTHING),
    "wavespeed-ai/hunyuan-video-foley (defaults)": dict(operation="add_audio", video=VIDEO),
    "wavespeed-ai/think-sound (everything)": dict(operation="add_audio", prompt="waves", video=VIDEO, **EVERYTHING),
    "wavespeed-ai/think-sound (defaults)": dict(operation="add_audio", video=VIDEO),
}

PINNED: dict[str, bytes] = {
    "alibaba/wan-2.5/image-to-video (defaults)":
        b'{"resolution":"720p","duration":5,"image":"<upload:face.png>"}',
    "alibaba/wan-2.5/image-to-video (everything)":
        b'{"prompt":"a cat","resolution":"480p","duration":10,"negative_prompt":"blur","seed":7'
        b',"enable_prompt_expansion":false,"image":"data:image/png;base64,iVBORw0KGgotc21hbGwtZmFjZQ=="'
        b',"audio":"<upload:voice.mp3>"}',
    "alibaba/wan-2.5/text-to-video (defaults)":
        b'{"prompt":"a cat","size":"1280*720","duration":5}',
    "alibaba/wan-2.5/text-to-video (everything)":
        b'{"prompt":"a cat","size":"1080*1920","duration":10,"negative_prompt":"blur","seed":7'
        b',"enable_prompt_expansion":false,"audio":"<upload:voice.mp3>"}',
    "alibaba/wan-2.5/video-extend (defaults)":
        b'{"prompt":"a cat","resolution":"720p","duration":5,"video":"<upload:clip.mp4>"}',
    "alibaba/wan-2.5/video-extend (everything)":
        b'{"prompt":"a cat","resolution":"1080p","duration":3,"negative_prompt":"blur","seed":7'
        b',"enable_prompt_expansion":false,"audio":"<upload:voice.mp3>","video":"<upload:clip.mp4>"}',
    "alibaba/wan-2.6/image-to-video (defaults)":
        b'{"resolution":"720p","duration":5,"image":"<upload:face.png>"}',
    "alibaba/wan-2.6/image-to-video (everything)":
        b'{"prompt":"a cat","resolution":"1080p","duration":10,"negative_prompt":"blur","seed":7'
        b',"enable_prompt_expansion":false,"shot_type":"single","image":"<upload:face.png>","audio":"<upload:voice.mp3>"}',
    "alibaba/wan-2.6/text-to-video (defaults)":
        b'{"prompt":"a cat","size":"1280*720","duration":5}',
    "alibaba/wan-2.6/text-to-video (everything)":
        b'{"prompt":"a cat","size":"1080*1920","duration":15,"negative_prompt":"blur","seed":7'
        b',"enable_prompt_expansion":false,"shot_type":"multi","audio":"<upload:voice.mp3>"}',
    "bytedance/seedance-v1.5-pro/video-extend (defaults)":
        b'{"resolution":"720p","duration":5,"generate_audio":true,"video":"<upload:clip.mp4>"}',
    "bytedance/seedance-v1.5-pro/video-extend (everything)":
        b'{"prompt":"a cat","resolution":"480p","duration":12,"seed":7,"generate_audio":false,"camera_fixed":true'
        b',"video":"<upload:clip.mp4>"}',
    "google/veo3.1-fast/text-to-video (defaults)":
        b'{"prompt":"a cat","resolution":"720p","aspect_ratio":"16:9","duration":8,"generate_audio":true}',
    "google/veo3.1-fast/text-to-video (everything)":
        b'{"prompt":"a cat","resolution":"1080p","aspect_ratio":"9:16","duration":6,"negative_prompt":"blur","seed":7'
        b',"generate_audio":false}',
    "google/veo3.1/text-to-video (defaults)":
        b'{"prompt":"a cat","resolution":"720p","aspect_ratio":"16:9","duration":8}',
    "google/veo3.1/text-to-video (everything)":
        b'{"prompt":"a cat","resolution":"1080p","aspect_ratio":"9:16","duration":4,"negative_prompt":"blur","seed":7'
        b',"generate_audio":true}',
    # Kling takes its image as bare base64, never a URL, however large (as the legacy code sent it).
    "kwaivgi/kling-v2.5-turbo-std/image-to-video (defaults)":
        b'{"prompt":"a cat","duration":5,"guidance_scale":0.5,"image":"iVBORw0KGgotc21hbGwtZmFjZQ=="}',
    "kwaivgi/kling-v2.5-turbo-std/image-to-video (everything)":
        b'{"prompt":"a cat","duration":10,"negative_prompt":"blur","guidance_scale":0.8'
        b',"image":"iVBORw0KGgotc21hbGwtZmFjZQ=="}',
    "wavespeed-ai/kandinsky5-pro/image-to-video (defaults)":
        b'{"prompt":"a cat","resolution":"512p","duration":5,"image_url":"<upload:face.png>"}',
    "wavespeed-ai/kandinsky5-pro/image-to-video (everything)":
        b'{"prompt":"a cat","resolution":"1024p","duration":5,"image_url":"<upload:face.png>"}',
    "wavespeed-ai/wan-2.2-spicy/video-extend (defaults)":
        b'{"resolution":"720p","duration":5,"video":"<upload:clip.mp4>"}',
    "wavespeed-ai/wan-2.2-spicy/video-extend (everything)":
        b'{"prompt":"a cat","resolution":"480p","duration":8,"seed":7,"video":"<upload:clip.mp4>"}',
    "heygen/video-translate (defaults)":
        b'{"output_language":"English","video":"<upload:clip.mp4>"}',
    "heygen/video-translate (everything)":
        b'{"output_language":"Spanish","video":"<upload:clip.mp4>"}',
    "lightricks/ltx-2-retake (defaults)":
        b'{"prompt":"a red boat","mode":"replace_audio_and_video","video":"<upload:clip.mp4>"}',
    "lightricks/ltx-2-retake (everything)":
        b'{"prompt":"a red boat","start_time":1.0,"end_time":4.5,"mode":"replace_video","video":"<upload:clip.mp4>"}',
    "wavespeed-ai/hunyuan-video-foley (defaults)":
        b'{"video":"<upload:clip.mp4>"}',
    "wavespeed-ai/hunyuan-video-foley (everything)":
        b'{"prompt":"waves","seed":7,"video":"<upload:clip.mp4>"}',
    "wavespeed-ai/think-sound (defaults)":
        b'{"video":"<upload:clip.mp4>"}',
    "wavespeed-ai/think-sound (everything)":
        b'{"prompt":"waves","seed":7,"video":"<upload:clip.mp4>"}',
    "wavespeed-ai/video-background-remover (defaults)":
        b'{"video":"<upload:clip.mp4>"}',
    "wavespeed-ai/video-background-remover (everything)":
        b'{"background_image":"<upload:face.png>","video":"<upload:clip.mp4>"}',
    "wavespeed-ai/video-face-swap (defaults)":
        b'{"target_gender":"all","target_index":0,"face_image":"<upload:face.png>","video":"<upload:clip.mp4>"}',
    "wavespeed-ai/video-face-swap (everything)":
        b'{"target_gender":"female","target_index":2,"face_image":"<upload:face.png>","video":"<upload:clip.mp4>"}',
    "wavespeed-ai/wan-2.1/mocha (defaults)":
        b'{"resolution":"480p","image":"<upload:face.png>","video":"<upload:clip.mp4>"}',
    "wavespeed-ai/wan-2.1/mocha (everything)":
        b'{"prompt":"the same scene","resolution":"720p","seed":7,"image":"<upload:face.png>"'
        b',"video":"<upload:clip.mp4>"}',
    "lightricks/ltx-2-fast/text-to-video (defaults)":
        b'{"prompt":"a cat","duration":6}',
    "lightricks/ltx-2-fast/text-to-video (everything)":
        b'{"prompt":"a cat","duration":20,"generate_audio":false}',
    "lightricks/ltx-2-pro/text-to-video (defaults)":
        b'{"prompt":"a cat","duration":6}',
    "lightricks/ltx-2-pro/text-to-video (everything)":
        b'{"prompt":"a cat","duration":8,"generate_audio":true}',
    "wavespeed-ai/flashvsr (defaults)":
        b'{"target_resolution":"1080p","video":"<upload:clip.mp4>"}',
    "wavespeed-ai/flashvsr (everything)":
        b'{"prompt":"sharper","target_resolution":"4k","video":"<upload:clip.mp4>"}',
    "wavespeed-ai/hunyuan-avatar (defaults)":
        b'{"resolution":"480p","image":"data:image/png;base64,iVBORw0KGgotc21hbGwtZmFjZQ=="'
        b',"audio":"<upload:voice.mp3>"}',
    "wavespeed-ai/hunyuan-avatar (everything)":
        b'{"prompt":"a cat","resolution":"720p","seed":7,"image":"<upload:face.png>","audio":"<upload:voice.mp3>"}',
    "wavespeed-ai/hunyuan-video-1.5/image-to-video (defaults)":
        b'{"resolution":"720p","duration":5,"image":"<upload:face.png>"}',
    "wavespeed-ai/hunyuan-video-1.5/image-to-video (everything)":
        b'{"prompt":"a cat","resolution":"480p","duration":8,"seed":7,"image":"<upload:face.png>"}',
    "wavespeed-ai/hunyuan-video-1.5/text-to-video (defaults)":
        b'{"prompt":"a cat","size":"1280*720","duration":5}',
    "wavespeed-ai/hunyuan-video-1.5/text-to-video (everything)":
        b'{"prompt":"a cat","size":"480*832","duration":8,"negative_prompt":"blur","seed":7}',
    "wavespeed-ai/infinitetalk (defaults)":
        b'{"resolution":"480p","image":"<upload:face.png>","audio":"<upload:voice.mp3>"}',
    "wavespeed-ai/infinitetalk (everything)":
        b'{"prompt":"a cat","resolution":"720p","seed":7'
        b',"image":"data:image/png;base64,iVBORw0KGgotc21hbGwtZmFjZQ==","audio":"<upload:voice.mp3>"}',
    "wavespeed-ai/video-upscaler (defaults)":
        b'{"target_resolution":"720p","video":"<upload:clip.mp4>"}',
    "wavespeed-ai/video-upscaler (everything)":
        b'{"prompt":"sharper","target_resolution":"720p","video":"<upload:clip.mp4>"}',
}


def task_of(plan: GenerationPlan) -> ProviderTask:
    inputs = {kind: InputSource(m) for kind, m in plan.request.inputs.items()}
    return ProviderTask("job-wire", plan.render_spec(), inputs)


@pytest.fixture
async def provider(wavespeed_emulator):
    client = http_client(connect_timeout=2.0, read_timeout=5.0, max_connections=10)
    yield WaveSpeedVideoProvider(client, wavespeed_emulator.api_key, wavespeed_emulator.url, allow_private_urls=True)
    await client.aclose()


@pytest.mark.parametrize("case", sorted(CASE_FIELDS))
async def test_the_body_sent_for_each_model_is_pinned(provider, wavespeed_emulator, case):
    model = case.split(" ")[0]
    plan = default_catalog().plan(VideoRequest(user_id="u1", model=model, **CASE_FIELDS[case]))

    task_id = await provider.submit(task_of(plan))

    body = re.sub(rb'"' + re.escape(wavespeed_emulator.url.encode()) + rb'/_media/[0-9a-f]{32}-([^"]*)"',
                  rb'"<upload:\1>"', wavespeed_emulator.tasks[task_id].body)
    assert body == PINNED[case]


def test_every_wavespeed_model_of_the_catalog_has_its_body_pinned():
    assert set(PINNED) == set(CASE_FIELDS)
    pinned = {case.split(" ")[0] for case in CASE_FIELDS}
    assert pinned == {spec.id for spec in default_catalog() if spec.provider == "wavespeed"}
