from __future__ import annotations

from collections.abc import Mapping

from videoforge.application.errors import JobNotCancellableError
from videoforge.application.ports.clock import Clock
from videoforge.application.ports.jobs import ConcurrentUpdateError, JobRepository
from videoforge.application.ports.provider import VideoProvider
from videoforge.application.ports.quota import QuotaGuard
from videoforge.application.use_cases.queries import GetJob
from videoforge.domain.job import VideoJob


class CancelJob:
    """Stops a user's job and frees its reservation. A job the provider is already working on
    is cancelled there first; if the provider refuses, the job goes on and the refusal is said."""

    def __init__(self, jobs: JobRepository, providers: Mapping[str, VideoProvider], quota: QuotaGuard,
                 clock: Clock):
        self._jobs = jobs
        self._get = GetJob(jobs)
        self._providers = providers
        self._quota = quota
        self._clock = clock

    async def __call__(self, job_id: str, user_id: str) -> VideoJob:
        for _ in range(3):  # a running job is saved as it progresses: re-read and try again
            job = await self._get(job_id, user_id)
            if not job.cancellable:
                raise JobNotCancellableError(job)
            if job.running_at_provider:
                provider = self._providers.get(job.provider)
                if provider is None or not await provider.cancel(job.provider_job_id):
                    raise JobNotCancellableError(job, f"the provider did not accept cancelling job {job.id}; "
                                                      "it goes on and will be billed as usual")
            job.cancel(self._clock.now())
            try:
                job = await self._jobs.save(job)
            except ConcurrentUpdateError:
                continue
            await self._quota.release(job.id)
            return job
        raise JobNotCancellableError(job, f"job {job_id} kept changing; try again")
