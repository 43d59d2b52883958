"""LocalVideoProvider: the provider contract, and the real files each operation renders."""

from __future__ import annotations

import asyncio

import pytest

from tests.contracts.provider import VideoProviderContract, wait_until_finished
from videoforge.adapters.local import LocalVideoProvider
from videoforge.adapters.media import PyAVMediaProbe
from videoforge.application.ports.provider import (
    ProviderOutputError,
    ProviderRejectedError,
    ProviderState,
    ProviderTask,
)
from videoforge.application.sources import InputSource
from videoforge.domain import ErrorCode, MediaInput, MediaKind


@pytest.fixture
async def local(tmp_path):
    provider = LocalVideoProvider(tmp_path / "work")
    yield provider
    await provider.aclose()


def inputs(samples: dict[str, bytes], **names: str) -> dict[str, InputSource]:
    types = {"image": "image/png", "audio": "audio/wav", "video": "video/mp4"}
    return {kind: InputSource(MediaInput.from_bytes(kind, samples[sample], types[kind]))
            for kind, sample in names.items()}


async def finish(provider: LocalVideoProvider, task: ProviderTask, polls: int = 2000):
    provider_job_id = await provider.submit(task)
    return provider_job_id, await wait_until_finished(provider, provider_job_id, polls)


class TestLocalVideoProvider(VideoProviderContract):
    @pytest.fixture
    def provider(self, local):
        return local

    @pytest.fixture
    def task(self):
        return ProviderTask("job-1", "local/title-card", {"prompt": "a cat", "size": "160*90", "duration": 1})

    @pytest.fixture
    def scenario(self, task):
        """The local renderer cannot be told to fail a task: a refusal is scripted with an
        invalid task, a long-running one with a long render; moderation does not exist here."""
        def apply(name: str) -> None:
            if name == "moderation":
                pytest.skip("the local renderer has no content moderation to fail a task")
            if name == "reject":
                task.parameters["size"] = "160x90"
            if name == "hang":
                task.parameters.update(size="1280*720", duration=20)
        return apply


async def probed(provider: LocalVideoProvider, status) -> object:
    data = b"".join([chunk async for chunk in provider.stream_output(status.output)])
    return await PyAVMediaProbe().probe(InputSource(MediaInput.from_bytes("video", data, "video/mp4")),
                                        MediaKind.VIDEO)


@pytest.mark.parametrize("size,duration", [("320*180", 2), ("180*320", 1), ("160*160", 3)])
async def test_a_title_card_has_the_requested_length_and_size(local, size, duration):
    _, status = await finish(local, ProviderTask("j", "local/title-card",
                                                 {"prompt": "A lighthouse at dawn", "size": size,
                                                  "duration": duration}))
    info = await probed(local, status)
    assert abs(info.duration - duration) <= 0.1 and f"{info.width}*{info.height}" == size
    assert info.codec == "h264" and not info.has_audio


async def test_image_to_video_pans_over_the_image(local, media_samples):
    _, status = await finish(local, ProviderTask("j", "local/pan-zoom", {"size": "320*180", "duration": 2},
                                                 inputs(media_samples, image="image_640x480")))
    info = await probed(local, status)
    assert abs(info.duration - 2) <= 0.1 and (info.width, info.height) == (320, 180)


async def test_an_avatar_lasts_as_long_as_its_audio_and_carries_it(local, media_samples):
    _, status = await finish(local, ProviderTask("j", "local/still-avatar", {"size": "320*180"},
                                                 inputs(media_samples, image="image_640x480", audio="audio_2_5s")))
    info = await probed(local, status)
    assert abs(info.duration - 2.5) <= 0.1 and info.has_audio and (info.width, info.height) == (320, 180)


async def test_enhance_upscales_to_the_target_size(local, media_samples):
    _, status = await finish(local, ProviderTask("j", "local/lanczos-upscale", {"size": "640*360"},
                                                 inputs(media_samples, video="video_2s_320x180")))
    info = await probed(local, status)
    assert (info.width, info.height) == (640, 360) and abs(info.duration - 2) <= 0.1 and info.has_audio


async def test_extend_holds_the_last_frame(local, media_samples):
    _, status = await finish(local, ProviderTask("j", "local/hold-extend", {"size": "320*180", "duration": 2},
                                                 inputs(media_samples, video="video_2s_320x180_silent")))
    info = await probed(local, status)
    assert abs(info.duration - 4) <= 0.1


@pytest.mark.parametrize("model,parameters,names,field", [
    ("wavespeed-ai/infinitetalk", {"size": "320*180"}, {}, "model"),
    ("local/title-card", {"size": "320*180", "duration": 2}, {}, "prompt"),
    ("local/title-card", {"prompt": "x", "size": "321*180", "duration": 2}, {}, "size"),
    ("local/title-card", {"prompt": "x", "size": "320*180", "duration": 21}, {}, "duration"),
    ("local/still-avatar", {"size": "320*180", "duration": 3}, {"image": "image_640x480", "audio": "audio_3s"},
     "duration"),
    ("local/still-avatar", {"size": "320*180"}, {"image": "image_640x480"}, "audio"),
    ("local/pan-zoom", {"size": "320*180", "duration": 2}, {"image": "image_640x480", "video": "video_2s_320x180"},
     "video"),
])
async def test_invalid_tasks_are_rejected_naming_the_field(local, media_samples, model, parameters, names, field):
    with pytest.raises(ProviderRejectedError, match=f"^{field}:") as caught:
        await local.submit(ProviderTask("j", model, parameters, inputs(media_samples, **names)))
    assert caught.value.code is ErrorCode.INVALID_PARAMETER


async def test_an_undecodable_input_fails_the_task_with_a_reason(local):
    bad = {"image": InputSource(MediaInput.from_bytes("image", b"not an image at all", "image/png"))}
    _, status = await finish(local, ProviderTask("j", "local/pan-zoom", {"size": "320*180", "duration": 1}, bad))
    assert status.state is ProviderState.FAILED and status.error_code is ErrorCode.TASK_FAILED
    assert "image cannot be decoded" in status.error_message


async def test_progress_is_reported_while_rendering(local):
    provider_job_id = await local.submit(ProviderTask("j", "local/title-card",
                                                      {"prompt": "slow", "size": "640*360", "duration": 6}))
    seen = set()
    while not (status := await local.poll(provider_job_id)).finished:
        if status.progress is not None:
            seen.add(status.progress)
        await asyncio.sleep(0.01)
    assert any(0 < p < 1 for p in seen) and status.progress == 1.0


async def test_work_files_are_kept_a_while_once_delivered_and_removed_when_cancelled(local, tmp_path):
    task = ProviderTask("j", "local/title-card", {"prompt": "x", "size": "160*90", "duration": 1})
    delivered, status = await finish(local, task)
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
    cancelled = await local.submit(ProviderTask("j", "local/title-card",
                                                {"prompt": "x", "size": "1280*720", "duration": 20}))
    await asyncio.sleep(0.2)
    assert await local.cancel(cancelled) and await local.cancel(cancelled)
    for _ in range(500):
        if not (tmp_path / "work" / cancelled).exists():
            break
        await asyncio.sleep(0.01)
    assert not (tmp_path / "work" / cancelled).exists()


async def test_a_render_finished_before_a_restart_is_still_delivered(tmp_path):
    first = LocalVideoProvider(tmp_path / "work")
    provider_job_id, status = await finish(first, ProviderTask("j", "local/title-card",
                                                               {"prompt": "x", "size": "160*90", "duration": 1}))
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
    long = {"prompt": "x", "size": "1280*720", "duration": 20}
    ids = [await provider.submit(ProviderTask("j", "local/title-card", dict(long))) for _ in range(2)]
    await asyncio.sleep(0.2)
    await provider.aclose()
    assert [(await provider.poll(i)).state for i in ids] == [ProviderState.CANCELLED] * 2
    assert list((tmp_path / "work").iterdir()) == []
