"""S3Storage against a real S3-compatible server on loopback (moto's server mode): the Storage
contract, and what only object storage can get wrong: multipart uploads across parts, aborted
on failure, presigned downloads with Range, credentials from the environment."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import time
import uuid
from urllib.parse import parse_qs, parse_qsl, quote, urlsplit

import httpx
import pytest

from tests.contracts.storage import StorageContract, chunks, read
from tests.s3server import Relay
from videoforge.adapters.s3 import S3Storage
from videoforge.application.ports.storage import StorageError, StorageLimitError

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


def sigv4_query_signature(url: str, secret: str) -> str:
    """The SigV4 signature a presigned GET `url` must carry (AWS's "authenticating requests:
    query parameters"), computed here independently of obstore: it covers the Host."""
    parts = urlsplit(url)
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "X-Amz-Signature")
    canonical = "\n".join(["GET", parts.path, "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}"
                                                      for k, v in query),
                           f"host:{parts.netloc}", "", "host", "UNSIGNED-PAYLOAD"])
    params = dict(query)
    scope = params["X-Amz-Credential"].split("/", 1)[1]
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    to_sign = "\n".join(["AWS4-HMAC-SHA256", params["X-Amz-Date"], scope, digest])
    key = ("AWS4" + secret).encode()
    for part in scope.split("/"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


async def test_a_public_endpoint_names_the_host_clients_reach_in_presigned_urls(s3_server, s3_environment):
    """The service talks to the store at 127.0.0.1 (its internal address); clients are sent to
    localhost (the public one): the URL names it, and its signature is valid for it alone."""
    public = s3_server.endpoint.replace("127.0.0.1", "localhost")
    storage = s3_storage(s3_server, public_endpoint=public)
    await storage.save("videos/u1/public.mp4", chunks(b"0123456789"), "video/mp4")
    url = await storage.direct_url("videos/u1/public.mp4")
    assert url.startswith(public + "/")
    signature = parse_qs(urlsplit(url).query)["X-Amz-Signature"][0]
    secret = os.environ["AWS_SECRET_ACCESS_KEY"]
    assert sigv4_query_signature(url, secret) == signature
    assert sigv4_query_signature(url.replace("localhost", "127.0.0.1"), secret) != signature
    async with httpx.AsyncClient() as client:
        part = await client.get(url, headers={"Range": "bytes=2-4"})
    assert part.status_code == 206 and part.content == b"234"


@pytest.mark.parametrize("downloads", ["presigned", "streamed", "presigned-public"])
async def test_the_api_redirects_to_a_presigned_url_or_streams_by_setting(s3_server, s3_environment, downloads):
    from dependency_injector import providers

    from tests.conftest import settings_for_tests
    from tests.unit.test_http_api import SECRET, TEXT_JOB, U1
    from videoforge.adapters.fakes import InMemoryQuotaGuard
    from videoforge.bootstrap import build_container, open_container
    from videoforge.bootstrap.http import build_app
    from videoforge.domain import DEFAULT_PLANS

    public = s3_server.endpoint.replace("127.0.0.1", "localhost") if downloads == "presigned-public" else None
    settings = settings_for_tests(storage="s3", s3_bucket=BUCKET, s3_endpoint=s3_server.endpoint,
                                  s3_prefix=f"t-{uuid.uuid4().hex[:12]}", s3_downloads=downloads.split("-")[0],
                                  s3_public_endpoint=public, jwt_secret=SECRET)
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
    location = answer.headers["location"]
    assert location.startswith((public or s3_server.endpoint) + f"/{BUCKET}/t-")
    assert sigv4_query_signature(location, os.environ["AWS_SECRET_ACCESS_KEY"]) == \
        parse_qs(urlsplit(location).query)["X-Amz-Signature"][0]
    async with httpx.AsyncClient() as client:
        whole = await client.get(answer.headers["location"])
        ranged = await client.get(answer.headers["location"], headers={"Range": "bytes=0-9"})
    assert len(whole.content) == stored.size and hashlib.sha256(whole.content).hexdigest() == stored.sha256
    assert ranged.status_code == 206 and ranged.content == whole.content[:10]


async def test_a_store_that_stops_answering_fails_every_call_within_the_timeout(s3_server, s3_environment):
    """A store that falls silent (a frozen server, a dead link) never holds a call forever: each
    raises StorageError, the transient kind (a job resumes and saves again), within the timeout."""
    async with Relay(s3_server.port) as relay:
        storage = S3Storage(BUCKET, endpoint=relay.endpoint, prefix=f"t-{uuid.uuid4().hex[:12]}", timeout=1.0)
        await storage.save("videos/u1/kept.mp4", chunks(b"kept"), "video/mp4")
        relay.silent()
        calls = [("saving videos/u1/new.mp4", storage.save("videos/u1/new.mp4", chunks(b"new"), "video/mp4")),
                 ("reading videos/u1/kept.mp4", storage.stat("videos/u1/kept.mp4")),
                 ("reading videos/u1/kept.mp4", read(storage, "videos/u1/kept.mp4")),
                 ("deleting videos/u1/kept.mp4", storage.delete("videos/u1/kept.mp4"))]
        for failure, call in calls:  # (our deadline or obstore's own request timeout, whichever first)
            started = time.monotonic()
            with pytest.raises(StorageError, match=re.escape(failure + " failed")):
                await call
            assert time.monotonic() - started < 5, failure


async def test_an_upload_whose_store_falls_silent_midway_fails_within_the_timeout_and_keeps_nothing(
        s3_server, s3_environment):
    prefix = f"t-{uuid.uuid4().hex[:12]}"
    async with Relay(s3_server.port) as relay:
        storage = S3Storage(BUCKET, endpoint=relay.endpoint, prefix=prefix, part_size=5 * MiB, concurrency=1,
                            timeout=1.0)

        async def source():
            for part in range(6):
                if part == 3:  # a part sent, the next one under way: then the store stops answering
                    relay.silent()
                yield os.urandom(3 * MiB)

        started = time.monotonic()
        with pytest.raises(StorageError, match=re.escape("saving videos/u1/half.mp4 failed")):
            await storage.save("videos/u1/half.mp4", source(), "video/mp4")
        assert time.monotonic() - started < 10
    async with httpx.AsyncClient() as client:
        assert (await client.head(f"{s3_server.endpoint}/{BUCKET}/{prefix}/videos/u1/half.mp4")).status_code == 404


async def test_a_job_whose_store_falls_silent_while_saving_stays_saving_and_completes_when_resumed(
        s3_server, s3_environment):
    """The pipeline over a silent store: the save gives up within the timeout, the job stays in
    `saving` (its output paid for, nothing filed), and a resume once the store answers again
    delivers it, without a second submission."""
    from dependency_injector import providers

    from tests.conftest import settings_for_tests
    from videoforge.adapters.fakes import InMemoryQuotaGuard
    from videoforge.application.errors import JobNotFinishedError
    from videoforge.bootstrap import build_container, open_container
    from videoforge.domain import DEFAULT_PLANS, JobStatus, VideoRequest

    async with Relay(s3_server.port) as relay:
        settings = settings_for_tests(storage="s3", s3_bucket=BUCKET, s3_endpoint=relay.endpoint, s3_timeout=1.0,
                                      s3_prefix=f"t-{uuid.uuid4().hex[:12]}")
        container = build_container(settings)
        container.quota_guard.override(providers.Object(InMemoryQuotaGuard({"u1": DEFAULT_PLANS["pro"]})))
        async with open_container(container=container):
            relay.silent()
            started = time.monotonic()
            with pytest.raises(JobNotFinishedError, match="could not be saved yet"):
                await container.generate_video()(VideoRequest(operation="text-to-video", user_id="u1",
                                                              prompt="a lighthouse at dawn", duration=5))
            assert time.monotonic() - started < 15
            [job] = await container.job_repository().list_for_user("u1")
            assert job.status is JobStatus.SAVING
            relay.speak()
            await container.resume_jobs()()
            done = await container.job_repository().get(job.id)
            assert done.status is JobStatus.COMPLETED
            asset = await container.asset_library().get(done.asset_id)
            assert (await container.storage().stat(asset.storage_key)).size == asset.file_size > 0
            assert len(container.video_providers()["wavespeed"].submissions) == 1
