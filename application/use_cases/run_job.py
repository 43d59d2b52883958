from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from application.errors import JobNotFinishedError
from application.ports.assets import AssetLibrary
from application.ports.clock import Clock
from application.ports.jobs import ConcurrentUpdateError, JobRepository
from application.ports.probe import InvalidMediaError, MediaProbe
from application.ports.provider import (
    ProviderError,
    ProviderOutcomeUnknownError,
    ProviderOutput,
    ProviderState,
    ProviderTask,
    ProviderUnavailableError,
    VideoProvider,
)
from application.ports.quota import QuotaGuard
from application.ports.storage import InvalidKeyError, Storage, StorageError, StorageLimitError
from application.ports.usage import UsageMeter
from application.progress import DONE, SAVING, SUBMITTED, ProgressCallback, notify, working_percent
from application.sources import InputSource, StoredSource, one_chunk
from application.use_cases.submit import new_id
from domain.catalog import ModelCatalog
from domain.job import ErrorCode, JobError, Step, VideoJob
from domain.keys import thumbnail_key, video_key
from domain.media import MediaKind
from domain.quota import billing_period
from domain.records import Asset, UsageRecord

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
        try:
            while job.next_step is not Step.NONE:
                job = await steps[job.next_step](job, progress)
        except _Superseded as superseded:
            return superseded.job
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
        plan = self._catalog.plan(job.request)
        task = ProviderTask(job.id, job.model, plan.provider_parameters(),
                            {kind.value: InputSource(m) for kind, m in job.request.inputs.items()})
        job.start_submission(self._clock.now())
        job = await self._store(job)  # the intent is durable before the request goes out
        try:
            provider_job_id = await provider.submit(task)
        except ProviderOutcomeUnknownError as e:
            job.mark_outcome_unknown(self._clock.now(), str(e))
            return await self._store(job)
        except ProviderError as e:
            return await self._fail(job, JobError(e.code, f"the provider refused the request: {e}",
                                                  provider_code=e.provider_code), money_spent=False)
        job.mark_submitted(provider_job_id, self._clock.now())
        job = await self._store(job)
        await notify(progress, SUBMITTED, job.message)
        return job

    async def _recover_submission(self, job: VideoJob, progress: ProgressCallback | None) -> VideoJob:
        job.mark_outcome_unknown(self._clock.now(), "interrupted while submitting")
        return await self._store(job)

    async def _follow(self, job: VideoJob, progress: ProgressCallback | None) -> VideoJob:
        provider = self._providers[job.provider]
        started = self._clock.monotonic()
        while True:
            try:
                status = await provider.poll(job.provider_job_id)
            except ProviderUnavailableError as e:
                raise JobNotFinishedError(job, f"the provider could not be read: {e}") from e
            if status.state is ProviderState.COMPLETED and status.output is not None:
                job.metadata["provider_billed_seconds"] = status.billed_seconds
                job.start_saving(status.output.url, self._clock.now())
                job = await self._store(job)
                await notify(progress, SAVING, job.message)
                return job
            if status.finished:
                code, default = _PROVIDER_END.get(status.state, (ErrorCode.TASK_FAILED, "no output was returned"))
                error = JobError(status.error_code or code, status.error_message or default,
                                 provider_code=status.provider_code)
                return await self._fail(job, error, money_spent=False)
            elapsed = self._clock.monotonic() - started
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
        reported = job.metadata.get("provider_billed_seconds")
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
        await self._usage.record(UsageRecord(
            job_id=job.id, user_id=job.user_id, period=billing_period(job.created_at), provider=job.provider,
            model=job.model, operation=job.request.operation.value, cost=actual,
            billed_seconds=float(reported or job.billed_seconds),
            response_time=(now - job.created_at).total_seconds(), created_at=now,
            source_module=job.request.source_module,
            request_size=len((job.request.prompt or "").encode()) + sum(m.size for m in job.request.inputs.values()),
            response_size=stored.size,
        ))
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
        job.fail(error, self._clock.now(), money_spent=money_spent)
        job = await self._store(job)
        await self._quota.release(job.id)
        return job

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
