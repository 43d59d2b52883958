from __future__ import annotations

from collections.abc import Mapping

from videoforge.application.ports.clock import Clock
from videoforge.application.ports.provider import SubmissionHistory, VideoProvider
from videoforge.application.progress import ProgressReporter
from videoforge.application.use_cases.run.keeper import JobKeeper
from videoforge.application.use_cases.run.policy import PollPolicy
from videoforge.application.use_cases.run.settle import SettleSubmission
from videoforge.domain.job import VideoJob
from videoforge.domain.outcome import unsent_submission


class RecoverSubmission:
    """submitting, found by a runner that did not send it: another runner may still be waiting
    for the provider's answer, so the job is watched until the submission grace has passed. Then,
    at a provider that records what it sends before sending (`SubmissionHistory`): no record means
    the request never left, so the job is submitted again; a record is settled by the provider's
    history like any unclear answer (`SettleSubmission`: one matching task adopted, none after the
    settling delay sent again, several unknown). Elsewhere its outcome is declared unknown (a
    person reconciles it; it is never resubmitted)."""

    def __init__(self, keeper: JobKeeper, clock: Clock, policy: PollPolicy,
                 providers: Mapping[str, VideoProvider] | None = None):
        self._keeper, self._clock, self._policy = keeper, clock, policy
        self._providers = providers or {}
        self._settle = SettleSubmission(keeper, clock, policy)

    def in_flight(self, job: VideoJob) -> bool:
        """Whether a job in `submitting` may still be waiting for the provider's answer elsewhere."""
        return job.submission_in_flight(self._clock.now(), self._policy.submit_grace)

    async def __call__(self, job: VideoJob, progress: ProgressReporter) -> VideoJob:
        while self.in_flight(job):
            await self._clock.sleep(self._policy.interval)
            fresh = await self._keeper.get(job.id)
            if fresh.version != job.version:  # the submitting runner got its answer: go on from there
                return fresh
        provider = self._providers.get(job.provider)
        if job.provably_unsent:
            may_resubmit = self._policy.may_defer(job.submit_deferrals)
            failure = unsent_submission(job, self._clock.now(), may_resubmit=may_resubmit)
            return await (self._keeper.fail(job, failure) if failure else self._keeper.store(job))
        if job.sent is not None and isinstance(provider, SubmissionHistory):
            # asked at: when the record was saved (the job's last save), by this runner's clock
            return await self._settle(job, provider, job.sent, job.updated_at,
                                      "the run stopped while the submission was in flight")
        job.mark_outcome_unknown(self._clock.now(), "interrupted while submitting")
        return await self._keeper.store(job)
