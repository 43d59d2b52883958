"""Uploads are part of the plan (issue 11): a user's live uploads are capped in count and bytes
(a refusal is a 429 naming the limit and leaves no file and no record), and an upload no
request used for VIDEOFORGE_UPLOAD_TTL is deleted by the periodic resume, unless an unfinished
job uses it."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.unit.test_http_api import U1
from videoforge.adapters.fakes import InMemoryStorage, InMemoryUploadRegistry, fake_image
from videoforge.adapters.plans import ResolverPlanSource
from videoforge.application.use_cases import SaveUpload
from videoforge.bootstrap.plans import load_plans
from videoforge.domain import LEGACY_PLANS, Cost, MediaKind, Plan, QuotaExceededError, VideoRequest, default_catalog

ROOT = Path(__file__).resolve().parents[2]
IMAGE = fake_image()


async def post_image(api, data: bytes = IMAGE) -> httpx.Response:
    return await api.post("/api/video/uploads", data={"kind": "image"},
                          files={"file": ("a.png", data, "image/png")}, headers=U1)


def kept(harness) -> list[str]:
    return [key for key in harness.storage.objects if key.startswith("uploads/")]


async def test_an_upload_past_the_plans_count_is_429_naming_the_limit_and_leaves_nothing(api, harness):
    harness.container.plan_source().set("u1", Plan("tiny", 0, Cost(0), upload_count_limit=2))
    assert (await post_image(api)).status_code == 201
    assert (await post_image(api)).status_code == 201
    refused = await post_image(api)
    assert refused.status_code == 429
    body = refused.json()
    assert body["usage_info"]["error_type"] == "upload_count_limit" and "upload_count_limit" in body["message"]
    assert body["usage_info"]["upload_count_limit"] == 2 and body["usage_info"]["plan"] == "tiny"
    assert len(kept(harness)) == 2
    assert (await harness.container.upload_registry().usage("u1")).count == 2


async def test_an_upload_past_the_plans_bytes_is_cut_off_and_leaves_nothing(api, harness):
    harness.container.plan_source().set("u1", Plan("tiny", 0, Cost(0), upload_bytes_limit=len(IMAGE) + 1000))
    assert (await post_image(api)).status_code == 201
    refused = await post_image(api, IMAGE + b"\0" * 2000)
    assert refused.status_code == 429
    body = refused.json()
    assert body["usage_info"]["error_type"] == "upload_bytes_limit" and "upload_bytes_limit" in body["message"]
    assert body["usage_info"]["upload_bytes_limit"] == len(IMAGE) + 1000
    assert len(kept(harness)) == 1
    usage = await harness.container.upload_registry().usage("u1")
    assert (usage.count, usage.bytes) == (1, len(IMAGE))
    assert (await post_image(api, IMAGE[:900])).status_code == 201  # what still fits is kept


async def test_a_hosts_resolver_plan_caps_uploads_too():
    storage, registry = InMemoryStorage(), InMemoryUploadRegistry()
    from videoforge.adapters.fakes import FakeClock

    plans = ResolverPlanSource(lambda user: Plan("host-gold", 0, Cost(0), upload_count_limit=1))
    save = SaveUpload(storage, default_catalog(), registry, plans, FakeClock())

    async def chunks():
        yield IMAGE

    await save("u1", MediaKind.IMAGE, chunks(), "image/png")
    with pytest.raises(QuotaExceededError, match="upload_count_limit"):
        await save("u1", MediaKind.IMAGE, chunks(), "image/png")
    assert len(storage.objects) == 1 and len(registry.records) == 1


async def test_a_record_that_fails_leaves_no_file(harness):
    registry = harness.container.upload_registry()
    from videoforge.application.ports.uploads import UploadRegistryError

    registry.fail_next("add", UploadRegistryError("database down"))

    async def chunks():
        yield IMAGE

    with pytest.raises(UploadRegistryError):
        await harness.container.save_upload()("u1", MediaKind.IMAGE, chunks(), "image/png")
    assert not kept(harness) and registry.records == {}


def test_the_shipped_plans_file_is_the_legacy_four_with_their_upload_limits():
    shipped = load_plans(ROOT / "examples" / "plans.toml", "free")
    assert shipped == LEGACY_PLANS
    free = LEGACY_PLANS.named("free")
    assert (free.upload_count_limit, free.upload_bytes_limit) == (20, 512 * 2**20)
    assert free.upload_bytes_limit >= 2 * default_catalog().max_input_bytes(MediaKind.VIDEO)


async def upload(harness, data: bytes = IMAGE) -> str:
    async def chunks():
        yield data

    return (await harness.container.save_upload()("u1", MediaKind.IMAGE, chunks(), "image/png")).id


async def submit_with(harness, upload_id: str):
    image = await harness.container.load_input()("u1", MediaKind.IMAGE, upload_id=upload_id)
    request = VideoRequest(operation="image-to-video", user_id="u1", prompt="pan", image=image)
    return await harness.container.submit_video()(request)


async def test_unused_uploads_expire_by_the_resume_but_not_those_an_unfinished_job_uses(harness):
    registry, day = harness.container.upload_registry(), 24 * 3600
    unused = await upload(harness)
    pending = await upload(harness)
    used_late = await upload(harness)
    finished = await upload(harness)
    waiting = await submit_with(harness, pending)  # stays pending: unfinished
    done = await submit_with(harness, finished)
    await harness.container.run_job()(done.id)
    harness.clock.advance(6 * day)
    await harness.container.load_input()("u1", MediaKind.IMAGE, upload_id=used_late)  # used: kept 7 more days
    harness.clock.advance(1 * day + 60)

    report = await harness.container.resume_jobs()(exclude={waiting.id})
    assert sorted(report.expired_uploads) == sorted([unused, finished])
    left = {key.rsplit("/", 1)[1] for key in kept(harness)}
    assert left == {pending, used_late}
    assert set(registry.records) == {pending, used_late}
    gone = harness.container.load_input()  # an expired upload is no longer there
    with pytest.raises(Exception, match="no such upload"):
        await gone("u1", MediaKind.IMAGE, upload_id=unused)

    harness.clock.advance(8 * day)  # the job that uses `pending` is still unfinished: kept however long
    assert (await harness.container.resume_jobs()(exclude={waiting.id})).expired_uploads == [used_late]
    assert set(registry.records) == {pending}


async def test_an_expiry_whose_file_cannot_be_deleted_finishes_next_time(harness):
    registry = harness.container.upload_registry()
    first = await upload(harness)
    harness.clock.advance(8 * 24 * 3600)
    from videoforge.application.ports.storage import StorageError

    harness.storage.fail_next("delete", StorageError("disk busy"))
    assert (await harness.container.resume_jobs()()).expired_uploads == []
    assert registry.records[first].expiring
    with pytest.raises(Exception, match="expired unused"):  # no longer usable meanwhile
        await harness.container.load_input()("u1", MediaKind.IMAGE, upload_id=first)
    assert (await harness.container.resume_jobs()()).expired_uploads == [first]
    assert not kept(harness) and registry.records == {}


async def test_a_failing_upload_registry_never_keeps_the_resume_from_the_unfinished_jobs(harness):
    from videoforge.application.ports.uploads import UploadRegistryError
    from videoforge.domain.job import JobStatus

    waiting = await submit_with(harness, await upload(harness))  # recorded, never run: the resume runs it
    harness.clock.advance(8 * 24 * 3600)
    harness.container.upload_registry().fail_next("unused_since", UploadRegistryError("database busy"))

    report = await harness.container.resume_jobs()()

    assert report.expired_uploads == []
    assert (await harness.container.job_repository().get(waiting.id)).status is JobStatus.COMPLETED


async def test_a_failing_store_ends_the_expiry_round_at_its_first_file(harness):
    registry = harness.container.upload_registry()
    first, second = await upload(harness), await upload(harness)
    harness.clock.advance(8 * 24 * 3600)
    from videoforge.application.ports.storage import StorageError

    harness.storage.fail_next("delete", StorageError("store unreachable"))
    assert (await harness.container.resume_jobs()()).expired_uploads == []
    assert set(registry.records) == {first, second}  # the second file was not asked for in vain
    assert sorted((await harness.container.resume_jobs()()).expired_uploads) == sorted([first, second])
