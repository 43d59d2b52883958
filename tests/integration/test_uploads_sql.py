"""Upload limits and expiry through the container on the `sql` backend (SQLite and PostgreSQL)
with the filesystem storage: a refused upload leaves no file (not even a temporary one) and no
row; an unused upload's file and row are deleted by the resume, one an unfinished job uses is not."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from dependency_injector import providers

from tests.conftest import settings_for_tests
from videoforge.adapters.fakes import FakeClock, FakeMediaProbe, fake_image
from videoforge.bootstrap import open_container
from videoforge.bootstrap.container import build_container
from videoforge.domain import MediaKind, QuotaExceededError, VideoRequest

IMAGE = fake_image()
DAY = 24 * 3600


@pytest.fixture
async def service(database, tmp_path, monkeypatch) -> AsyncIterator:
    plans = tmp_path / "plans.toml"
    plans.write_text('[plans.small]\nvideo_calls_limit = 0\nmonthly_cost_limit = "0"\n'
                     f"upload_count_limit = 3\nupload_bytes_limit = {3 * len(IMAGE)}\n")
    settings = settings_for_tests(backend="sql", data_dir=tmp_path, database_url=database.url, storage="filesystem",
                                  storage_dir=tmp_path / "media", plans_file=plans, default_plan="small",
                                  upload_ttl=2 * DAY)
    container = build_container(settings)
    if database.kind == "postgres":
        container.sql_engine.override(providers.Object(database.engine()))
    container.clock.override(providers.Object(FakeClock()))
    container.media_probe.override(providers.Object(FakeMediaProbe()))
    async with open_container(container=container):
        container.files = tmp_path / "media" / "uploads"
        yield container


async def upload(container, data: bytes = IMAGE) -> str:
    async def chunks():
        yield data

    return (await container.save_upload()("u1", MediaKind.IMAGE, chunks(), "image/png")).id


def files(container) -> list[str]:
    return sorted(p.name for p in container.files.rglob("*") if p.is_file() and not p.name.endswith(".json"))


async def test_uploads_past_the_plan_leave_no_file_and_no_row(service):
    first = await upload(service)
    with pytest.raises(QuotaExceededError, match="upload_bytes_limit"):
        await upload(service, IMAGE * 3)
    assert files(service) == [first]  # no temporary file either
    second, third = await upload(service), await upload(service)
    with pytest.raises(QuotaExceededError, match="upload_count_limit"):
        await upload(service)
    assert files(service) == sorted([first, second, third])
    usage = await service.upload_registry().usage("u1")
    assert (usage.count, usage.bytes) == (3, 3 * len(IMAGE))


async def test_the_resume_deletes_unused_uploads_file_and_row_but_not_one_a_pending_job_uses(service):
    unused, used = await upload(service), await upload(service)
    image = await service.load_input()("u1", MediaKind.IMAGE, upload_id=used)
    job = await service.submit_video()(VideoRequest(operation="image-to-video", user_id="u1", prompt="p",
                                                    model="alibaba/wan-2.5/image-to-video", image=image))
    service.clock().advance(3 * DAY)
    report = await service.resume_jobs()(exclude={job.id})
    assert report.expired_uploads == [unused]
    assert files(service) == [used]
    registry = service.upload_registry()
    assert await registry.use("u1", unused, service.clock().now()) is None
    assert (await registry.usage("u1")).count == 1
    # the job read back from the database still names its upload: kept while it is unfinished
    assert (await service.job_repository().get(job.id)).request.upload_ids == (used,)
    service.clock().advance(30 * DAY)
    assert (await service.resume_jobs()(exclude={job.id})).expired_uploads == []
    assert files(service) == [used]
