"""Each step of RunJob, from a job prepared in the state that step handles, on the shipped fakes:
pending -> SubmitJob, submitting -> RecoverSubmission, processing -> FollowTask,
saving -> DeliverOutput. Checked by the state they leave, never by counting calls."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace

import pytest

from tests.contracts.builders import job
from videoforge.adapters.fakes import (
    FakeClock,
    FakeMediaProbe,
    FakeVideoProvider,
    InMemoryAssetLibrary,
    InMemoryJobRepository,
    InMemoryQuotaGuard,
    InMemoryStorage,
    InMemoryUsageMeter,
    Outcome,
)
from videoforge.application.errors import JobNotFinishedError
from videoforge.application.ports.probe import InvalidMediaError
from videoforge.application.ports.provider import ProviderOutputError, ProviderUnavailableError
from videoforge.application.progress import ProgressReporter
from videoforge.application.use_cases.run import (
    DeliverOutput,
    FallBack,
    FollowTask,
    JobKeeper,
    KeepOutput,
    PollPolicy,
    RecoverSubmission,
    SavingElsewhere,
    SubmitJob,
    Superseded,
)
from videoforge.application.use_cases.run_job import RunJob
from videoforge.domain import DEFAULT_PLANS, Cost, ErrorCode, JobStatus, VideoJob, default_catalog
from videoforge.domain.job import Step
from videoforge.domain.quota import ReservationState
from videoforge.domain.routing import Routing


class Crash(BaseException):
    """Stands for the process dying at that point: nothing after it runs."""


@dataclass
class Run:
    """The fakes a runner works on, its shared keeper, and the progress a caller was shown."""

    clock: FakeClock = field(default_factory=FakeClock)
    provider: FakeVideoProvider = field(default_factory=FakeVideoProvider)
    jobs: InMemoryJobRepository = field(default_factory=InMemoryJobRepository)
    storage: InMemoryStorage = field(default_factory=InMemoryStorage)
    probe: FakeMediaProbe = field(default_factory=FakeMediaProbe)
    assets: InMemoryAssetLibrary = field(default_factory=InMemoryAssetLibrary)
    usage: InMemoryUsageMeter = field(default_factory=InMemoryUsageMeter)
    policy: PollPolicy = field(default_factory=lambda: PollPolicy(interval=2.0, deadline=600.0))
    shown: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.quota = InMemoryQuotaGuard({"u1": DEFAULT_PLANS["pro"]}, clock=self.clock)
        self.providers = {"wavespeed": self.provider}
        self.keeper = JobKeeper(self.jobs, self.quota, self.clock, self.policy)
        self.catalog = default_catalog()

    def fallback(self, providers=None) -> FallBack:
        return FallBack(self.keeper, self.quota, self.catalog, Routing(), (providers or self.providers).keys(),
                        self.clock, self.policy)

    def submit(self, providers=None) -> SubmitJob:
        return SubmitJob(self.keeper, self.providers if providers is None else providers, self.catalog, self.clock,
                         self.policy, self.fallback(providers))

    def recover(self) -> RecoverSubmission:
        return RecoverSubmission(self.keeper, self.clock, self.policy)

    def follow(self) -> FollowTask:
        return FollowTask(self.keeper, self.providers, self.clock, self.policy, self.fallback())

    def deliver(self) -> DeliverOutput:
        keep = KeepOutput(self.providers, self.storage, self.probe)
        return DeliverOutput(self.keeper, keep, self.catalog, self.assets, self.usage)

    def progress(self, job: VideoJob) -> ProgressReporter:
        return ProgressReporter(lambda percent, message: self.shown.append(percent), shown=job.progress)

    def reservation(self, job: VideoJob) -> ReservationState:
        return self.quota.reservations[job.id].state

    async def pending(self, **changes) -> VideoJob:
        """A job as SubmitVideo leaves it: recorded, its estimate reserved."""
        new = job(**changes)
        await self.quota.reserve(new.user_id, new.id, new.estimated_cost, "2026-01")
        new.attach_reservation(new.id)
        return await self.jobs.add(new)

    async def submitting(self) -> VideoJob:
        """A job whose submission went out (from some runner) without its answer being recorded."""
        pending = await self.pending()
        pending.start_submission(self.clock.now())
        return await self.jobs.save(pending)

    async def processing(self, outcome: Outcome | None = None) -> VideoJob:
        """A job the provider has (task fake-1), as the submit step leaves it."""
        self.provider.script(outcome or Outcome.succeed())
        pending = await self.pending()
        return await self.submit()(pending, ProgressReporter(None))

    async def saving(self, outcome: Outcome | None = None, billed_seconds: float | None = 4) -> VideoJob:
        """A job whose task completed at the provider, its output waiting at fake://fake-1/."""
        processing = await self.processing(outcome)
        processing.start_saving("fake://fake-1/output.mp4", self.clock.now(), billed_seconds=billed_seconds)
        return await self.jobs.save(processing)

    def videos(self) -> list[str]:
        return [key for key in self.storage.objects if key.startswith("videos/")]


@pytest.fixture
def run() -> Run:
    return Run()


async def held_submit(run: Run, during) -> asyncio.Event:
    """Makes the provider's next submission wait for the returned event, running `during` meanwhile."""
    gate = asyncio.Event()
    real_submit = run.provider.submit

    async def submit(task):
        await during()
        await gate.wait()
        return await real_submit(task)

    run.provider.submit = submit
    return gate


class TestSubmitJob:
    async def test_a_pending_job_is_sent_once_and_recorded_with_the_providers_id(self, run):
        pending = await run.pending()
        done = await run.submit()(pending, run.progress(pending))
        assert (done.status, done.provider_job_id, done.progress) == (JobStatus.PROCESSING, "fake-1", 10)
        assert await run.jobs.get(done.id) == done and done.money_spent is None
        assert [task.job_id for task in run.provider.submissions] == [done.id]
        assert run.shown == [10] and run.reservation(done) == ReservationState.RESERVED

    async def test_the_intent_is_recorded_before_the_request_goes_out(self, run):
        pending = await run.pending()
        seen: list[JobStatus] = []

        async def look():
            seen.append((await run.jobs.get(pending.id)).status)

        gate = await held_submit(run, look)
        gate.set()
        await run.submit()(pending, run.progress(pending))
        assert seen == [JobStatus.SUBMITTING]

    async def test_a_provider_busy_for_now_sends_the_job_back_to_pending(self, run):
        run.provider.script(Outcome.reject("429 too many requests", provider_code=429, retryable=True))
        pending = await run.pending()
        back = await run.submit()(pending, run.progress(pending))
        assert (back.status, back.submit_deferrals) == (JobStatus.PENDING, 1) and "429" in back.message
        assert await run.jobs.get(back.id) == back and run.provider.tasks == {}
        assert run.reservation(back) == ReservationState.RESERVED and run.shown == []

    async def test_a_deferred_job_waits_its_turn_then_is_sent(self, run):
        pending = await run.pending()
        for _ in range(3):
            pending.start_submission(run.clock.now())
            pending.defer_submission(run.clock.now(), "busy")
        pending = await run.jobs.save(pending)
        done = await run.submit()(pending, run.progress(pending))
        assert run.clock.slept == [8.0]  # interval x 2^(3-1)
        assert done.status is JobStatus.PROCESSING and done.submit_deferrals == 3

    async def test_a_provider_busy_too_many_times_fails_the_job_and_frees_its_reservation(self, run):
        run.provider.script(Outcome.reject("429 too many requests", provider_code=429, retryable=True))
        pending = await run.pending()
        for _ in range(run.policy.submit_retries):
            pending.start_submission(run.clock.now())
            pending.defer_submission(run.clock.now(), "busy")
        pending = await run.jobs.save(pending)
        failed = await run.submit()(pending, run.progress(pending))
        assert failed.status is JobStatus.FAILED and failed.error.code == ErrorCode.PROVIDER_REJECTED
        assert failed.error.message == "the provider refused the request: 429 too many requests"
        assert run.reservation(failed) == ReservationState.RELEASED

    async def test_a_refusal_fails_the_job_as_costing_nothing_and_frees_its_reservation(self, run):
        run.provider.script(Outcome.reject("insufficient credit", provider_code=None, insufficient_credit=True))
        pending = await run.pending()
        failed = await run.submit()(pending, run.progress(pending))
        assert (failed.status, failed.error.code, failed.money_spent) == (
            JobStatus.FAILED, ErrorCode.INSUFFICIENT_CREDIT, False)
        assert await run.jobs.get(failed.id) == failed and run.reservation(failed) == ReservationState.RELEASED

    async def test_no_answer_is_an_unknown_outcome_that_keeps_its_reservation(self, run):
        run.provider.script(Outcome.outcome_unknown(created=True))
        pending = await run.pending()
        unknown = await run.submit()(pending, run.progress(pending))
        assert unknown.status is JobStatus.UNKNOWN_OUTCOME and unknown.money_spent is None
        assert unknown.next_step is Step.NONE and run.reservation(unknown) == ReservationState.RESERVED

    async def test_a_job_whose_provider_is_not_configured_fails_without_being_sent(self, run):
        pending = await run.pending()
        failed = await run.submit(providers={})(pending, run.progress(pending))
        assert failed.status is JobStatus.FAILED and failed.error.code == ErrorCode.PROVIDER_UNAVAILABLE
        assert run.provider.submissions == [] and run.reservation(failed) == ReservationState.RELEASED

    async def test_a_submission_judged_lost_meanwhile_keeps_its_provider_id(self, run):
        pending = await run.pending()

        async def judged_lost():
            stale = await run.jobs.get(pending.id)
            stale.mark_outcome_unknown(run.clock.now(), "judged lost by another process")
            await run.jobs.save(stale)

        gate = await held_submit(run, judged_lost)
        gate.set()
        done = await run.submit()(pending, run.progress(pending))
        assert (done.status, done.provider_job_id) == (JobStatus.PROCESSING, "fake-1")
        assert await run.jobs.get(done.id) == done

    async def test_a_job_cancelled_while_waiting_its_turn_is_not_sent(self, run):
        pending = await run.pending()
        pending.start_submission(run.clock.now())
        pending.defer_submission(run.clock.now(), "busy")
        pending = await run.jobs.save(pending)
        cancelled = await run.jobs.get(pending.id)
        cancelled.cancel(run.clock.now())
        await run.jobs.save(cancelled)
        with pytest.raises(Superseded) as caught:
            await run.submit()(pending, run.progress(pending))
        assert caught.value.job.status is JobStatus.CANCELLED and run.provider.submissions == []

    async def test_a_runner_stopped_during_the_submission_still_records_the_providers_id(self, run):
        pending = await run.pending()

        async def nothing():
            return None

        gate = await held_submit(run, nothing)
        running = asyncio.create_task(run.submit()(pending, run.progress(pending)))
        for _ in range(20):
            await asyncio.sleep(0)
        running.cancel()  # a shutdown
        await asyncio.sleep(0)
        gate.set()
        with pytest.raises(asyncio.CancelledError):
            await running
        stored = await run.jobs.get(pending.id)
        assert (stored.status, stored.provider_job_id) == (JobStatus.PROCESSING, "fake-1")


class TestRecoverSubmission:
    async def test_a_submission_within_its_grace_is_left_to_its_runner_until_it_answers(self, run):
        submitting = await run.submitting()
        assert run.recover().in_flight(submitting)
        recovering = asyncio.create_task(run.recover()(submitting, run.progress(submitting)))
        for _ in range(5):
            await asyncio.sleep(0)
        answered = await run.jobs.get(submitting.id)  # the submitting runner gets its answer
        answered.mark_submitted("task-7", run.clock.now())
        await run.jobs.save(answered)
        found = await recovering
        assert (found.status, found.provider_job_id) == (JobStatus.PROCESSING, "task-7")
        assert run.clock.monotonic() < run.policy.submit_grace

    async def test_a_submission_that_never_answers_becomes_an_unknown_outcome_after_the_grace(self, run):
        submitting = await run.submitting()
        unknown = await run.recover()(submitting, run.progress(submitting))
        assert run.clock.monotonic() >= run.policy.submit_grace
        assert unknown.status is JobStatus.UNKNOWN_OUTCOME and "interrupted while submitting" in unknown.message
        assert await run.jobs.get(unknown.id) == unknown
        assert run.provider.submissions == [] and run.reservation(unknown) == ReservationState.RESERVED

    async def test_a_submission_found_past_its_grace_is_declared_unknown_at_once(self, run):
        submitting = await run.submitting()
        run.clock.advance(run.policy.submit_grace + 1)
        assert not run.recover().in_flight(submitting)
        unknown = await run.recover()(submitting, run.progress(submitting))
        assert unknown.status is JobStatus.UNKNOWN_OUTCOME and run.clock.slept == []


class TestFollowTask:
    async def test_a_completed_task_moves_the_job_to_saving_with_the_providers_billed_seconds(self, run):
        processing = await run.processing(Outcome.succeed(after_polls=4, billed_seconds=4))
        saving = await run.follow()(processing, run.progress(processing))
        assert (saving.status, saving.output_url, saving.provider_billed_seconds) == (
            JobStatus.SAVING, "fake://fake-1/output.mp4", 4)
        assert saving.progress == 90 and saving.money_spent is True and await run.jobs.get(saving.id) == saving
        working = run.shown[:-1]
        assert working and working == sorted(working) and all(20 <= p <= 80 for p in working)
        assert run.shown[-1] == 90

    async def test_a_failed_task_fails_the_job_with_the_providers_error_and_frees_its_reservation(self, run):
        processing = await run.processing(Outcome.fail(ErrorCode.CONTENT_MODERATION, provider_code=1200,
                                                       message="flagged by moderation", after_polls=2))
        failed = await run.follow()(processing, run.progress(processing))
        assert (failed.status, failed.error.code, failed.error.provider_code, failed.money_spent) == (
            JobStatus.FAILED, ErrorCode.CONTENT_MODERATION, 1200, False)
        assert failed.error.message == "flagged by moderation" and run.reservation(failed) == ReservationState.RELEASED

    async def test_an_expired_task_fails_the_job_as_expired(self, run):
        processing = await run.processing(Outcome.expired())
        failed = await run.follow()(processing, run.progress(processing))
        assert failed.error.code == ErrorCode.PROVIDER_EXPIRED
        assert failed.error.message == "the provider timed out or deleted the task"

    async def test_a_task_still_running_at_the_deadline_leaves_the_job_processing_and_reserved(self, run):
        processing = await run.processing(Outcome.hang())
        with pytest.raises(JobNotFinishedError, match="still running at the provider"):
            await run.follow()(processing, run.progress(processing))
        stored = await run.jobs.get(processing.id)
        assert stored.status is JobStatus.PROCESSING and 20 <= stored.progress <= 80
        assert run.clock.monotonic() >= run.policy.deadline and run.reservation(stored) == ReservationState.RESERVED

    async def test_a_provider_unreadable_for_a_while_is_asked_again(self, run):
        processing = await run.processing(Outcome.succeed(after_polls=2))
        run.provider.fail_next("poll", ProviderUnavailableError("503 from the provider"), times=3)
        saving = await run.follow()(processing, run.progress(processing))
        assert saving.status is JobStatus.SAVING

    async def test_a_provider_unreadable_past_the_deadline_leaves_the_job_processing(self, run):
        processing = await run.processing()
        run.provider.fail_next("poll", ProviderUnavailableError("503 from the provider"), times=1000)
        with pytest.raises(JobNotFinishedError, match="could not be read"):
            await run.follow()(processing, run.progress(processing))
        assert (await run.jobs.get(processing.id)).status is JobStatus.PROCESSING

    @staticmethod
    async def cancel_while_following(run, processing, under_way) -> VideoJob:
        """Follow `processing`, cancel it once `under_way()` holds, and return the job the
        runner stopped on (it must stop: someone else changed the job)."""
        following = asyncio.create_task(run.follow()(processing, run.progress(processing)))
        for _ in range(1000):
            if await under_way():
                break
            await asyncio.sleep(0)
        cancelled = await run.jobs.get(processing.id)
        cancelled.cancel(run.clock.now())
        await run.jobs.save(cancelled)
        with pytest.raises(Superseded) as caught:
            await following
        return caught.value.job

    async def test_a_job_cancelled_between_polls_stops_the_runner(self, run):
        processing = await run.processing(Outcome.hang())

        async def polling() -> bool:
            return bool(run.provider.polls)

        stopped = await self.cancel_while_following(run, processing, polling)
        assert stopped.status is JobStatus.CANCELLED

    async def test_a_job_cancelled_while_the_providers_progress_stands_still_stops_the_runner(self, run):
        processing = await run.processing(Outcome.hang())  # time-based progress: 80 after 120 s, then flat

        async def at_eighty() -> bool:
            return (await run.jobs.get(processing.id)).progress == 80

        stopped = await self.cancel_while_following(run, processing, at_eighty)
        assert stopped.status is JobStatus.CANCELLED and run.clock.monotonic() < run.policy.deadline


class TestPollSpacing:
    """Waits between polls: spread by jitter so that jobs started together do not poll together,
    longer when the provider asks for it, and no read of the job between polls."""

    async def test_the_first_read_is_at_once_and_the_waits_are_spread_around_the_interval(self, run):
        processing = await run.processing(Outcome.succeed(after_polls=40))
        await run.follow()(processing, run.progress(processing))
        waits = run.clock.slept
        assert len(waits) == 39 and run.provider.polls[processing.provider_job_id] == 40  # no wait before the first
        low, high = run.policy.interval * (1 - run.policy.jitter), run.policy.interval * (1 + run.policy.jitter)
        assert all(low <= w <= high for w in waits)
        assert max(waits) - min(waits) > run.policy.interval * run.policy.jitter  # spread, not one beat

    @pytest.mark.parametrize(("hint", "low", "high"), [(10.0, 8.0, 12.0), (0.5, 1.6, 2.4), (500.0, 48.0, 72.0)])
    async def test_the_providers_hint_sets_the_wait_within_the_interval_and_the_longest_wait(
            self, run, hint, low, high):
        run.policy = PollPolicy(interval=2.0, deadline=600.0, longest_wait=60.0)
        run.__post_init__()
        processing = await run.processing(replace(Outcome.succeed(after_polls=5), poll_after=hint))
        await run.follow()(processing, run.progress(processing))
        assert len(run.clock.slept) == 4 and all(low <= w <= high for w in run.clock.slept)

    async def test_while_the_progress_stands_still_only_the_version_is_read_and_only_every_recheck(self, run):
        run.policy = PollPolicy(interval=1.0, deadline=60.0, expected=1e9, jitter=0.0, recheck=15.0)
        run.__post_init__()
        processing = await run.processing(Outcome.hang())  # time-based progress that never moves here
        reads = {"get": 0, "version": 0}
        for name in reads:
            real = getattr(run.jobs, name)

            async def counted(job_id, real=real, name=name):
                reads[name] += 1
                return await real(job_id)

            setattr(run.jobs, name, counted)
        with pytest.raises(JobNotFinishedError):
            await run.follow()(processing, run.progress(processing))
        assert run.provider.polls[processing.provider_job_id] == 61
        assert reads == {"get": 0, "version": 4}  # at 15, 30, 45 and 60 s


    async def test_progress_is_saved_when_it_moved_by_the_step_not_at_every_poll(self, run):
        run.policy = PollPolicy(interval=1.0, deadline=130.0, expected=120.0, jitter=0.0)
        run.__post_init__()
        processing = await run.processing(Outcome.hang())  # time-based: 20 -> 80 over 120 s
        with pytest.raises(JobNotFinishedError):
            await run.follow()(processing, run.progress(processing))
        assert run.provider.polls[processing.provider_job_id] == 131
        assert run.shown == list(range(20, 81, 5))  # 13 saves, each shown, instead of 60


class TestDeliverOutput:
    async def test_the_output_is_stored_filed_metered_and_settled_at_the_actual_cost(self, run):
        saving = await run.saving(billed_seconds=4)
        done = await run.deliver()(saving, run.progress(saving))
        assert (done.status, done.progress, done.actual_cost) == (JobStatus.COMPLETED, 100, Cost("0.16"))
        assert await run.jobs.get(done.id) == done and run.shown == [100]
        asset = await run.assets.get(done.asset_id)
        assert asset.job_id == done.id and asset.cost == Cost("0.16") and run.videos() == [asset.storage_key]
        assert asset.thumbnail_key in run.storage.objects and (asset.width, asset.height) == (1280, 720)
        [record] = run.usage.events.values()
        assert (record.job_id, record.cost, record.billed_seconds) == (done.id, Cost("0.16"), 4.0)
        reservation = run.quota.reservations[done.id]
        assert reservation.state == ReservationState.SETTLED and reservation.actual == Cost("0.16")

    async def test_without_the_providers_billed_seconds_the_estimate_is_settled(self, run):
        saving = await run.saving(billed_seconds=None)
        done = await run.deliver()(saving, run.progress(saving))
        assert done.actual_cost == saving.estimated_cost == run.quota.reservations[done.id].actual

    async def test_delivering_again_after_a_crash_writes_everything_once(self, run):
        saving = await run.saving()
        run.usage.fail_next("record", Crash())
        with pytest.raises(Crash):
            await run.deliver()(saving, run.progress(saving))
        again = await run.jobs.get(saving.id)
        assert again.status is JobStatus.SAVING
        done = await run.deliver()(again, run.progress(again))
        assert done.status is JobStatus.COMPLETED
        assert len(run.assets.assets) == 1 and len(run.usage.events) == 1 and len(run.videos()) == 1

    async def test_an_output_that_is_not_a_video_is_not_kept_and_the_job_says_it_was_paid(self, run):
        saving = await run.saving(Outcome.garbage())
        failed = await run.deliver()(saving, run.progress(saving))
        assert (failed.status, failed.error.code, failed.money_spent) == (
            JobStatus.FAILED, ErrorCode.OUTPUT_INVALID, True)
        assert run.storage.objects == {} and run.assets.assets == {} and run.usage.events == {}
        assert run.reservation(failed) == ReservationState.RELEASED

    async def test_an_output_that_can_never_be_fetched_fails_the_job_as_paid(self, run):
        saving = await run.saving()
        run.provider.fail_next("stream_output", ProviderOutputError("410 gone"))
        failed = await run.deliver()(saving, run.progress(saving))
        assert failed.error.message == "the output could not be fetched: 410 gone" and failed.money_spent is True
        assert run.reservation(failed) == ReservationState.RELEASED

    async def test_a_download_breaking_off_leaves_the_job_saving_and_reserved(self, run):
        saving = await run.saving(Outcome.truncated())
        with pytest.raises(JobNotFinishedError, match="could not be fetched yet"):
            await run.deliver()(saving, run.progress(saving))
        assert (await run.jobs.get(saving.id)).status is JobStatus.SAVING and run.storage.objects == {}
        assert run.reservation(saving) == ReservationState.RESERVED

    async def test_an_output_over_the_storage_cap_fails_the_job_as_paid(self, run):
        saving = await run.saving()
        run.storage.max_bytes = 50
        failed = await run.deliver()(saving, run.progress(saving))
        assert (failed.error.code, failed.money_spent) == (ErrorCode.STORAGE_FAILED, True)
        assert run.storage.objects == {} and run.reservation(failed) == ReservationState.RELEASED

    async def test_a_video_without_a_poster_frame_is_still_delivered(self, run):
        saving = await run.saving()
        run.probe.fail_next("thumbnail", InvalidMediaError("no decodable frame"))
        done = await run.deliver()(saving, run.progress(saving))
        assert done.status is JobStatus.COMPLETED
        assert (await run.assets.get(done.asset_id)).thumbnail_key is None

    async def test_a_job_another_runner_is_saving_is_not_downloaded_again(self, run):
        saving = await run.saving()
        await run.jobs.lease(saving.id, "another-runner", run.clock.now(), later_by(run, 60))
        with pytest.raises(SavingElsewhere):
            await run.deliver()(saving, run.progress(saving))
        assert run.storage.objects == {} and (await run.jobs.get(saving.id)).status is JobStatus.SAVING
        assert run.jobs.leases[saving.id][0] == "another-runner"  # not taken, not released

    async def test_a_save_that_did_not_finish_gives_its_lease_up(self, run):
        saving = await run.saving(Outcome.truncated())
        with pytest.raises(JobNotFinishedError):
            await run.deliver()(saving, run.progress(saving))
        assert saving.id not in run.jobs.leases  # the next runner need not wait for it to run out

    async def test_a_lease_whose_runner_died_is_taken_over_once_it_runs_out(self, run):
        saving = await run.saving()
        await run.jobs.lease(saving.id, "killed-runner", run.clock.now(), later_by(run, run.policy.save_lease))
        runner = RunJob(run.jobs, run.providers, run.catalog, run.storage, run.probe, run.assets, run.usage,
                        run.quota, run.clock, run.policy)
        started = run.clock.now()
        done = await runner(saving.id)
        assert done.status is JobStatus.COMPLETED and len(run.videos()) == 1
        waited = (run.clock.now() - started).total_seconds()
        assert run.policy.save_lease <= waited <= run.policy.save_lease + 2 * run.policy.interval
        assert run.jobs.leases[saving.id][0] != "killed-runner"

    async def test_the_lease_is_renewed_while_saving_and_a_lost_one_stops_the_save(self, run):
        saving = await run.saving()
        lease = await run.keeper.take_lease(saving)
        run.clock.advance(run.policy.save_lease / 2)
        await run.keeper.renew(lease, saving)
        assert run.jobs.leases[saving.id] == (lease.owner, later_by(run, run.policy.save_lease))
        run.jobs.leases[saving.id] = ("a-runner-that-took-over", later_by(run, 60))
        run.clock.advance(run.policy.save_lease / 2)
        with pytest.raises(SavingElsewhere):
            await run.keeper.renew(lease, saving)


def later_by(run: Run, seconds: float):
    from datetime import timedelta

    return run.clock.now() + timedelta(seconds=seconds)


class TestJobKeeper:
    async def test_a_runner_that_loses_a_save_is_handed_the_stored_job(self, run):
        pending = await run.pending()
        other = await run.jobs.get(pending.id)
        other.cancel(run.clock.now())
        await run.jobs.save(other)
        pending.start_submission(run.clock.now())
        with pytest.raises(Superseded) as caught:
            await run.keeper.store(pending)
        assert caught.value.job.status is JobStatus.CANCELLED

    async def test_a_superseded_runner_watches_the_job_to_its_end(self, run):
        processing = await run.processing(Outcome.succeed(after_polls=3))
        watching = asyncio.create_task(run.keeper.watch(processing))
        saving = await run.follow()(await run.jobs.get(processing.id), run.progress(processing))
        await run.deliver()(saving, run.progress(saving))
        assert (await watching).status is JobStatus.COMPLETED

    async def test_watching_a_job_nobody_finishes_gives_up_at_the_deadline(self, run):
        processing = await run.processing(Outcome.hang())
        with pytest.raises(JobNotFinishedError, match="another runner is still driving it"):
            await run.keeper.watch(processing)
