from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Mapping

from videoforge.application.ports.clock import Clock
from videoforge.application.ports.provider import (
    ProviderError,
    ProviderOutcomeUnknownError,
    ProviderRejectedError,
    ProviderTask,
    SentSubmission,
    SubmissionHistory,
    VideoProvider,
)
from videoforge.application.progress import ProgressReporter
from videoforge.application.sources import InputSource
from videoforge.application.use_cases.run.fallback import FallBack
from videoforge.application.use_cases.run.keeper import JobKeeper, Superseded
from videoforge.application.use_cases.run.policy import PollPolicy
from videoforge.application.use_cases.run.settle import SettleSubmission
from videoforge.domain.catalog import ModelCatalog
from videoforge.domain.job import AttemptOutcome, VideoJob
from videoforge.domain.outcome import Failure, cannot_submit

log = logging.getLogger("videoforge.run")


class SubmitJob:
    """pending -> processing. The intent (`submitting`) is recorded before the request goes out,
    the request goes out once, and its answer is recorded even if the runner is stopped meanwhile.
    A provider that refuses for now (busy, rate-limited: nothing created) is asked again later:
    the job goes back to pending and waits interval x 2^n first. An answer that proves nothing
    (a task may exist) is settled by the provider's history where it has one (`SettleSubmission`),
    else left `unknown_outcome` for a person. A provider that
    refuses outright hands the job to the next provider of its family's fallback list, if any."""

    def __init__(self, keeper: JobKeeper, providers: Mapping[str, VideoProvider], catalog: ModelCatalog,
                 clock: Clock, policy: PollPolicy, fallback: FallBack):
        self._keeper, self._providers, self._catalog = keeper, providers, catalog
        self._clock, self._policy, self._fallback = clock, policy, fallback
        self._settle = SettleSubmission(keeper, clock, policy)

    async def __call__(self, job: VideoJob, progress: ProgressReporter) -> VideoJob:
        provider = self._providers.get(job.provider)
        if failure := cannot_submit(job, provider_configured=provider is not None):
            return await self._keeper.fail(job, failure)
        job = await self._wait_turn(job)
        spec = self._catalog.plan(job.request).render_spec()
        records = isinstance(provider, SubmissionHistory)  # such an adapter announces what it sends
        job.start_submission(self._clock.now(), sends_recorded=records)
        job = await self._keeper.store(job)  # the intent is durable before the request goes out
        sending = _SentRecorder(self._keeper, self._clock, job)  # what is sent, durable before it leaves
        task = ProviderTask(job.id, spec, {kind: InputSource(m) for kind, m in job.request.inputs.items()},
                            before_sending=sending if records else None)
        asked_at = self._clock.now()
        try:
            job = await _shielded(self._send(sending, provider, task))
        except _Unclear as unclear:  # not shielded: a stop meanwhile leaves it to RecoverSubmission
            job = await self._settle(sending.job, unclear.history, unclear.sent, asked_at, unclear.reason)
        await progress.show(job)
        return job

    async def _wait_turn(self, job: VideoJob) -> VideoJob:
        """A job the provider refused for now waits before its next attempt (a cancel meanwhile stops it)."""
        if delay := self._policy.resubmission_delay(job.submit_deferrals):
            await self._clock.sleep(delay)
            job = await self._keeper.current(job)
        return job

    async def _send(self, sending: _SentRecorder, provider: VideoProvider, task: ProviderTask) -> VideoJob:
        try:
            provider_job_id = await provider.submit(task)
        except ProviderOutcomeUnknownError as e:
            job = sending.job  # a task may exist and be billed: never sent again blindly
            if e.sent is not None and isinstance(provider, SubmissionHistory):
                raise _Unclear(provider, e.sent, str(e)) from e
            job.mark_outcome_unknown(self._clock.now(), str(e))
            return await self._keeper.store(job)
        except ProviderError as e:
            return await self._refused(sending.job, e)
        job = sending.job
        job.mark_submitted(provider_job_id, self._clock.now())
        try:
            return await self._keeper.store(job)
        except Superseded as lost:
            return await self._keep_provider_id(lost.job, provider_job_id)

    async def _refused(self, job: VideoJob, e: ProviderError) -> VideoJob:
        if isinstance(e, ProviderRejectedError) and e.retryable and self._policy.may_defer(job.submit_deferrals):
            job.defer_submission(self._clock.now(), str(e))
            return await self._keeper.store(job)
        moved = await self._fallback(job, AttemptOutcome.REFUSED)  # a refusal proves nothing was created
        return moved or await self._keeper.fail(job, Failure.refused(e.code, str(e), e.provider_code))

    async def _keep_provider_id(self, fresh: VideoJob, provider_job_id: str) -> VideoJob:
        """Someone judged this submission lost meanwhile; the task exists, so its id is kept."""
        if fresh.provider_job_id == provider_job_id:
            return fresh
        if fresh.reconcilable:
            fresh.reconcile(provider_job_id, self._clock.now())
            return await self._keeper.store(fresh)
        log.error("job %s: provider task %s could not be recorded (job is %s)", fresh.id, provider_job_id,
                  fresh.status.value)
        raise Superseded(fresh)


class _SentRecorder:
    """`ProviderTask.before_sending`: records on the job what its submission is about to send,
    and keeps the job as last saved."""

    def __init__(self, keeper: JobKeeper, clock: Clock, job: VideoJob):
        self._keeper, self._clock, self.job = keeper, clock, job

    async def __call__(self, sent: SentSubmission) -> None:
        job = self.job.copy()
        job.record_sent(sent, self._clock.now())
        self.job = await self._keeper.store(job)


class _Unclear(Exception):
    """The submit's answer proved nothing, and the provider's history can tell."""

    def __init__(self, history: SubmissionHistory, sent: SentSubmission, reason: str):
        super().__init__(reason)
        self.history, self.sent, self.reason = history, sent, reason


async def _shielded(sending: Awaitable[VideoJob]) -> VideoJob:
    """Runs the submission to its end even when the runner is stopped meanwhile (a shutdown must
    not cut between the provider's answer and recording it), then lets the stop through."""
    task = asyncio.ensure_future(sending)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        await task
        raise
