"""LocalVideoProvider: the provider contract, and the real files each operation renders."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from tests.contracts.provider import VideoProviderContract, text_task, wait_until_finished
from videoforge.adapters.local import LocalVideoProvider
from videoforge.adapters.media import PyAVMediaProbe
from videoforge.application.ports.provider import (
    ProviderOutputError,
    ProviderRejectedError,
    ProviderState,
    ProviderTask,
)
from videoforge.application.sources import InputSource
from videoforge.domain import ErrorCode, MediaInput, MediaKind, VideoRequest, default_catalog


@pytest.fixture
async def local(tmp_path):
    provider = LocalVideoProvider(tmp_path / "work")
    yield provider
    await provider.aclose()


TYPES = {MediaKind.IMAGE: "image/png", MediaKind.AUDIO: "audio/wav", MediaKind.VIDEO: "video/mp4"}


def local_task(model: str, size: str, samples: dict[str, bytes] | None = None, **fields) -> ProviderTask:
    """A task for `model` as RunJob builds it (the request checked by the catalog), drawn on a
    `size` canvas ("W*H") smaller than the catalog's, so that the render takes a moment only.
    Inputs are given as kind=sample name."""
    media = {kind: MediaInput.from_bytes(kind, samples[fields.pop(kind.value)], TYPES[kind])
             for kind in MediaKind if kind.value in fields}
    request = VideoRequest(operation=default_catalog().get(model).operation, user_id="u1", model=model,
                           **fields, **{kind.value: m for kind, m in media.items()})
    width, height = (int(side) for side in size.split("*"))
    spec = replace(default_catalog().plan(request).render_spec(), width=width, height=height)
    return ProviderTask("j", spec, {kind: InputSource(m) for kind, m in media.items()})


async def finish(provider: LocalVideoProvider, task: ProviderTask, polls: int = 2000):
    provider_job_id = await provider.submit(task)
    return provider_job_id, await wait_until_finished(provider, provider_job_id, polls)


class TestLocalVideoProvider(VideoProviderContract):
    polls = 20_000  # a real render at 720p takes seconds

    @pytest.fixture
    def provider(self, local):
        return local

    @pytest.fixture
    def model(self):
        return "local/title-card"

    @pytest.fixture
    def scenario(self):
        """The local renderer cannot be told how to end a task: a refusal is a task of a model it
        does not render, a long-running task a long render; moderation does not exist here."""
        def apply(name: str, task: ProviderTask) -> ProviderTask:
            if name == "moderation":
                pytest.skip("the local renderer has no content moderation to fail a task")
            if name == "reject":
                return text_task("wavespeed-ai/hunyuan-video-1.5/text-to-video")
            if name == "hang":
                return text_task(task.spec.model, duration=20)
            return task
        return apply


async def probed(provider: LocalVideoProvider, status) -> object:
    data = b"".join([chunk async for chunk in provider.stream_output(status.output)])
    return await PyAVMediaProbe().probe(InputSource(MediaInput.from_bytes("video", data, "video/mp4")),
                                        MediaKind.VIDEO)


@pytest.mark.parametrize("size,duration", [("320*180", 2), ("180*320", 1), ("160*160", 3)])
async def test_a_title_card_has_the_requested_length_and_size(local, size, duration):
    _, status = await finish(local, local_task("local/title-card", size, prompt="A lighthouse at dawn",
                                               duration=duration))
    info = await probed(local, status)
    assert abs(info.duration - duration) <= 0.1 and f"{info.width}*{info.height}" == size
    assert info.codec == "h264" and not info.has_audio


async def test_image_to_video_pans_over_the_image(local, media_samples):
    _, status = await finish(local, local_task("local/pan-zoom", "320*180", media_samples, duration=2,
                                               image="image_640x480"))
    info = await probed(local, status)
    assert abs(info.duration - 2) <= 0.1 and (info.width, info.height) == (320, 180)


async def test_an_avatar_lasts_as_long_as_its_audio_and_carries_it(local, media_samples):
    _, status = await finish(local, local_task("local/still-avatar", "320*180", media_samples,
                                               image="image_640x480", audio="audio_2_5s"))
    info = await probed(local, status)
    assert abs(info.duration - 2.5) <= 0.1 and info.has_audio and (info.width, info.height) == (320, 180)


async def test_enhance_upscales_to_the_target_size(local, media_samples):
    _, status = await finish(local, local_task("local/lanczos-upscale", "640*360", media_samples,
                                               video="video_2s_320x180"))
    info = await probed(local, status)
    assert (info.width, info.height) == (640, 360) and abs(info.duration - 2) <= 0.1 and info.has_audio


async def test_extend_holds_the_last_frame(local, media_samples):
    _, status = await finish(local, local_task("local/hold-extend", "320*180", media_samples, duration=2,
                                               video="video_2s_320x180_silent"))
    info = await probed(local, status)
    assert abs(info.duration - 4) <= 0.1


def not_renderable(samples: dict[str, bytes]) -> dict[str, ProviderTask]:
    """Tasks no renderer here can do, by the field named: the catalog never makes them for this
    provider, so they are made by hand."""
    title = local_task("local/title-card", "320*180", prompt="x", duration=2)
    avatar = local_task("local/still-avatar", "320*180", samples, image="image_640x480", audio="audio_3s")
    return {
        "model": text_task("wavespeed-ai/hunyuan-video-1.5/text-to-video"),
        "duration": replace(title, spec=replace(title.spec, duration=None)),
        "audio": ProviderTask("j", replace(avatar.spec, inputs=(MediaKind.IMAGE,)),
                              {MediaKind.IMAGE: avatar.inputs[MediaKind.IMAGE]}),
    }


@pytest.mark.parametrize("field", ["model", "duration", "audio"])
async def test_a_task_no_renderer_can_do_is_rejected_naming_the_field(local, media_samples, tmp_path, field):
    with pytest.raises(ProviderRejectedError, match=f"^{field}: ") as caught:
        await local.submit(not_renderable(media_samples)[field])
    assert caught.value.code is ErrorCode.INVALID_PARAMETER
    assert not (tmp_path / "work").exists()  # nothing was started


async def test_an_undecodable_input_fails_the_task_with_a_reason(local):
    bad = {"image": b"not an image at all"}
    _, status = await finish(local, local_task("local/pan-zoom", "320*180", bad, duration=1, image="image"))
    assert status.state is ProviderState.FAILED and status.error_code is ErrorCode.TASK_FAILED
    assert "image cannot be decoded" in status.error_message


async def test_progress_is_reported_while_rendering(local):
    provider_job_id = await local.submit(local_task("local/title-card", "640*360", prompt="slow", duration=6))
    seen = set()
    while not (status := await local.poll(provider_job_id)).finished:
        if status.progress is not None:
            seen.add(status.progress)
        await asyncio.sleep(0.01)
    assert any(0 < p < 1 for p in seen) and status.progress == 1.0


async def test_work_files_are_kept_a_while_once_delivered_and_removed_when_cancelled(local, tmp_path):
    delivered, status = await finish(local, local_task("local/title-card", "160*90", prompt="x", duration=1))
    assert (tmp_path / "work" / delivered / "output.mp4").is_file()
    first = b"".join([chunk async for chunk in local.stream_output(status.output)])
    again = b"".join([chunk async for chunk in local.stream_output(status.output)])  # e.g. a failed save
    assert first == again and (tmp_path / "work" / delivered / "delivered").is_file()
    assert await local.sweep() == []  # kept for keep_delivered_for
    assert await local.sweep(older_than=0) == [delivered]
    assert not (tmp_path / "work" / delivered).exists()
    with pytest.raises(ProviderOutputError, match="is gone") as gone:
        async for _ in local.stream_output(status.output):
            pass
    assert str(tmp_path) not in str(gone.value)
    cancelled = await local.submit(local_task("local/title-card", "1280*720", prompt="x", duration=20))
    await asyncio.sleep(0.2)
    assert await local.cancel(cancelled) and await local.cancel(cancelled)
    for _ in range(500):
        if not (tmp_path / "work" / cancelled).exists():
            break
        await asyncio.sleep(0.01)
    assert not (tmp_path / "work" / cancelled).exists()


async def test_a_render_finished_before_a_restart_is_still_delivered(tmp_path):
    first = LocalVideoProvider(tmp_path / "work")
    provider_job_id, status = await finish(first, local_task("local/title-card", "160*90", prompt="x", duration=1))
    await first.aclose()
    second = LocalVideoProvider(tmp_path / "work")
    again = await second.poll(provider_job_id)
    assert again.state is ProviderState.COMPLETED and again.output == status.output
    assert len(b"".join([c async for c in second.stream_output(again.output)])) > 0
    assert (await second.poll("local-" + "0" * 32)).state is ProviderState.EXPIRED
    assert (await second.poll("../../etc")).state is ProviderState.EXPIRED
    await second.aclose()


async def test_outputs_of_other_urls_are_refused(local):
    with pytest.raises(ProviderOutputError):
        async for _ in local.stream_output(type("O", (), {"url": "local://../../etc/output.mp4"})()):
            pass



async def test_closing_stops_every_render_and_removes_their_folders(tmp_path):
    provider = LocalVideoProvider(tmp_path / "work", max_workers=1)
    long = local_task("local/title-card", "1280*720", prompt="x", duration=20)
    ids = [await provider.submit(long) for _ in range(2)]
    await asyncio.sleep(0.2)
    await provider.aclose()
    assert [(await provider.poll(i)).state for i in ids] == [ProviderState.CANCELLED] * 2
    assert list((tmp_path / "work").iterdir()) == []
