from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import timedelta

from videoforge.application.ports.clock import Clock
from videoforge.application.ports.dispatch import JobDispatcher
from videoforge.application.ports.jobs import JobNotFoundError, JobRepository, JobRepositoryError
from videoforge.application.ports.quota import QuotaGuard
from videoforge.application.ports.storage import Storage, StorageError
from videoforge.application.ports.uploads import UploadRegistryError
from videoforge.application.use_cases.run_job import RunJob
from videoforge.application.use_cases.uploads import ExpireUploads
from videoforge.domain.job import JobStatus, Step
from videoforge.domain.quota import Reservation

log = logging.getLogger("videoforge.resume")


@dataclass(slots=True)
class ResumeReport:
    finished: dict[str, list[str]] = field(default_factory=dict)  # final status -> job ids
    awaiting_reconciliation: list[str] = field(default_factory=list)  # unknown outcome: a person decides
    in_flight: list[str] = field(default_factory=list)  # being submitted, maybe by another process
    errors: dict[str, str] = field(default_factory=dict)  # job id -> why it is still unfinished
    released: list[str] = field(default_factory=list)  # job ids whose stranded reservation was freed
    dispatched: list[str] = field(default_factory=list)  # handed to the dispatcher (a queue's workers run them)
    swept: int = 0  # temporary files unfinished saves left behind, removed
    expired_uploads: list[str] = field(default_factory=list)  # uploads unused for the TTL, deleted

    def count(self, status: JobStatus) -> int:
        return len(self.finished.get(status.value, []))


class ResumeJobs:
    """Finishes every unfinished job after a restart, from where it stopped: a job the provider
    has is followed, never resubmitted; a job caught mid-submission becomes unknown_outcome once
    the submission grace has passed (until then it may be another process's, and is left alone).

    Then frees what a process that died left held: the reservation of a job that had failed or
    been cancelled (it died before releasing), and one whose job was never recorded (it died
    between reserving and recording) once older than `unrecorded_grace`, since a live process
    may be recording it right now. And sweeps the temporary files of saves a killed process
    left in the storage (untouched for `leftovers_idle`), and (`expire_uploads`) deletes the
    uploads no job used for their time to live.

    With a `dispatcher` (a queue), the unfinished jobs are dispatched rather than run here: the
    queue skips those already queued or running, and its workers run the others."""

    def __init__(self, jobs: JobRepository, run: RunJob, concurrency: int = 8, quota: QuotaGuard | None = None,
                 clock: Clock | None = None, unrecorded_grace: timedelta = timedelta(minutes=10),
                 dispatcher: JobDispatcher | None = None, storage: Storage | None = None,
                 leftovers_idle: timedelta = timedelta(minutes=15), expire_uploads: ExpireUploads | None = None):
        self._jobs = jobs
        self._run = run
        self._dispatcher = dispatcher
        self._limit = asyncio.Semaphore(concurrency)
        self._quota = quota
        self._clock = clock
        self._grace = unrecorded_grace
        self._storage = storage
        self._leftovers_idle = leftovers_idle
        self._expire_uploads = expire_uploads

    async def __call__(self, exclude: Collection[str] = ()) -> ResumeReport:
        """`exclude`: jobs this process is driving already."""
        report = ResumeReport()
        if self._storage is not None:
            report.swept = await self._sweep()
        jobs = [job for job in await self._jobs.list_unfinished()
                if job.next_step is not Step.NONE and job.id not in exclude]
        report.in_flight = [job.id for job in jobs if self._run.in_flight(job)]
        await asyncio.gather(*(self._resume(job.id, report) for job in jobs if job.id not in report.in_flight))
        report.awaiting_reconciliation = [j.id for j in await self._jobs.list_unfinished()
                                          if j.reconcilable]
        if self._quota is not None:
            for reservation in await self._quota.held():
                if await self._stranded(reservation):
                    await self._quota.release(reservation.job_id)
                    report.released.append(reservation.job_id)
        if self._expire_uploads is not None:  # after the paid jobs: a busy store or database here delays nothing
            report.expired_uploads = await self._expire()
        return report

    async def _expire(self) -> list[str]:
        try:
            return await self._expire_uploads()
        except (UploadRegistryError, JobRepositoryError, StorageError) as e:
            log.warning("could not expire unused uploads this time: %s", e)
            return []

    async def _sweep(self) -> int:
        try:
            return await self._storage.sweep(self._leftovers_idle)
        except StorageError as e:
            log.warning("could not sweep the storage's leftovers: %s", e)
            return 0

    async def _stranded(self, reservation: Reservation) -> bool:
        try:
            return (await self._jobs.get(reservation.job_id)).frees_its_reservation
        except JobNotFoundError:
            if self._clock is None or reservation.created_at is None:
                return False
            return reservation.created_at < self._clock.now() - self._grace

    async def _resume(self, job_id: str, report: ResumeReport) -> None:
        if self._dispatcher is not None:
            await self._dispatcher.dispatch(job_id)
            report.dispatched.append(job_id)
            return
        async with self._limit:
            try:
                job = await self._run(job_id)
            except Exception as e:  # noqa: BLE001 - one job's trouble must not stop the others
                log.warning("job %s not resumed: %s", job_id, e)
                report.errors[job_id] = str(e)
                return
            report.finished.setdefault(job.status.value, []).append(job.id)
