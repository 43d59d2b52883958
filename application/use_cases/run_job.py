from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from videoforge.application.errors import JobNotFinishedError
from videoforge.application.ports.assets import AssetLibrary
from videoforge.application.ports.clock import Clock
from videoforge.application.ports.jobs import ConcurrentUpdateError, JobRepository
from videoforge.application.ports.probe import InvalidMediaError, MediaProbe
from videoforge.application.ports.provider import (
    ProviderError,
    ProviderOutcomeUnknownError,
    ProviderOutput,
    ProviderRejectedError,
    ProviderState,
    ProviderTask,
    ProviderUnavailableError,
    VideoProvider,
)
from videoforge.application.ports.quota import QuotaGuard
from videoforge.application.ports.storage import InvalidKeyError, Storage, StorageError, StorageLimitError
from videoforge.application.ports.usage import UsageMeter
from videoforge.application.progress import DONE, SAVING, SUBMITTED, ProgressCallback, notify, working_percent
from videoforge.application.sources import InputSource, StoredSource, one_chunk
from videoforge.application.use_cases.submit import new_id
from videoforge.domain.catalog import ModelCatalog
from videoforge.domain.job import ErrorCode, JobError, JobStatus, Step, VideoJob
from videoforge.domain.keys import thumbnail_key, video_key
from videoforge.domain.media import MediaKind
from videoforge.domain.quota import billing_period
from videoforge.domain.records import Asset, UsageRecord

log = logging.getLogger("videoforge.run")

_PROVIDER_END = {
    ProviderState.CANCELLED: (ErrorCode.PROVIDER_CANCELLED, "the provider cancelled the task"),
    ProviderState.EXPIRED: (ErrorCode.PROVIDER_EXPIRED, "the provider timed out or deleted the task"),
    ProviderState.FAILED: (ErrorCode.TASK_FAILED, "the provider could not generate the video"),
}


@dataclass(frozen=True, slots=True)
class PollPolicy:
    interval: float = 3.0  # seconds between polls
    deadline: float = 1800.0  # seconds of following before giving up for now (the job stays resumable)
    expected: float = 120.0  # seconds a video usually takes, for time-based progress
    # How long a submission may take before a job found in `submitting` is taken for crashed
    # (longer than the provider's submit timeout, uploads included).
    submit_grace: float = 900.0
    # A submission the provider refused for now (429, busy, unreachable: nothing created) is tried
    # again this many times, waiting interval x 2^n, before the job fails.
    submit_retries: int = 4


class _Superseded(Exception):
    """Someone else saved the job meanwhile (a cancel, another worker): stop driving it."""

    def __init__(self, job: VideoJob):
        self.job = job


class RunJob:
    """Drives a job to its end: submit, follow, save, record. Safe to call again on a job that
    was interrupted at any point: it continues from the job's state and never submits twice."""

    def __init__(self, jobs: JobRepository, providers: Mapping[str, VideoProvider], catalog: ModelCatalog,
                 storage: Storage, probe: MediaProbe, assets: AssetLibrary, usage: UsageMeter,
                 quota: QuotaGuard, clock: Clock, policy: PollPolicy | None = None):
        self._jobs, self._providers, self._catalog = jobs, providers, catalog
        self._storage, self._probe, self._assets = storage, probe, assets
        self._usage, self._quota, self._clock = usage, quota, clock
        self._policy = policy or PollPolicy()

    async def __call__(self, job_id: str, progress: ProgressCallback | None = None) -> VideoJob:
        job = await self._jobs.get(job_id)
        steps = {Step.SUBMIT: self._submit, Step.RECOVER_SUBMISSION: self._recover_submission,
                 Step.FOLLOW: self._follow, Step.SAVE: self._save_output}
        while job.next_step is not Step.NONE:
            try:
                job = await steps[job.next_step](job, progress)
            except _Superseded as superseded:
                return await self._watch(superseded.job)
        return job

    def in_flight(self, job: VideoJob) -> bool:
        """Whether a job in `submitting` may still be waiting for the provider's answer elsewhere."""
        return (job.next_step is Step.RECOVER_SUBMISSION
                and (self._clock.now() - job.updated_at).total_seconds() < self._policy.submit_grace)

    async def _watch(self, job: VideoJob) -> VideoJob:
        """Another runner (a worker, a repeated request, a resume) drives this job: wait for it
        to end instead of racing it, up to the deadline."""
        started = self._clock.monotonic()
        while job.next_step is not Step.NONE:
            if self._clock.monotonic() - started >= self._policy.deadline:
                raise JobNotFinishedError(job, "another runner is still driving it")
            await self._clock.sleep(self._policy.interval)
            job = await self._jobs.get(job.id)
        return job

    async def _submit(self, job: VideoJob, progress: ProgressCallback | None) -> VideoJob:
        provider = self._providers.get(job.provider)
        if provider is None:
            return await self._fail(job, JobError(ErrorCode.PROVIDER_UNAVAILABLE,
                                                  f"provider {job.provider} is not configured"), money_spent=False)
        if lost := job.request.inputs_not_kept:
            names = " and ".join(kind.value for kind in lost)
            return await self._fail(job, JobError(
                ErrorCode.INPUT_NOT_KEPT,
                f"the {names} input was given in memory and was not kept across a restart, so the job was never "
                f"submitted; send the request again (inputs given by file path survive restarts)"),
                money_spent=False)
        if job.submit_deferrals:
            await self._clock.sleep(self._policy.interval * 2 ** (job.submit_deferrals - 1))
            job = await self._current(job)
        plan = self._catalog.plan(job.request)
        task = ProviderTask(job.id, job.model, plan.provider_parameters(),
                            {kind.value: InputSource(m) for kind, m in job.request.inputs.items()},
                            inline_images=plan.spec.inline_images)
        job.start_submission(self._clock.now())
        job = await self._store(job)  # the intent is durable before the request goes out
        # Shielded: a shutdown must not cut between the provider's answer and recording it.
        sending = asyncio.ensure_future(self._send(job, provider, task))
        try:
            job = await asyncio.shield(sending)
        except asyncio.CancelledError:
            await sending
            raise
        if job.status is JobStatus.PROCESSING:
            await notify(progress, SUBMITTED, job.message)
        return job

    async def _send(self, job: VideoJob, provider: VideoProvider, task: ProviderTask) -> VideoJob:
        try:
            provider_job_id = await provider.submit(task)
        except ProviderOutcomeUnknownError as e:
            job.mark_outcome_unknown(self._clock.now(), str(e))
            return await self._store(job)
        except ProviderRejectedError as e:
            if e.retryable and job.submit_deferrals < self._policy.submit_retries:
                job.defer_submission(self._clock.now(), str(e))
                return await self._store(job)
            return await self._fail(job, JobError(e.code, f"the provider refused the request: {e}",
                                                  provider_code=e.provider_code), money_spent=False)
        except ProviderError as e:
            return await self._fail(job, JobError(e.code, f"the provider refused the request: {e}",
                                                  provider_code=e.provider_code), money_spent=False)
        job.mark_submitted(provider_job_id, self._clock.now())
        try:
            return await self._jobs.save(job)
        except ConcurrentUpdateError:
            return await self._keep_provider_id(job.id, provider_job_id)

    async def _keep_provider_id(self, job_id: str, provider_job_id: str) -> VideoJob:
        """Someone judged this submission lost meanwhile; the task exists, so the id is kept."""
        fresh = await self._jobs.get(job_id)
        if fresh.provider_job_id == provider_job_id:
            return fresh
        if fresh.status is JobStatus.UNKNOWN_OUTCOME:
            fresh.reconcile(provider_job_id, self._clock.now())
            return await self._store(fresh)
        log.error("job %s: provider task %s could not be recorded (job is %s)", job_id, provider_job_id,
                  fresh.status.value)
        raise _Superseded(fresh)

    async def _recover_submission(self, job: VideoJob, progress: ProgressCallback | None) -> VideoJob:
        """Found in `submitting`: another runner may still be waiting for the provider's answer.
        Only once the grace has passed is the outcome declared unknown (never resubmitted)."""
        while self.in_flight(job):
            await self._clock.sleep(self._policy.interval)
            fresh = await self._jobs.get(job.id)
            if fresh.version != job.version:
                return fresh
        job.mark_outcome_unknown(self._clock.now(), "interrupted while submitting")
        return await self._store(job)

    async def _follow(self, job: VideoJob, progress: ProgressCallback | None) -> VideoJob:
        provider = self._providers[job.provider]
        started = self._clock.monotonic()
        while True:
            elapsed = self._clock.monotonic() - started
            try:
                status = await provider.poll(job.provider_job_id)
            except ProviderUnavailableError as e:  # the task goes on at the provider: keep asking
                if elapsed >= self._policy.deadline:
                    raise JobNotFinishedError(job, f"the provider could not be read: {e}") from e
                log.warning("job %s: provider unreadable, retrying: %s", job.id, e)
                await self._clock.sleep(self._policy.interval)
                continue
            if status.state is ProviderState.COMPLETED and status.output is not None:
                job.start_saving(status.output.url, self._clock.now(), billed_seconds=status.billed_seconds)
                job = await self._store(job)
                await notify(progress, SAVING, job.message)
                return job
            if status.finished:
                code, default = _PROVIDER_END.get(status.state, (ErrorCode.OUTPUT_INVALID, "no output was returned"))
                error = JobError(status.error_code or code, status.error_message or default,
                                 provider_code=status.provider_code)
                # A task that completed without an output was still billed.
                return await self._fail(job, error, money_spent=status.state is ProviderState.COMPLETED)
            fraction = status.progress if status.progress is not None else elapsed / self._policy.expected
            percent = working_percent(fraction)
            if percent != job.progress or job.progress < SUBMITTED:
                job.report_progress(percent, f"Video generation in progress... ({elapsed:.0f}s)", self._clock.now())
                job = await self._store(job)
                await notify(progress, percent, job.message)
            else:
                job = await self._current(job)
            if elapsed >= self._policy.deadline:
                raise JobNotFinishedError(job, f"still running at the provider after {elapsed:.0f} s")
            await self._clock.sleep(self._policy.interval)

    async def _save_output(self, job: VideoJob, progress: ProgressCallback | None) -> VideoJob:
        provider = self._providers[job.provider]
        key = video_key(job.user_id, job.created_at, job.id)
        try:
            stored = await self._storage.save(key, provider.stream_output(ProviderOutput(job.output_url)),
                                              "video/mp4")
        except ProviderError as e:
            if e.retryable:  # the provider keeps outputs for days: resuming fetches it again
                raise JobNotFinishedError(job, f"the output could not be fetched yet: {e}") from e
            return await self._fail(job, JobError(ErrorCode.OUTPUT_INVALID, f"the output could not be fetched: {e}"),
                                    money_spent=True)
        except (StorageLimitError, InvalidKeyError) as e:
            return await self._fail(job, JobError(ErrorCode.STORAGE_FAILED, f"the video cannot be stored: {e}"),
                                    money_spent=True)
        except StorageError as e:  # transient (disk, network): the paid output is fetched again on resume
            raise JobNotFinishedError(job, f"the video could not be saved yet: {e}") from e
        source = StoredSource(self._storage, stored)
        try:
            info = await self._probe.probe(source, MediaKind.VIDEO)
        except InvalidMediaError as e:
            await self._storage.delete(key)
            return await self._fail(job, JobError(ErrorCode.OUTPUT_INVALID,
                                                  f"the provider's output is not a playable video: {e}"),
                                    money_spent=True)
        thumb = await self._thumbnail(job, source)
        spec = self._catalog.get(job.model)
        reported = job.provider_billed_seconds
        actual = spec.estimate(job.request.resolution, reported) if reported else job.estimated_cost
        now = self._clock.now()
        asset = await self._assets.add(Asset(
            id=new_id(), user_id=job.user_id, job_id=job.id, source_module=job.request.source_module,
            storage_key=stored.key, file_url=await self._storage.url(stored.key),
            filename=stored.key.rsplit("/", 1)[-1], file_size=stored.size, sha256=stored.sha256,
            mime_type=stored.content_type, operation=job.request.operation.value, provider=job.provider,
            model=job.model, cost=actual, created_at=now, prompt=job.request.prompt, duration=info.duration,
            width=info.width, height=info.height, fps=info.fps, codec=info.codec, has_audio=info.has_audio,
            thumbnail_key=thumb, generation_time=(now - job.created_at).total_seconds(),
            title=(job.request.prompt or job.request.operation.value)[:80],
            tags=(job.request.source_module, job.request.operation.value, job.request.resolution or ""),
            metadata={"resolution": job.request.resolution, "duration": info.duration,
                      "operation": job.request.operation.value, "width": info.width, "height": info.height,
                      "provider_job_id": job.provider_job_id},
        ))
        await self._usage.record(self._usage_record(job, actual, reported or job.billed_seconds, stored.size))
        await self._quota.settle(job.id, actual)
        job.complete(asset.id, actual, self._clock.now())
        job = await self._store(job)
        await notify(progress, DONE, job.message)
        return job

    async def _thumbnail(self, job: VideoJob, source: StoredSource) -> str | None:
        """A poster frame; a video without one is still delivered."""
        try:
            data = await self._probe.thumbnail(source)
            key = thumbnail_key(job.user_id, job.created_at, job.id)
            await self._storage.save(key, one_chunk(data), "image/jpeg")
            return key
        except (InvalidMediaError, StorageError) as e:
            log.warning("job %s: no thumbnail: %s", job.id, e)
            return None

    async def _fail(self, job: VideoJob, error: JobError, *, money_spent: bool) -> VideoJob:
        """Every failure releases the reservation and records no usage: the user got no video.
        When the provider billed anyway (a broken output, one too large to keep), the job says
        so (`money_spent`), for the platform's own reconciliation of provider invoices."""
        job.fail(error, self._clock.now(), money_spent=money_spent)
        job = await self._store(job)
        await self._quota.release(job.id)
        return job

    def _usage_record(self, job: VideoJob, cost, billed_seconds: float, response_size: int) -> UsageRecord:
        now = self._clock.now()
        return UsageRecord(
            job_id=job.id, user_id=job.user_id, period=billing_period(job.created_at), provider=job.provider,
            model=job.model, operation=job.request.operation.value, cost=cost, billed_seconds=float(billed_seconds),
            response_time=(now - job.created_at).total_seconds(), created_at=now,
            source_module=job.request.source_module,
            request_size=len((job.request.prompt or "").encode()) + sum(m.size for m in job.request.inputs.values()),
            response_size=response_size)

    async def _store(self, job: VideoJob) -> VideoJob:
        try:
            return await self._jobs.save(job)
        except ConcurrentUpdateError:
            raise _Superseded(await self._jobs.get(job.id)) from None

    async def _current(self, job: VideoJob) -> VideoJob:
        """Re-read the job between polls, to stop when someone else (a cancel) changed it."""
        fresh = await self._jobs.get(job.id)
        if fresh.version != job.version:
            raise _Superseded(fresh)
        return job
