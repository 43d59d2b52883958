from __future__ import annotations

from videoforge.application.ports.clock import Clock
from videoforge.application.ports.jobs import JobRepository
from videoforge.application.ports.quota import QuotaGuard
from videoforge.domain.job import VideoJob


class ReconcileJob:
    """Settles an unknown outcome once a person (or the provider's records) knows the truth:
    the provider has the task (give its id; the job is then followed like any other), or it has
    none (the job fails and its reservation is released)."""

    def __init__(self, jobs: JobRepository, quota: QuotaGuard, clock: Clock):
        self._jobs = jobs
        self._quota = quota
        self._clock = clock

    async def __call__(self, job_id: str, provider_job_id: str | None) -> VideoJob:
        job = await self._jobs.get(job_id)
        if provider_job_id:
            job.reconcile(provider_job_id, self._clock.now())
            return await self._jobs.save(job)
        job.abandon(self._clock.now())
        job = await self._jobs.save(job)
        await self._quota.release(job.id)
        return job
