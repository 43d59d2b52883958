from __future__ import annotations

from collections.abc import AsyncIterator

from videoforge.application.ports.clock import Clock
from videoforge.application.ports.jobs import JobRepository
from videoforge.application.use_cases.queries import GetJob
from videoforge.domain.events import JobEvent


class WatchJob:
    """A user's job, followed change by change from the job's events (written by whichever
    process runs it), until it ends. `after` resumes after the last version seen. None is
    yielded after `heartbeat` seconds without a change, so a caller can show it is alive."""

    def __init__(self, jobs: JobRepository, clock: Clock, interval: float = 0.5, heartbeat: float = 15.0):
        self._jobs = jobs
        self._clock = clock
        self._interval = interval
        self._heartbeat = heartbeat

    async def __call__(self, job_id: str, user_id: str, after: int = 0) -> AsyncIterator[JobEvent | None]:
        """Checks the job is the user's (JobNotFoundError otherwise) before anything is streamed."""
        job = await GetJob(self._jobs)(job_id, user_id)
        return self._follow(job_id, after, ended=job.terminal and job.version <= after)

    async def _follow(self, job_id: str, after: int, ended: bool) -> AsyncIterator[JobEvent | None]:
        quiet = 0.0
        while not ended:
            events = await self._jobs.events(job_id, after)
            for event in events:
                yield event
                after, ended = event.version, event.final
            quiet = 0.0 if events else quiet + self._interval
            if quiet >= self._heartbeat:
                quiet = 0.0
                yield None
            if not ended:
                await self._clock.sleep(self._interval)
