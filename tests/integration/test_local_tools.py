"""The local provider's offline versions of the legacy video tools (issue 12, item 6): real
MP4s made from a real input video, checked by decoding what came out."""

from __future__ import annotations

import io

import av
import pytest

from tests.integration.test_local_provider import finish, local_task
from videoforge.adapters.local import LocalVideoProvider
from videoforge.domain import InvalidRequestError, MediaInfo, MediaInput, MediaKind, VideoRequest, default_catalog


@pytest.fixture
async def local(tmp_path):
    provider = LocalVideoProvider(tmp_path / "work")
    yield provider
    await provider.aclose()


async def output_of(provider: LocalVideoProvider, task) -> bytes:
    _, status = await finish(provider, task)
    assert status.output is not None, status
    return b"".join([chunk async for chunk in provider.stream_output(status.output)])


def decoded(data: bytes) -> tuple[float, list[str], list]:
    with av.open(io.BytesIO(data)) as container:
        streams = [s.type for s in container.streams]
        frames = [f.to_image() for f in container.decode(video=0)]
        return container.duration / av.time_base, streams, frames


async def test_add_audio_gives_the_silent_video_a_track_of_its_length(local, media_samples):
    task = local_task("local/soundtrack", "16*16", media_samples, video="video_2s_320x180_silent", prompt="waves")
    length, streams, frames = decoded(await output_of(local, task))
    assert streams == ["video", "audio"] and abs(length - 2.0) < 0.1
    assert frames[0].size == (320, 180) and len(frames) == 48


async def test_edit_rerenders_the_span_as_a_title_card_and_keeps_the_rest(local, media_samples):
    task = local_task("local/title-card-retake", "16*16", media_samples, video="video_2s_320x180_silent",
                      prompt="a red boat", options={"start_time": 0.5, "end_time": 1.5})
    _, _, frames = decoded(await output_of(local, task))
    before, inside, after = frames[2], frames[24], frames[45]
    corner = (2, 2)
    assert abs(before.getpixel(corner)[2] - 90) < 20 and abs(after.getpixel(corner)[2] - 90) < 20  # the input
    assert inside.getpixel(corner) != before.getpixel(corner) and len(frames) == 48


async def test_remove_background_replaces_the_flat_backdrop_and_keeps_the_subject(local, media_samples):
    task = local_task("local/flat-background", "16*16", media_samples, video="video_2s_320x180_silent",
                      options={"background_colour": "blue"})
    _, _, frames = decoded(await output_of(local, task))
    middle = frames[24]
    r, _, b = middle.getpixel((5, 5))
    assert b > 150 and r < 40  # the backdrop is now blue (0, 71, 187)
    square = [middle.getpixel((x, 60 + 18)) for x in range(0, 320, 4)]  # the moving square's row
    assert any(p[0] > 180 and p[1] > 150 and p[2] < 100 for p in square)  # the subject is kept


async def test_remove_background_with_an_image(local, media_samples):
    task = local_task("local/flat-background", "16*16", media_samples, video="video_2s_320x180_silent",
                      image="image_640x480")
    length, _, frames = decoded(await output_of(local, task))
    assert abs(length - 2.0) < 0.1 and frames[0].getpixel((5, 5))[2] != 90


def test_a_span_outside_the_video_is_refused_naming_the_field():
    request = VideoRequest(operation="edit", user_id="u1", model="local/edit", prompt="x",
                           video=MediaInput.from_bytes(MediaKind.VIDEO, b"\x00\x00\x00\x18ftypmp42", "video/mp4"),
                           options={"start_time": 1.0, "end_time": 3.0})
    plan = default_catalog().plan(request)
    with pytest.raises(InvalidRequestError) as refused:
        plan.check_probed({MediaKind.VIDEO: MediaInfo(MediaKind.VIDEO, duration=2.0)})
    assert refused.value.field == "end_time"


async def test_offline_the_pipeline_adds_a_soundtrack_at_no_cost(monkeypatch, tmp_path, media_samples):
    from videoforge.bootstrap import Settings, build_container, open_container

    for name in ("WAVESPEED_API_KEY", "VIDEOFORGE_WAVESPEED_API_KEY", "FAL_KEY", "HF_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VIDEOFORGE_DATA_DIR", str(tmp_path / "data"))
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(media_samples["video_2s_320x180_silent"])
    container = build_container(Settings())
    async with open_container(container=container):
        result = await container.generate_video()(VideoRequest(
            operation="add_audio", user_id="u1", prompt="rain",
            video=MediaInput.from_path(MediaKind.VIDEO, str(clip), "video/mp4", clip.stat().st_size)))
        asset = await container.asset_library().get(result.asset_id)
    assert result.model_name == "local/soundtrack" and result.cost.usd == 0
    assert asset.has_audio and (asset.width, asset.height) == (320, 180) and abs(asset.duration - 2.0) < 0.1
