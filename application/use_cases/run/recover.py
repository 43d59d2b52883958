from __future__ import annotations

from videoforge.application.ports.clock import Clock
from videoforge.application.progress import ProgressReporter
from videoforge.application.use_cases.run.keeper import JobKeeper
from videoforge.application.use_cases.run.policy import PollPolicy
from videoforge.domain.job import VideoJob


class RecoverSubmission:
    """submitting, found by a runner that did not send it: another runner may still be waiting
    for the provider's answer, so the job is watched until the submission grace has passed; only
    then is its outcome declared unknown (a person reconciles it; it is never resubmitted)."""

    def __init__(self, keeper: JobKeeper, clock: Clock, policy: PollPolicy):
        self._keeper, self._clock, self._policy = keeper, clock, policy

    def in_flight(self, job: VideoJob) -> bool:
        """Whether a job in `submitting` may still be waiting for the provider's answer elsewhere."""
        return job.submission_in_flight(self._clock.now(), self._policy.submit_grace)

    async def __call__(self, job: VideoJob, progress: ProgressReporter) -> VideoJob:
        while self.in_flight(job):
            await self._clock.sleep(self._policy.interval)
            fresh = await self._keeper.get(job.id)
            if fresh.version != job.version:  # the submitting runner got its answer: go on from there
                return fresh
        job.mark_outcome_unknown(self._clock.now(), "interrupted while submitting")
        return await self._keeper.store(job)
