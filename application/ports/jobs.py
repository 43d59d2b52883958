from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Protocol

from videoforge.domain.events import JobEvent
from videoforge.domain.job import VideoJob


class JobRepositoryError(Exception):
    """Base of every JobRepository error."""


class JobNotFoundError(JobRepositoryError):
    pass


class ConcurrentUpdateError(JobRepositoryError):
    """The job changed since it was read: another worker advanced it. Re-read and decide again."""


class DuplicateJobError(JobRepositoryError):
    """A job with this id, or this user's idempotency key, exists already."""

    def __init__(self, message: str, existing_job_id: str):
        super().__init__(message)
        self.existing_job_id = existing_job_id


class JobRepository(Protocol):
    """Durable jobs. Saves are optimistic: each save checks and bumps `version`."""

    @abstractmethod
    async def add(self, job: VideoJob) -> VideoJob:
        """Store a new job (version 1). Raises DuplicateJobError when its id, or its
        (user, idempotency key), is taken, carrying the existing job's id."""
        ...

    @abstractmethod
    async def get(self, job_id: str) -> VideoJob:
        """A copy of the job; changing it changes nothing until `save`. Raises JobNotFoundError."""
        ...

    async def version(self, job_id: str) -> int:
        """The job's stored version only: how a runner between polls learns, cheaply, whether
        someone else saved the job. Raises JobNotFoundError. (This default reads the whole job;
        the repositories here read one column, or none.)"""
        return (await self.get(job_id)).version

    @abstractmethod
    async def save(self, job: VideoJob) -> VideoJob:
        """Store the job if nobody saved it since it was read (same version), bumping the
        version; raises ConcurrentUpdateError otherwise, and JobNotFoundError."""
        ...

    @abstractmethod
    async def find_by_idempotency_key(self, user_id: str, key: str) -> VideoJob | None:
        ...

    @abstractmethod
    async def find_by_provider_job_id(self, provider: str, provider_job_id: str) -> VideoJob | None:
        """The job that owns a provider's task (for webhooks), or None."""
        ...

    @abstractmethod
    async def list_at_provider(self, provider: str, since: datetime, until: datetime) -> list[VideoJob]:
        """The jobs that reached the provider (they have its task id) with `submitted_at` in
        [since, until), oldest first: what a billing audit compares with the provider's records."""
        ...

    @abstractmethod
    async def events(self, job_id: str, after_version: int = 0) -> list[JobEvent]:
        """The job's changes after `after_version`, oldest first: one per save (and one for its
        creation), written with it, so nothing a client follows is skipped. Empty for no such job."""
        ...

    @abstractmethod
    async def list_unfinished(self) -> list[VideoJob]:
        """Every job not completed, failed or cancelled, oldest first."""
        ...

    @abstractmethod
    async def lease(self, job_id: str, owner: str, now: datetime, until: datetime, version: int | None = None) -> bool:
        """Take, or renew, the job's save lease for `owner` until `until`: true when it was free,
        had expired (before `now`: its runner died) or was `owner`'s already, and (given a
        `version`) the job is still at that version; false otherwise. Atomic: of runners asking at
        once, one gets it. Leases are not saves (the version does not change). Raises
        JobNotFoundError."""
        ...

    @abstractmethod
    async def release_lease(self, job_id: str, owner: str) -> None:
        """Give the lease up, if `owner` holds it."""
        ...

    @abstractmethod
    async def list_for_user(self, user_id: str, *, limit: int = 50, offset: int = 0) -> list[VideoJob]:
        """The user's jobs, newest first."""
        ...
