"""The pipeline through the container on the `sql` backend, on SQLite and PostgreSQL, with
the fake provider: a representative subset of tests/unit/test_pipeline.py, plus what only a
database can show (a process killed midway, then a new one on the same database)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest
from dependency_injector import providers

from tests.conftest import settings_for_tests
from tests.contracts.builders import text_request
from tests.integration.conftest import IsolatedDatabase
from tests.reservations import reservation_of
from videoforge.adapters.fakes import FakeClock, FakeMediaProbe, FakeVideoProvider, Outcome, fake_image
from videoforge.adapters.sql import SqlJobRepository, SqlQuotaGuard
from videoforge.application.errors import JobFailedError
from videoforge.bootstrap import Container, build_container, open_container
from videoforge.domain import (
    DEFAULT_PLANS,
    Cost,
    ErrorCode,
    JobStatus,
    MediaInput,
    MediaKind,
    QuotaExceededError,
    VideoRequest,
)
from videoforge.domain.quota import ReservationState


class Crash(BaseException):
    """Stands for the process dying at that point: nothing after it runs."""


@dataclass
class Process:
    """One run of the service: a container on the shared database; its memory (files, the
    in-process bytes of inputs) dies with it, the database and the remote provider do not."""

    container: Container
    provider: FakeVideoProvider
    clock: FakeClock
    probe: FakeMediaProbe

    @property
    def period(self) -> str:
        return self.clock.now().strftime("%Y-%m")


@asynccontextmanager
async def process(database: IsolatedDatabase, tmp_path, provider: FakeVideoProvider | None = None
                  ) -> AsyncIterator[Process]:
    settings = settings_for_tests(backend="sql", data_dir=tmp_path, database_url=database.url,
                                  user_plans={"u1": "pro"})
    container = build_container(settings)
    if database.kind == "postgres":  # the test's own schema, which a URL cannot name
        container.sql_engine.override(providers.Object(database.engine()))
    run = Process(container, provider or FakeVideoProvider(), FakeClock(), FakeMediaProbe())
    container.video_providers.override(providers.Object({"wavespeed": run.provider}))
    container.clock.override(providers.Object(run.clock))
    container.media_probe.override(providers.Object(run.probe))
    async with open_container(container=container):
        yield run


@pytest.fixture
async def service(database, tmp_path) -> AsyncIterator[Process]:
    async with process(database, tmp_path) as run:
        yield run


async def test_success_records_the_job_asset_usage_and_settles_the_actual_cost(service):
    service.provider.script(Outcome.succeed(after_polls=3, billed_seconds=4))
    result = await service.container.generate_video()(text_request())

    c = service.container
    job = await c.job_repository().get(result.job_id)
    assert job.status is JobStatus.COMPLETED and job.progress == 100 and job.actual_cost == Cost("0.16")
    [asset] = await c.asset_library().list("u1")
    assert asset.id == result.asset_id and (asset.width, asset.height, asset.cost) == (1280, 720, Cost("0.16"))
    [record] = await c.usage_meter().records("u1", service.period)
    assert record.job_id == job.id and record.cost == Cost("0.16")
    summary = await c.usage_meter().summary("u1", service.period)
    assert (summary.video_calls, summary.video_cost, summary.total_cost) == (1, Cost("0.16"), Cost("0.16"))
    quota = (await c.quota_guard().check("u1", Cost(0), service.period)).usage
    assert (quota.calls, quota.cost, quota.reserved_calls) == (1, Cost("0.16"), 0)  # settled at the actual cost
    reservation = await reservation_of(c.quota_guard(), job.id)
    assert reservation.state == ReservationState.SETTLED and reservation.actual == Cost("0.16")


async def test_refused_quota_submits_nothing_and_records_nothing(service):
    await service.container.quota_guard().assign("u1", DEFAULT_PLANS["free"])
    for _ in range(2):
        await service.container.generate_video()(text_request())

    with pytest.raises(QuotaExceededError) as caught:
        await service.container.generate_video()(text_request())

    info = caught.value.usage_info
    assert caught.value.error_type == "video_limit" and (info["current_calls"], info["limit"]) == (2, 2)
    assert len(service.provider.submissions) == 2
    assert len(await service.container.job_repository().list_for_user("u1")) == 2
    assert (await service.container.usage_meter().summary("u1", service.period)).video_calls == 2


async def test_provider_failure_fails_the_job_and_releases(service):
    service.provider.script(Outcome.fail(ErrorCode.CONTENT_MODERATION, provider_code=1200,
                                         message="flagged by moderation", after_polls=2))
    with pytest.raises(JobFailedError) as caught:
        await service.container.generate_video()(text_request())

    job = await service.container.job_repository().get(caught.value.job.id)
    assert job.status is JobStatus.FAILED and job.error.code == "content_moderation"
    assert job.error.provider_code == 1200 and job.money_spent is False
    assert (await reservation_of(service.container.quota_guard(), job.id)).state == ReservationState.RELEASED
    assert (await service.container.usage_meter().summary("u1", service.period)).video_calls == 0


async def test_hundred_concurrent_requests_on_a_ten_video_plan(service):
    await service.container.quota_guard().assign("u1", DEFAULT_PLANS["basic"])
    generate = service.container.generate_video()
    results = await asyncio.gather(*(generate(text_request()) for _ in range(100)), return_exceptions=True)

    done = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, QuotaExceededError)]
    assert (len(done), len(refused)) == (10, 90), [r for r in results if isinstance(r, BaseException)][:3]
    summary = await service.container.usage_meter().summary("u1", service.period)
    assert summary.video_calls == 10 and summary.video_cost == Cost("2.00")
    assert len(service.provider.submissions) == 10


async def test_bytes_inputs_work_within_the_process_that_was_given_them(service):
    request = VideoRequest(operation="image-to-video", user_id="u1", prompt="pan slowly",
                           image=MediaInput.from_bytes(MediaKind.IMAGE, fake_image(), "image/png", "face.png"))
    result = await service.container.generate_video()(request)
    [task] = service.provider.submissions
    assert b"".join([c async for c in task.inputs["image"].chunks()]) == fake_image()
    assert result.model_name == "alibaba/wan-2.5/image-to-video"


# A process killed between reserve and settle, at each step; a new process on the same database
# resumes. Nothing is submitted twice and nothing is counted twice.


async def usage_and_quota(run: Process, job_id: str) -> tuple[int, str]:
    summary = await run.container.usage_meter().summary("u1", run.period)
    return summary.video_calls, (await reservation_of(run.container.quota_guard(), job_id)).state


async def test_killed_while_the_provider_works_is_finished_by_a_new_process(database, tmp_path):
    remote = FakeVideoProvider(Outcome.succeed(after_polls=3))
    async with process(database, tmp_path, remote) as first:
        remote.fail_next("poll", Crash())
        job = await first.container.submit_video()(text_request())
        with pytest.raises(Crash):
            await first.container.run_job()(job.id)

    async with process(database, tmp_path, remote) as second:
        report = await second.container.resume_jobs()()
        assert report.finished == {"completed": [job.id]}
        assert len(remote.submissions) == 1
        assert await usage_and_quota(second, job.id) == (1, ReservationState.SETTLED)


async def test_killed_while_saving_is_saved_once_by_a_new_process(database, tmp_path):
    remote = FakeVideoProvider()
    async with process(database, tmp_path, remote) as first:
        first.probe.fail_next("thumbnail", Crash())
        job = await first.container.submit_video()(text_request())
        with pytest.raises(Crash):
            await first.container.run_job()(job.id)
        assert (await first.container.job_repository().get(job.id)).status is JobStatus.SAVING

    async with process(database, tmp_path, remote) as second:
        await second.container.resume_jobs()()
        assert (await second.container.job_repository().get(job.id)).status is JobStatus.COMPLETED
        assert len(await second.container.asset_library().list("u1")) == 1
        assert await usage_and_quota(second, job.id) == (1, ReservationState.SETTLED)
        assert len(remote.submissions) == 1


class SettleCrashesOnce(SqlQuotaGuard):
    """The real adapter, except that the process dies as it is about to settle."""

    async def settle(self, job_id, actual):
        raise Crash()


async def test_killed_as_it_settles_commits_none_of_the_delivery_and_counts_once(database, tmp_path):
    # The asset, the usage, the settlement and the job's end are one unit of work: a process
    # that dies inside it leaves none of them, and the next one delivers the job once.
    remote = FakeVideoProvider()
    async with process(database, tmp_path, remote) as first:
        c = first.container
        c.quota_guard.override(providers.Singleton(SettleCrashesOnce, c.sql_database, {"u1": DEFAULT_PLANS["pro"]}))
        job = await c.submit_video()(text_request())
        with pytest.raises(Crash):
            await c.run_job()(job.id)
        assert await usage_and_quota(first, job.id) == (0, ReservationState.RESERVED)
        assert await c.asset_library().list("u1") == []

    async with process(database, tmp_path, remote) as second:
        report = await second.container.resume_jobs()()
        assert report.finished == {"completed": [job.id]}
        assert await usage_and_quota(second, job.id) == (1, ReservationState.SETTLED)
        assert len(await second.container.asset_library().list("u1")) == 1
        check = await second.container.quota_guard().check("u1", Cost("0.20"), second.period)
        assert (check.usage.calls, check.usage.reserved_calls) == (1, 0)


async def test_killed_while_submitting_becomes_unknown_outcome_and_keeps_one_reservation(database, tmp_path):
    remote = FakeVideoProvider()
    async with process(database, tmp_path, remote) as first:
        remote.fail_next("submit", Crash())
        job = await first.container.submit_video()(text_request())
        with pytest.raises(Crash):
            await first.container.run_job()(job.id)

    async with process(database, tmp_path, remote) as second:
        early = await second.container.resume_jobs()()  # within the grace it may be another process's
        assert early.in_flight == [job.id]
        second.clock.advance(901)
        report = await second.container.resume_jobs()()
        assert report.awaiting_reconciliation == [job.id] and remote.submissions == []
        assert await usage_and_quota(second, job.id) == (0, ReservationState.RESERVED)


async def test_killed_before_running_a_path_request_runs_in_the_new_process(database, tmp_path):
    async with process(database, tmp_path) as first:
        job = await first.container.submit_video()(text_request())

    async with process(database, tmp_path) as second:
        report = await second.container.resume_jobs()()
        assert report.finished == {"completed": [job.id]}
        assert await usage_and_quota(second, job.id) == (1, ReservationState.SETTLED)


async def test_killed_before_running_a_bytes_request_fails_it_cleanly_and_releases(database, tmp_path):
    request = VideoRequest(operation="image-to-video", user_id="u1", prompt="pan slowly",
                           image=MediaInput.from_bytes(MediaKind.IMAGE, fake_image(), "image/png", "face.png"))
    async with process(database, tmp_path) as first:
        job = await first.container.submit_video()(request)

    async with process(database, tmp_path) as second:
        report = await second.container.resume_jobs()()
        assert report.finished == {"failed": [job.id]} and second.provider.submissions == []
        failed = await second.container.job_repository().get(job.id)
        assert failed.error.code == ErrorCode.INPUT_NOT_KEPT and "send the request again" in failed.error.message
        assert await usage_and_quota(second, job.id) == (0, ReservationState.RELEASED)


class ReleaseCrashes(SqlQuotaGuard):
    """The real adapter, except that the process dies as it is about to release."""

    async def release(self, job_id):
        raise Crash()


class AddCrashes(SqlJobRepository):
    """The real adapter, except that the process dies as it is about to record the job."""

    async def add(self, job):
        raise Crash()


def dying(run: Process, *, on_add: bool = False) -> None:
    c = run.container
    c.quota_guard.override(providers.Singleton(ReleaseCrashes, c.sql_database, {"u1": DEFAULT_PLANS["pro"]},
                                               clock=c.clock))
    if on_add:
        c.job_repository.override(providers.Singleton(AddCrashes, c.sql_database))


async def test_a_failed_job_whose_process_died_before_releasing_is_released_by_the_next(database, tmp_path):
    remote = FakeVideoProvider(Outcome.fail(ErrorCode.CONTENT_MODERATION, message="flagged"))
    async with process(database, tmp_path, remote) as first:
        dying(first)
        job = await first.container.submit_video()(text_request())
        with pytest.raises(Crash):
            await first.container.run_job()(job.id)

    async with process(database, tmp_path, remote) as second:
        assert await usage_and_quota(second, job.id) == (0, ReservationState.RESERVED)
        report = await second.container.resume_jobs()()
        assert report.released == [job.id]
        assert await usage_and_quota(second, job.id) == (0, ReservationState.RELEASED)


async def test_a_process_dying_while_recording_the_job_leaves_no_reservation(database, tmp_path):
    """The reservation and the job's record are one unit of work: a death between them leaves neither."""
    async with process(database, tmp_path) as first:
        dying(first, on_add=True)
        with pytest.raises(Crash):
            await first.container.submit_video()(text_request())

    async with process(database, tmp_path) as second:
        assert await second.container.quota_guard().held() == []
        check = await second.container.quota_guard().check("u1", Cost("0.20"), second.period)
        assert (check.usage.calls, check.usage.reserved_calls) == (0, 0)


async def test_a_reservation_whose_job_was_never_recorded_is_released_by_a_later_process(database, tmp_path):
    async with process(database, tmp_path) as first:  # as a release before the unit of work could leave it
        await first.container.quota_guard().reserve("u1", "never-recorded", Cost("0.20"), first.period)

    async with process(database, tmp_path) as second:
        [orphan] = await second.container.quota_guard().held()
        assert (await second.container.resume_jobs()()).released == []  # too recent: maybe being recorded
        second.clock.advance(11 * 60)
        assert (await second.container.resume_jobs()()).released == [orphan.job_id]
        check = await second.container.quota_guard().check("u1", Cost("0.20"), second.period)
        assert (check.usage.calls, check.usage.reserved_calls) == (0, 0)
