"""The whole pipeline through the container with real adapters: the local provider renders,
FileSystemStorage keeps, PyAV probes, and jobs, assets, quota and usage are in the embedded SQLite
database (the default sql backend)."""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass

import pytest
from dependency_injector import providers
from PIL import Image

from tests import samples as make
from tests.reservations import reservation_of
from videoforge.adapters.fakes import FakeVideoProvider, Outcome
from videoforge.adapters.media.probe import probe_file
from videoforge.application.errors import JobFailedError
from videoforge.bootstrap import Container, Settings, build_container, open_container
from videoforge.domain import (
    Cost,
    ErrorCode,
    InvalidRequestError,
    JobStatus,
    MediaInfo,
    MediaInput,
    MediaKind,
    OperationType,
    VideoRequest,
)
from videoforge.domain.quota import ReservationState

TYPES = {"image": "image/png", "audio": "audio/wav", "video": "video/mp4"}


@dataclass
class Local:
    container: Container
    root: object
    samples: dict[str, bytes]

    def media(self, kind: str, sample: str) -> MediaInput:
        path = self.root / f"input-{sample}"
        path.write_bytes(self.samples[sample])
        return MediaInput.from_path(kind, str(path), TYPES[kind], path.stat().st_size)

    def files(self) -> list[str]:
        media = self.root / "media"
        return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()) if media.exists() else []

    def probe_key(self, key: str, kind: MediaKind = MediaKind.VIDEO) -> MediaInfo:
        return probe_file(self.root / "media" / key, kind)


@pytest.fixture
async def local(tmp_path, media_samples):
    settings = Settings(fake_providers=False, data_dir=tmp_path, default_provider="local", wavespeed_api_key=None,
                        default_plan="enterprise", poll_interval=0.05)
    container = build_container(settings)
    async with open_container(container=container):
        yield Local(container, tmp_path, media_samples)


def request(operation: OperationType, **fields) -> VideoRequest:
    return VideoRequest(operation=operation, user_id="u1", source_module="cli", **fields)


async def generate(local: Local, req: VideoRequest):
    result = await local.container.generate_video()(req)
    info = local.probe_key(result.file_path)
    assert result.cost == Cost(0) and result.provider == "local"
    assert (info.width, info.height, info.codec) == (result.width, result.height, "h264")
    assert abs(result.duration - info.duration) < 1e-6
    return result, info


async def test_text_to_video_renders_the_requested_length_and_size_and_records_it(local):
    result, info = await generate(local, request(OperationType.TEXT_TO_VIDEO, prompt="A lighthouse at dawn",
                                                 duration=2, resolution="360p"))
    assert abs(info.duration - 2) <= 0.1 and (info.width, info.height) == (640, 360)
    assert result.model_name == "local/title-card" and result.file_url.startswith("file://")
    with Image.open(io.BytesIO((local.root / "media" / result.thumbnail_key).read_bytes())) as thumb:
        assert thumb.format == "JPEG"
    summary = await local.container.usage_meter().summary("u1", _period(local))
    assert (summary.video_calls, summary.video_cost) == (1, Cost(0))
    [record] = await local.container.usage_meter().records("u1", _period(local))
    assert record.job_id == result.job_id and record.cost == Cost(0) and record.billed_seconds == 2
    assert sorted(p for p in local.files() if not p.rsplit("/", 1)[-1].startswith(".")) == sorted(
        [result.file_path, result.thumbnail_key])
    # The render's folder is kept a while after delivery (a failed save can fetch it again), then swept.
    assert [(d / "delivered").is_file() for d in (local.root / "work").iterdir()] == [True]
    assert len(await local.container.local_provider().sweep(older_than=0)) == 1


def _period(local: Local) -> str:
    return local.container.clock().now().strftime("%Y-%m")


async def test_image_to_video_in_portrait(local):
    _, info = await generate(local, request(OperationType.IMAGE_TO_VIDEO, image=local.media("image", "image_640x480"),
                                            duration=2, resolution="360p", aspect_ratio="9:16"))
    assert abs(info.duration - 2) <= 0.1 and (info.width, info.height) == (360, 640)


async def test_an_avatar_lasts_as_long_as_its_audio(local):
    result, info = await generate(local, request(OperationType.AVATAR, image=local.media("image", "image_640x480"),
                                                 audio=local.media("audio", "audio_2_5s"), resolution="360p"))
    assert abs(info.duration - 2.5) <= 0.1 and info.has_audio
    job = await local.container.get_job()(result.job_id, "u1")
    assert job.billed_seconds == pytest.approx(2.5, abs=0.01)  # probed from the audio, not guessed


async def test_enhance_upscales_to_the_target_resolution(local):
    result, info = await generate(local, request(OperationType.ENHANCE, video=local.media("video", "video_2s_320x180"),
                                                 resolution="480p"))
    assert (info.width, info.height) == (832, 480) and abs(info.duration - 2) <= 0.1
    job = await local.container.get_job()(result.job_id, "u1")
    source = probe_file(local.root / "input-video_2s_320x180", MediaKind.VIDEO)
    assert job.billed_seconds == source.duration


async def test_extend_adds_the_requested_seconds(local):
    source = probe_file_bytes(local, "video_2s_320x180_silent")
    _, info = await generate(local, request(OperationType.EXTEND, video=local.media("video", "video_2s_320x180_silent"),
                                            duration=2, resolution="360p"))
    assert abs(info.duration - (source.duration + 2)) <= 0.1 and (info.width, info.height) == (640, 360)


def probe_file_bytes(local: Local, sample: str) -> MediaInfo:
    path = local.root / f"probe-{sample}"
    path.write_bytes(local.samples[sample])
    return probe_file(path, MediaKind.VIDEO)


async def test_an_output_that_is_not_a_video_is_refused_before_anything_is_recorded(local):
    garbage = FakeVideoProvider(Outcome.garbage(), name="local")
    local.container.video_providers.override(providers.Object({"local": garbage}))
    with pytest.raises(JobFailedError) as caught:
        await local.container.generate_video()(request(OperationType.TEXT_TO_VIDEO, prompt="x", duration=2))
    assert caught.value.code == ErrorCode.OUTPUT_INVALID and "not a playable video" in caught.value.message
    assert local.files() == []
    assert await local.container.asset_library().list("u1") == []
    assert await local.container.usage_meter().records("u1", _period(local)) == []
    quota = (await local.container.quota_guard().check("u1", Cost(0), _period(local))).usage
    assert (quota.calls, quota.reserved_calls) == (0, 0)  # released
    assert (await reservation_of(local.container.quota_guard(), caught.value.job.id)).state == ReservationState.RELEASED


@pytest.mark.parametrize("kind,sample,operation,message", [
    ("image", "text", OperationType.IMAGE_TO_VIDEO, "image: is not a readable image file"),
    ("video", "audio_3s", OperationType.ENHANCE, "video: is not a readable video file"),
])
async def test_an_input_of_the_wrong_kind_is_refused_before_anything_is_reserved(local, kind, sample, operation,
                                                                                  message):
    with pytest.raises(InvalidRequestError, match=message):
        await local.container.generate_video()(request(operation, **{kind: local.media(kind, sample)}))
    assert await local.container.quota_guard().held() == []
    assert await local.container.job_repository().list_for_user("u1") == []
    assert local.files() == []


async def test_billed_seconds_of_an_avatar_come_from_probing_not_from_file_size(local):
    """Two WAVs of one length and very different sizes bill the same seconds."""
    small = make.wav(local.root / "small.wav", 2.5, rate=8_000)
    large = make.wav(local.root / "large.wav", 2.5, rate=48_000)
    assert large.stat().st_size > 5 * small.stat().st_size
    estimate = local.container.estimate_cost()
    seconds = []
    for path in (small, large):
        audio = MediaInput.from_path("audio", str(path), "audio/wav", path.stat().st_size)
        result = await estimate(request(OperationType.AVATAR, image=local.media("image", "image_640x480"),
                                        audio=audio))
        seconds.append(result.billed_seconds)
    assert seconds == [pytest.approx(2.5, abs=0.01)] * 2


async def test_cancelling_a_local_render_stops_it_and_keeps_nothing(local):
    job = await local.container.submit_video()(request(OperationType.TEXT_TO_VIDEO, prompt="long", duration=20,
                                                       resolution="1080p"))
    running = asyncio.create_task(local.container.run_job()(job.id))
    for _ in range(200):
        if (await local.container.get_job()(job.id, "u1")).provider_job_id:
            break
        await asyncio.sleep(0.01)
    cancelled = await local.container.cancel_job()(job.id, "u1")
    finished = await asyncio.wait_for(running, timeout=10)
    assert cancelled.status is JobStatus.CANCELLED and finished.status is JobStatus.CANCELLED
    assert (await reservation_of(local.container.quota_guard(), job.id)).state == ReservationState.RELEASED
    assert local.files() == []
    for _ in range(200):
        if not any((local.root / "work").iterdir()):
            break
        await asyncio.sleep(0.01)
    assert list((local.root / "work").iterdir()) == []


async def test_a_storage_failure_at_the_last_step_loses_no_local_output(local):
    """The render is delivered whole, then storing it fails: the job stays resumable, and the
    resume fetches the same output again (nothing half-written is kept meanwhile)."""
    from videoforge.adapters.filesystem import FileSystemStorage
    from videoforge.application.errors import JobNotFinishedError
    from videoforge.application.ports.storage import StorageError

    real = local.container.storage()

    class FailsOnce(FileSystemStorage):
        failed = False

        async def save(self, key, chunks, content_type):
            if key.startswith("videos/") and not FailsOnce.failed:
                FailsOnce.failed = True
                async for _ in chunks:
                    pass
                raise StorageError("disk full")
            return await real.save(key, chunks, content_type)

    local.container.storage.override(providers.Object(FailsOnce(local.root / "media")))
    with pytest.raises(JobNotFinishedError):
        await local.container.generate_video()(request(OperationType.TEXT_TO_VIDEO, prompt="x", duration=1,
                                                       resolution="360p"))
    assert local.files() == []
    report = await local.container.resume_jobs()()
    [job_id] = report.finished["completed"]
    job = await local.container.get_job()(job_id, "u1")
    asset = await local.container.asset_library().get(job.asset_id)
    assert abs(local.probe_key(asset.storage_key).duration - 1.0) <= 0.1
