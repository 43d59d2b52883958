from __future__ import annotations

import logging
import random
from collections.abc import Mapping

from videoforge.application.errors import JobNotFinishedError
from videoforge.application.ports.clock import Clock
from videoforge.application.ports.provider import ProviderStatus, ProviderUnavailableError, VideoProvider
from videoforge.application.progress import (
    WORKING_FROM,
    WORKING_TO,
    ProgressReporter,
    queued_message,
    queued_percent,
    working_message,
    working_percent,
)
from videoforge.application.use_cases.run.fallback import FallBack
from videoforge.application.use_cases.run.keeper import JobKeeper
from videoforge.application.use_cases.run.policy import PollPolicy
from videoforge.domain.job import VideoJob
from videoforge.domain.outcome import ProviderState, ended_without_output, uncharged_end

log = logging.getLogger("videoforge.run")


class FollowTask:
    """processing -> saving: the provider's task is polled until it ends, its progress recorded
    (10-19 by its place while queued; 20-80 while it works, the provider's own figure where it
    gives one, else by time; the provider's queue position or latest log line as the message).
    A task that ends without an output fails the job, unless the provider aborted it or let it
    expire and shows it charged nothing: then the family's next provider, if any, gets the job.
    One still running at the deadline leaves it processing, resumable.

    The first read is at once; the next ones wait the interval (or the provider's hint, when it
    asks for longer), spread by the policy's jitter. Between polls the job is not read again: a
    save of its progress would meet anyone else's change, and while its progress stands still
    only its version is checked, at most every `policy.recheck` seconds."""

    def __init__(self, keeper: JobKeeper, providers: Mapping[str, VideoProvider], clock: Clock,
                 policy: PollPolicy, fallback: FallBack):
        self._keeper, self._providers, self._clock, self._policy = keeper, providers, clock, policy
        self._fallback = fallback

    async def __call__(self, job: VideoJob, progress: ProgressReporter) -> VideoJob:
        provider = self._providers[job.provider]
        started = checked = self._clock.monotonic()
        while True:
            elapsed = self._clock.monotonic() - started
            hint = None
            try:
                status = await provider.poll(job.provider_job_id)
            except ProviderUnavailableError as e:  # the task goes on at the provider: keep asking
                if elapsed >= self._policy.deadline:
                    raise JobNotFinishedError(job, f"the provider could not be read: {e}") from e
                log.warning("job %s: provider unreadable, retrying: %s", job.id, e)
            else:
                if status.finished:
                    return await self._ended(job, status, progress)
                job, checked = await self._working(job, status, elapsed, progress, checked)
                if elapsed >= self._policy.deadline:
                    return await self._timed_out(job, status, provider, elapsed)
                hint = status.poll_after
            await self._clock.sleep(self._policy.poll_wait(hint, random.random()))  # spread, not secrecy

    async def _ended(self, job: VideoJob, status: ProviderStatus, progress: ProgressReporter) -> VideoJob:
        if status.state is not ProviderState.COMPLETED or status.output is None:
            outcome = uncharged_end(status.state, charged=status.charged)
            if outcome is not None and (moved := await self._fallback(await self._keeper.current(job), outcome)):
                await progress.show(moved)
                return moved
            return await self._keeper.fail(job, ended_without_output(
                status.state, error_code=status.error_code, error_message=status.error_message,
                provider_code=status.provider_code))
        job.start_saving(status.output.url, self._clock.now(), billed_seconds=status.billed_seconds)
        job = await self._keeper.store(job)
        await progress.show(job)
        return job

    async def _working(self, job: VideoJob, status: ProviderStatus, elapsed: float, progress: ProgressReporter,
                       checked: float) -> tuple[VideoJob, float]:
        """The job with its progress recorded, and when it was last saved or checked. A figure of
        ours (by time) is saved when it moved by `progress_step` points, or entered or reached the
        end of the working range; the provider's word (queue position, log line) when it changed."""
        if status.state is ProviderState.QUEUED and status.queue_position is not None:
            percent, message = queued_percent(status.queue_position), queued_message(status.queue_position)
        else:
            fraction = status.progress if status.progress is not None else elapsed / self._policy.expected
            percent, message = working_percent(fraction), working_message(status.detail, elapsed)
        told = status.queue_position is not None or status.detail is not None  # the provider's word, not ours
        moved = percent > job.progress and (percent - job.progress >= self._policy.progress_step
                                            or percent == WORKING_TO or job.progress < WORKING_FROM <= percent)
        now = self._clock.monotonic()
        if moved or (told and message != job.message):
            job.report_progress(percent, message, self._clock.now())
            job = await self._keeper.store(job)  # meets anyone else's save (a cancel): Superseded
            await progress.show(job)
            return job, now
        if now - checked >= self._policy.recheck:
            return await self._keeper.current(job), now  # to stop when someone else (a cancel) changed it
        return job, checked

    async def _timed_out(self, job: VideoJob, status: ProviderStatus, provider: VideoProvider,
                         elapsed: float) -> VideoJob:
        """Still queued at the deadline with a fallback provider to try: cancelled, and handed on
        only once the cancel is confirmed. Otherwise (running, no fallback, cancel not confirmed)
        the job stays processing, resumable."""
        if status.state is ProviderState.QUEUED and self._fallback.available(job):
            moved = await self._fallback.after_cancelling(job, provider)
            if moved is not None:
                return moved
        raise JobNotFinishedError(job, f"still running at the provider after {elapsed:.0f} s")
