from __future__ import annotations

import asyncio

import pytest

from tests.contracts.builders import T0, job, later, text_request
from videoforge.application.ports.jobs import ConcurrentUpdateError, DuplicateJobError, JobNotFoundError, JobRepository
from videoforge.domain import Cost, JobError, JobStatus, MediaInput, MediaKind
from videoforge.domain.submission import SentSubmission


class JobRepositoryContract:
    @pytest.fixture
    def jobs(self) -> JobRepository:
        raise NotImplementedError

    async def test_added_job_reads_back_whole(self, jobs):
        original = job(key="k-1", fingerprint="f0" * 32)
        stored = await jobs.add(original)
        assert stored.version == 1
        back = await jobs.get(original.id)
        assert back.id == original.id and back.user_id == "u1" and back.status is JobStatus.PENDING
        assert back.request == original.request
        assert back.estimated_cost == Cost("0.20") and back.billed_seconds == 5.0
        assert back.created_at == T0 and back.idempotency_key == "k-1" and back.version == 1
        assert back.request_fingerprint == "f0" * 32 and back.submit_deferrals == 0
        assert back.provider_billed_seconds is None

    async def test_every_field_survives_a_save(self, jobs):
        stored = await jobs.add(job(fingerprint="f0" * 32))
        stored.attach_reservation(stored.id)
        stored.start_submission(later(1))
        stored.defer_submission(later(1), "429 too many requests")
        stored = await jobs.save(stored)
        assert (await jobs.get(stored.id)).submit_deferrals == 1
        stored.start_submission(later(1))
        stored = await jobs.save(stored)
        stored.mark_submitted("pred-123", later(2))
        stored.report_progress(45, "working", later(3))
        stored = await jobs.save(stored)
        stored.start_saving("https://cdn.example/out.mp4", later(4), billed_seconds=5.5)
        stored = await jobs.save(stored)
        assert (await jobs.get(stored.id)).provider_billed_seconds == 5.5
        stored.complete("asset-1", Cost("0.25"), later(5))
        saved = await jobs.save(stored)
        back = await jobs.get(stored.id)
        assert back == saved
        assert (back.status, back.progress, back.provider_job_id, back.output_url, back.asset_id) == (
            JobStatus.COMPLETED, 100, "pred-123", "https://cdn.example/out.mp4", "asset-1")
        assert back.actual_cost == Cost("0.25") and back.money_spent is True
        assert back.submitted_at == later(2) and back.finished_at == later(5)
        assert back.reservation_id == stored.id
        assert (back.request_fingerprint, back.submit_deferrals, back.provider_billed_seconds) == ("f0" * 32, 1, 5.5)

    async def test_the_record_of_what_a_submission_sends_survives(self, jobs):
        stored = await jobs.add(job())
        stored.start_submission(later(1), sends_recorded=True)
        stored = await jobs.save(stored)
        back = await jobs.get(stored.id)
        assert back.sends_recorded and back.sent is None and back.provably_unsent
        sent = SentSubmission(later(1), later(3), {"model": "m", "input_sha256": "ab" * 32, "n": [1, 2]})
        back.record_sent(sent, later(2))
        stored = await jobs.save(back)
        back = await jobs.get(stored.id)
        assert back.sent == sent and back.updated_at == later(2) and not back.provably_unsent
        back.mark_submitted("pred-9", later(4))
        stored = await jobs.save(back)
        assert (await jobs.get(stored.id)).sent is None

    async def test_failure_error_survives(self, jobs):
        stored = await jobs.add(job())
        stored.fail(JobError("content_moderation", "refused by moderation", provider_code=1200), later(1),
                    money_spent=False)
        await jobs.save(stored)
        back = await jobs.get(stored.id)
        assert back.error == JobError("content_moderation", "refused by moderation", provider_code=1200)
        assert back.money_spent is False and back.status is JobStatus.FAILED

    async def test_inputs_given_by_path_survive(self, jobs):
        image = MediaInput.from_path(MediaKind.IMAGE, "/data/in/face.png", "image/png", 2048)
        request = text_request(operation="image_to_video", model="alibaba/wan-2.5/image-to-video", image=image,
                               aspect_ratio=None)
        stored = await jobs.add(job(request=request))
        assert (await jobs.get(stored.id)).request.image == image

    async def test_changing_a_read_copy_changes_nothing_until_saved(self, jobs):
        stored = await jobs.add(job())
        stored.start_submission(later(1))
        assert (await jobs.get(stored.id)).status is JobStatus.PENDING

    async def test_stale_save_is_refused(self, jobs):
        stored = await jobs.add(job())
        first, second = await jobs.get(stored.id), await jobs.get(stored.id)
        first.cancel(later(1))
        await jobs.save(first)
        second.start_submission(later(1))
        with pytest.raises(ConcurrentUpdateError):
            await jobs.save(second)
        assert (await jobs.get(stored.id)).status is JobStatus.CANCELLED

    async def test_two_concurrent_writers_one_wins(self, jobs):
        stored = await jobs.add(job())
        copies = [await jobs.get(stored.id) for _ in range(5)]
        for c in copies:
            c.start_submission(later(1))
        results = await asyncio.gather(*(jobs.save(c) for c in copies), return_exceptions=True)
        assert sum(not isinstance(r, Exception) for r in results) == 1
        assert all(isinstance(r, ConcurrentUpdateError) for r in results if isinstance(r, Exception))
        assert (await jobs.get(stored.id)).version == 2

    async def test_duplicate_id_is_refused(self, jobs):
        stored = await jobs.add(job())
        with pytest.raises(DuplicateJobError) as caught:
            await jobs.add(job(job_id=stored.id))
        assert caught.value.existing_job_id == stored.id

    async def test_idempotency_key_is_unique_per_user(self, jobs):
        first = await jobs.add(job("u1", key="same"))
        with pytest.raises(DuplicateJobError) as caught:
            await jobs.add(job("u1", key="same"))
        assert caught.value.existing_job_id == first.id
        other_user = await jobs.add(job("u2", key="same"))
        assert (await jobs.find_by_idempotency_key("u1", "same")).id == first.id
        assert (await jobs.find_by_idempotency_key("u2", "same")).id == other_user.id
        assert await jobs.find_by_idempotency_key("u1", "other") is None

    async def test_a_job_is_found_by_its_providers_task(self, jobs):
        stored = await jobs.add(job())
        stored.start_submission(later(1))
        stored = await jobs.save(stored)
        stored.mark_submitted("task-9", later(2))
        await jobs.save(stored)
        assert (await jobs.find_by_provider_job_id("wavespeed", "task-9")).id == stored.id
        assert await jobs.find_by_provider_job_id("local", "task-9") is None
        assert await jobs.find_by_provider_job_id("wavespeed", "task-8") is None

    async def test_the_stored_version_is_read_alone(self, jobs):
        stored = await jobs.add(job())
        assert await jobs.version(stored.id) == 1
        stored.start_submission(later(1))
        await jobs.save(stored)
        assert await jobs.version(stored.id) == 2

    async def test_missing_job_is_not_found(self, jobs):
        with pytest.raises(JobNotFoundError):
            await jobs.version("nope")
        with pytest.raises(JobNotFoundError):
            await jobs.get("nope")
        with pytest.raises(JobNotFoundError):
            await jobs.save(job(job_id="nope"))

    async def test_unfinished_jobs_are_listed_oldest_first(self, jobs):
        a = await jobs.add(job(created_at=later(2)))
        b = await jobs.add(job(created_at=later(1)))
        done = await jobs.add(job(created_at=later(0)))
        done.cancel(later(3))
        await jobs.save(done)
        assert [j.id for j in await jobs.list_unfinished()] == [b.id, a.id]

    async def test_user_jobs_are_listed_newest_first_and_paged(self, jobs):
        ids = [(await jobs.add(job("u1", created_at=later(i)))).id for i in range(4)]
        await jobs.add(job("u2"))
        assert [j.id for j in await jobs.list_for_user("u1")] == ids[::-1]
        assert [j.id for j in await jobs.list_for_user("u1", limit=2, offset=1)] == ids[::-1][1:3]

    async def test_jobs_sent_to_a_provider_are_listed_by_submission_time(self, jobs):
        async def sent(task_id: str, at: int, provider: str = "wavespeed") -> str:
            stored = await jobs.add(job(provider=provider))
            stored.start_submission(later(at))
            stored = await jobs.save(stored)
            stored.mark_submitted(task_id, later(at))
            return (await jobs.save(stored)).id

        before = await sent("t-0", 0)
        second = await sent("t-2", 20)
        first = await sent("t-1", 10)
        await sent("t-3", 30)
        await sent("t-local", 15, provider="local")
        await jobs.add(job())  # never submitted: no task at the provider
        listed = await jobs.list_at_provider("wavespeed", later(5), later(30))
        assert [j.id for j in listed] == [first, second]
        assert [j.provider_job_id for j in listed] == ["t-1", "t-2"]
        assert before not in [j.id for j in await jobs.list_at_provider("wavespeed", later(1), later(60))]

    async def test_every_save_is_an_event_read_back_in_order_after_a_version(self, jobs):
        stored = await jobs.add(job())
        stored.start_submission(later(1))
        stored = await jobs.save(stored)
        stored.mark_submitted("task-1", later(2))
        stored = await jobs.save(stored)
        stored.report_progress(40, "rendering", later(3))
        stored = await jobs.save(stored)
        stale = stored.copy()
        stale.version -= 1
        with pytest.raises(ConcurrentUpdateError):
            await jobs.save(stale)
        events = await jobs.events(stored.id)
        assert [(e.version, e.status, e.progress) for e in events] == [
            (1, JobStatus.PENDING, 0), (2, JobStatus.SUBMITTING, events[1].progress),
            (3, JobStatus.PROCESSING, events[2].progress), (4, JobStatus.PROCESSING, 40)]
        assert events[3].message == "rendering" and events[3].at == later(3) and events[3].job_id == stored.id
        assert [e.version for e in await jobs.events(stored.id, after_version=2)] == [3, 4]
        assert await jobs.events(stored.id, after_version=4) == [] and await jobs.events("nope") == []


class JobLeaseContract:
    """The save lease: one owner at a time, taken over once expired, never a save."""

    @pytest.fixture
    def jobs(self) -> JobRepository:
        raise NotImplementedError

    async def test_one_of_many_runners_asking_at_once_gets_the_lease(self, jobs):
        stored = await jobs.add(job())
        taken = await asyncio.gather(*(jobs.lease(stored.id, f"runner-{i}", T0, later(1)) for i in range(6)))
        assert sorted(taken) == [False] * 5 + [True]
        assert (await jobs.get(stored.id)).version == stored.version  # not a save
        assert await jobs.events(stored.id, after_version=1) == []

    async def test_the_owner_renews_others_wait_until_it_expires_or_is_released(self, jobs):
        stored = await jobs.add(job())
        assert await jobs.lease(stored.id, "a", T0, later(2))
        assert not await jobs.lease(stored.id, "b", later(1), later(3))
        assert await jobs.lease(stored.id, "a", later(1), later(4))  # renewed
        assert not await jobs.lease(stored.id, "b", later(3), later(5))
        assert await jobs.lease(stored.id, "b", later(5), later(7))  # a died: its lease ran out
        await jobs.release_lease(stored.id, "a")  # not a's any more: nothing changes
        assert not await jobs.lease(stored.id, "c", later(6), later(8))
        await jobs.release_lease(stored.id, "b")
        assert await jobs.lease(stored.id, "c", later(6), later(8))

    async def test_a_lease_survives_saves_of_the_job(self, jobs):
        stored = await jobs.add(job())
        assert await jobs.lease(stored.id, "a", T0, later(5))
        stored.start_submission(later(1))
        await jobs.save(stored)
        assert not await jobs.lease(stored.id, "b", later(2), later(6))

    async def test_no_lease_of_a_job_that_does_not_exist(self, jobs):
        with pytest.raises(JobNotFoundError):
            await jobs.lease("nope", "a", T0, later(1))
