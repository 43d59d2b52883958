"""What an operator sees of a job's run (the RunObserver RunJob is given): its log records carry
the job id and its user, and with tracing on it runs inside the job's span, in the trace the job
was created in (adapters/otel)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from videoforge.adapters.logs import bound
from videoforge.application.ports.observe import RunObserver, RunWatch, Unobserved
from videoforge.domain.job import VideoJob


class ObservedRuns:
    def __init__(self, tracing: RunObserver | None = None):
        self._tracing = tracing or Unobserved()

    @asynccontextmanager
    async def run(self, job: VideoJob) -> AsyncIterator[RunWatch]:
        with bound(job_id=job.id, user=job.user_id):
            async with self._tracing.run(job) as watch:
                yield watch
