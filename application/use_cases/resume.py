from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection
from dataclasses import dataclass, field

from application.ports.jobs import JobRepository
from application.use_cases.run_job import RunJob
from domain.job import JobStatus, Step

log = logging.getLogger("videoforge.resume")


@dataclass(slots=True)
class ResumeReport:
    finished: dict[str, list[str]] = field(default_factory=dict)  # final status -> job ids
    awaiting_reconciliation: list[str] = field(default_factory=list)  # unknown outcome: a person decides
    in_flight: list[str] = field(default_factory=list)  # being submitted, maybe by another process
    errors: dict[str, str] = field(default_factory=dict)  # job id -> why it is still unfinished

    def count(self, status: JobStatus) -> int:
        return len(self.finished.get(status.value, []))


class ResumeJobs:
    """Finishes every unfinished job after a restart, from where it stopped: a job the provider
    has is followed, never resubmitted; a job caught mid-submission becomes unknown_outcome once
    the submission grace has passed (until then it may be another process's, and is left alone)."""

    def __init__(self, jobs: JobRepository, run: RunJob, concurrency: int = 8):
        self._jobs = jobs
        self._run = run
        self._limit = asyncio.Semaphore(concurrency)

    async def __call__(self, exclude: Collection[str] = ()) -> ResumeReport:
        """`exclude`: jobs this process is driving already."""
        report = ResumeReport()
        jobs = [job for job in await self._jobs.list_unfinished()
                if job.next_step is not Step.NONE and job.id not in exclude]
        report.in_flight = [job.id for job in jobs if self._run.in_flight(job)]
        await asyncio.gather(*(self._resume(job.id, report) for job in jobs if job.id not in report.in_flight))
        report.awaiting_reconciliation = [j.id for j in await self._jobs.list_unfinished()
                                          if j.status is JobStatus.UNKNOWN_OUTCOME]
        return report

    async def _resume(self, job_id: str, report: ResumeReport) -> None:
        async with self._limit:
            try:
                job = await self._run(job_id)
            except Exception as e:  # noqa: BLE001 - one job's trouble must not stop the others
                log.warning("job %s not resumed: %s", job_id, e)
                report.errors[job_id] = str(e)
                return
            report.finished.setdefault(job.status.value, []).append(job.id)
