from __future__ import annotations

from videoforge.application.ports.jobs import JobRepository
from videoforge.application.use_cases.run_job import RunJob
from videoforge.domain.job import VideoJob


class HandleProviderWebhook:
    """A provider says one of its tasks changed (the delivery is already verified by the
    adapter): the job that owns the task is driven forward now instead of at its next poll.
    Deliveries for unknown or finished tasks change nothing, so repeats are harmless."""

    def __init__(self, jobs: JobRepository, run: RunJob):
        self._jobs = jobs
        self._run = run

    async def owner(self, provider: str, provider_job_id: str) -> VideoJob | None:
        """The unfinished job that owns the task, or None."""
        job = await self._jobs.find_by_provider_job_id(provider, provider_job_id)
        return job if job is not None and not job.terminal else None

    async def __call__(self, provider: str, provider_job_id: str) -> VideoJob | None:
        job = await self.owner(provider, provider_job_id)
        return await self._run(job.id) if job is not None else None
