"""S3Storage against a real S3-compatible server on loopback (moto's server mode): the Storage
contract, and what only object storage can get wrong: multipart uploads across parts, aborted
on failure, presigned downloads with Range, credentials from the environment."""

from __future__ import annotations

import hashlib
import os
import uuid

import httpx
import pytest

from tests.contracts.storage import StorageContract, chunks, read
from videoforge.adapters.s3 import S3Storage
from videoforge.application.ports.storage import StorageLimitError

BUCKET = "videoforge-test"
MiB = 1024 * 1024


def s3_storage(server, **options) -> S3Storage:
    options.setdefault("prefix", f"t-{uuid.uuid4().hex[:12]}")
    return S3Storage(BUCKET, endpoint=server.endpoint, **options)


class TestS3Storage(StorageContract):
    @pytest.fixture
    def storage(self, s3_server, s3_environment):
        return s3_storage(s3_server, max_bytes=self.cap)


async def test_a_multipart_upload_streams_many_parts_and_reads_back_in_ranges(s3_server, s3_environment):
    storage = s3_storage(s3_server, part_size=5 * MiB, concurrency=2)
    body = os.urandom(MiB)
    stored = await storage.save("videos/u1/big.mp4", chunks(*[body] * 12), "video/mp4")
    assert stored.size == 12 * MiB and stored.sha256 == hashlib.sha256(body * 12).hexdigest()
    across = await read(storage, "videos/u1/big.mp4", 5 * MiB - 10, 5 * MiB + 10)  # spans parts 1 and 2
    assert across == (body * 12)[5 * MiB - 10:5 * MiB + 10]


async def test_a_failed_upload_is_aborted_not_left_incomplete(s3_server, s3_environment):
    storage = s3_storage(s3_server, part_size=5 * MiB, max_bytes=8 * MiB)
    before = s3_server.multipart_uploads(BUCKET)
    with pytest.raises(StorageLimitError):
        await storage.save("videos/u1/over.mp4", chunks(*[b"x" * MiB] * 9), "video/mp4")
    assert s3_server.multipart_uploads(BUCKET) == before


async def test_a_presigned_download_serves_the_bytes_and_ranges_without_the_api(s3_server, s3_environment):
    storage = s3_storage(s3_server, url_ttl=60)
    await storage.save("videos/u1/signed.mp4", chunks(b"0123456789"), "video/mp4")
    url = await storage.direct_url("videos/u1/signed.mp4")
    assert url.startswith(s3_server.endpoint) and "X-Amz-Signature=" in url
    async with httpx.AsyncClient() as client:
        whole = await client.get(url)
        part = await client.get(url, headers={"Range": "bytes=2-4"})
    assert whole.content == b"0123456789" and whole.headers["content-type"] == "video/mp4"
    assert part.status_code == 206 and part.content == b"234"


async def test_streamed_downloads_give_no_direct_url(s3_server, s3_environment):
    storage = s3_storage(s3_server, presign=False, prefix="/media/")
    await storage.save("videos/u1/streamed.mp4", chunks(b"x"), "video/mp4")
    assert await storage.direct_url("videos/u1/streamed.mp4") is None
    assert await storage.url("videos/u1/streamed.mp4") == f"s3://{BUCKET}/media/videos/u1/streamed.mp4"


@pytest.mark.parametrize("downloads", ["presigned", "streamed"])
async def test_the_api_redirects_to_a_presigned_url_or_streams_by_setting(s3_server, s3_environment, downloads):
    from dependency_injector import providers

    from tests.conftest import settings_for_tests
    from tests.unit.test_http_api import SECRET, TEXT_JOB, U1
    from videoforge.adapters.fakes import InMemoryQuotaGuard
    from videoforge.bootstrap import build_container, open_container
    from videoforge.bootstrap.http import build_app
    from videoforge.domain import DEFAULT_PLANS

    settings = settings_for_tests(storage="s3", s3_bucket=BUCKET, s3_endpoint=s3_server.endpoint,
                                  s3_prefix=f"t-{uuid.uuid4().hex[:12]}", s3_downloads=downloads, jwt_secret=SECRET)
    container = build_container(settings)
    container.quota_guard.override(providers.Object(InMemoryQuotaGuard({"u1": DEFAULT_PLANS["pro"]})))
    app = build_app(settings, container, resume_on_startup=False)
    transport = httpx.ASGITransport(app=app)
    async with (open_container(container=container), app.router.lifespan_context(app),
                httpx.AsyncClient(transport=transport, base_url="http://vf.test") as api):
        created = (await api.post("/api/video/jobs", json=TEXT_JOB, headers=U1)).json()
        await app.state.runner.wait()
        result = (await api.get(f"/api/video/jobs/{created['task_id']}", headers=U1)).json()["result"]
        answer = await api.get(result["video_url"], headers=U1 | {"Range": "bytes=0-9"})
        asset = await container.asset_library().get(result["asset_id"])
        stored = await container.storage().stat(asset.storage_key)
    assert asset.file_url.startswith(f"s3://{BUCKET}/t-")
    if downloads == "streamed":
        assert answer.status_code == 206 and len(answer.content) == 10
        return
    assert answer.status_code == 307 and answer.headers["cache-control"] == "private, no-store"
    async with httpx.AsyncClient() as client:
        whole = await client.get(answer.headers["location"])
        ranged = await client.get(answer.headers["location"], headers={"Range": "bytes=0-9"})
    assert len(whole.content) == stored.size and hashlib.sha256(whole.content).hexdigest() == stored.sha256
    assert ranged.status_code == 206 and ranged.content == whole.content[:10]
