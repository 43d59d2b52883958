from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from uuid import uuid4

from videoforge.application.errors import JobNotFinishedError
from videoforge.application.ports.clock import Clock
from videoforge.application.ports.jobs import ConcurrentUpdateError, JobRepository
from videoforge.application.ports.quota import QuotaGuard
from videoforge.application.progress import ProgressReporter
from videoforge.application.use_cases.run.policy import PollPolicy
from videoforge.domain.job import Step, VideoJob
from videoforge.domain.money import Cost
from videoforge.domain.outcome import Failure


class Superseded(Exception):
    """Someone else saved the job meanwhile (a cancel, another worker): stop driving it."""

    def __init__(self, job: VideoJob):
        super().__init__(f"job {job.id} was changed by someone else")
        self.job = job


class SavingElsewhere(Exception):
    """Another runner holds the job's save lease: it is downloading the output now."""

    def __init__(self, job: VideoJob):
        super().__init__(f"job {job.id} is being saved by another runner")
        self.job = job


@dataclass(slots=True)
class SaveLease:
    """This runner's lease on saving a job: its owner id, and when it was last renewed."""

    job_id: str
    owner: str
    renewed_at: datetime


class RunStep(Protocol):
    """One step of RunJob: takes a job in the state it handles, returns it saved in its next one."""

    async def __call__(self, job: VideoJob, progress: ProgressReporter) -> VideoJob: ...


class JobKeeper:
    """What every step needs of a job's record: saves are optimistic (losing one to another runner
    raises Superseded), a job that ends frees or settles its reservation, and a runner that was
    superseded watches the job to its end instead of racing it."""

    def __init__(self, jobs: JobRepository, quota: QuotaGuard, clock: Clock, policy: PollPolicy):
        self._jobs, self._quota, self._clock, self._policy = jobs, quota, clock, policy

    def now(self) -> datetime:
        return self._clock.now()

    async def get(self, job_id: str) -> VideoJob:
        """The job as stored now."""
        return await self._jobs.get(job_id)

    async def store(self, job: VideoJob) -> VideoJob:
        try:
            return await self._jobs.save(job)
        except ConcurrentUpdateError:
            raise Superseded(await self.get(job.id)) from None

    async def current(self, job: VideoJob) -> VideoJob:
        """Checks the job's stored version (one column, not the row), to stop when someone else
        (a cancel) changed it; only then is the job read."""
        if await self._jobs.version(job.id) != job.version:
            raise Superseded(await self.get(job.id))
        return job

    async def fail(self, job: VideoJob, failure: Failure) -> VideoJob:
        """Every failure releases the reservation and records no usage: the user got no video."""
        job.fail(failure.error, self.now(), money_spent=failure.money_spent)
        job = await self.store(job)
        await self._quota.release(job.id)
        return job

    async def complete(self, job: VideoJob, asset_id: str, cost: Cost) -> VideoJob:
        await self._quota.settle(job.id, cost)
        job.complete(asset_id, cost, self.now())
        return await self.store(job)

    async def take_lease(self, job: VideoJob) -> SaveLease:
        """The job's save lease for a new owner, while the job is as read; SavingElsewhere while
        another runner's runs (or the job changed meanwhile: read it again)."""
        lease = SaveLease(job.id, uuid4().hex, self.now())
        if not await self._jobs.lease(job.id, lease.owner, lease.renewed_at, self._lease_end(lease.renewed_at),
                                      job.version):
            raise SavingElsewhere(job)
        return lease

    async def renew(self, lease: SaveLease, job: VideoJob) -> None:
        """Keeps the lease while the save goes on (at most every third of its length); a lease
        lost meanwhile (this runner stalled past it) stops this save: another has taken it over."""
        now = self.now()
        if (now - lease.renewed_at).total_seconds() < self._policy.save_lease / 3:
            return
        if not await self._jobs.lease(job.id, lease.owner, now, self._lease_end(now)):
            raise SavingElsewhere(job)
        lease.renewed_at = now

    async def release(self, lease: SaveLease) -> None:
        await asyncio.shield(self._jobs.release_lease(lease.job_id, lease.owner))

    def _lease_end(self, now: datetime) -> datetime:
        return now + timedelta(seconds=self._policy.save_lease)

    async def saved_elsewhere(self, job: VideoJob) -> VideoJob:
        """While another runner saves the job: wait a poll interval, then read it again (saved by
        then, or its lease has run out for this runner to take over)."""
        await self._clock.sleep(self._policy.interval)
        return await self.get(job.id)

    async def watch(self, job: VideoJob) -> VideoJob:
        """Another runner (a worker, a repeated request, a resume) drives this job: wait for it
        to end, up to the deadline."""
        started = self._clock.monotonic()
        while job.next_step is not Step.NONE:
            if self._clock.monotonic() - started >= self._policy.deadline:
                raise JobNotFinishedError(job, "another runner is still driving it")
            await self._clock.sleep(self._policy.interval)
            job = await self.get(job.id)
        return job
