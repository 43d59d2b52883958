from __future__ import annotations

import asyncio
from datetime import datetime

from videoforge.adapters.fakes.faults import FaultInjector
from videoforge.application.ports.jobs import ConcurrentUpdateError, DuplicateJobError, JobNotFoundError, JobRepository
from videoforge.domain.events import JobEvent
from videoforge.domain.job import VideoJob


class InMemoryJobRepository(FaultInjector, JobRepository):
    """Jobs in a dict, with the same optimistic versioning and uniqueness as the database."""

    def __init__(self) -> None:
        super().__init__()
        self.jobs: dict[str, VideoJob] = {}
        self._keys: dict[tuple[str, str], str] = {}
        self._events: dict[str, list[JobEvent]] = {}
        self.leases: dict[str, tuple[str, datetime]] = {}  # job id -> (owner, until)
        self._lock = asyncio.Lock()

    async def add(self, job: VideoJob) -> VideoJob:
        self._maybe_fail("add")
        async with self._lock:
            if job.id in self.jobs:
                raise DuplicateJobError(f"job {job.id} exists", job.id)
            if job.idempotency_key:
                key = (job.user_id, job.idempotency_key)
                if key in self._keys:
                    raise DuplicateJobError("idempotency key already used", self._keys[key])
                self._keys[key] = job.id
            stored = job.copy()
            stored.version = 1
            self.jobs[job.id] = stored
            self._events[job.id] = [JobEvent.of(stored)]
            return stored.copy()

    async def get(self, job_id: str) -> VideoJob:
        self._maybe_fail("get")
        if job_id not in self.jobs:
            raise JobNotFoundError(f"no job {job_id}")
        return self.jobs[job_id].copy()

    async def version(self, job_id: str) -> int:
        self._maybe_fail("version")
        if job_id not in self.jobs:
            raise JobNotFoundError(f"no job {job_id}")
        return self.jobs[job_id].version

    async def save(self, job: VideoJob) -> VideoJob:
        self._maybe_fail("save")
        async with self._lock:
            current = self.jobs.get(job.id)
            if current is None:
                raise JobNotFoundError(f"no job {job.id}")
            if current.version != job.version:
                raise ConcurrentUpdateError(f"job {job.id} changed (version {current.version}, had {job.version})")
            stored = job.copy()
            stored.version = job.version + 1
            self.jobs[job.id] = stored
            self._events[job.id].append(JobEvent.of(stored))
            return stored.copy()

    async def events(self, job_id: str, after_version: int = 0) -> list[JobEvent]:
        self._maybe_fail("events")
        return [e for e in self._events.get(job_id, []) if e.version > after_version]

    async def find_by_idempotency_key(self, user_id: str, key: str) -> VideoJob | None:
        self._maybe_fail("find_by_idempotency_key")
        job_id = self._keys.get((user_id, key))
        return self.jobs[job_id].copy() if job_id else None

    async def find_by_provider_job_id(self, provider: str, provider_job_id: str) -> VideoJob | None:
        self._maybe_fail("find_by_provider_job_id")
        return next((j.copy() for j in self.jobs.values()
                     if j.provider == provider and j.provider_job_id == provider_job_id), None)

    async def list_at_provider(self, provider: str, since: datetime, until: datetime) -> list[VideoJob]:
        self._maybe_fail("list_at_provider")
        return sorted((j.copy() for j in self.jobs.values() if j.provider == provider and j.provider_job_id
                       and j.submitted_at is not None and since <= j.submitted_at < until),
                      key=lambda j: j.submitted_at)

    async def list_unfinished(self) -> list[VideoJob]:
        self._maybe_fail("list_unfinished")
        return sorted((j.copy() for j in self.jobs.values() if not j.terminal), key=lambda j: j.created_at)

    async def lease(self, job_id: str, owner: str, now: datetime, until: datetime, version: int | None = None) -> bool:
        self._maybe_fail("lease")
        async with self._lock:
            if job_id not in self.jobs:
                raise JobNotFoundError(f"no job {job_id}")
            held = self.leases.get(job_id)
            if held is not None and held[0] != owner and held[1] >= now:
                return False
            if version is not None and self.jobs[job_id].version != version:
                return False
            self.leases[job_id] = (owner, until)
            return True

    async def release_lease(self, job_id: str, owner: str) -> None:
        self._maybe_fail("release_lease")
        if self.leases.get(job_id, ("",))[0] == owner:
            del self.leases[job_id]

    async def list_for_user(self, user_id: str, *, limit: int = 50, offset: int = 0) -> list[VideoJob]:
        self._maybe_fail("list_for_user")
        mine = sorted((j for j in self.jobs.values() if j.user_id == user_id), key=lambda j: j.created_at,
                      reverse=True)
        return [j.copy() for j in mine[offset:offset + limit]]
