from __future__ import annotations

from abc import abstractmethod
from collections.abc import Collection
from typing import Protocol

from videoforge.domain.records import UsageRecord, UsageSummary


class UsageMeterError(Exception):
    """Base of every UsageMeter error."""


class UsageMeter(Protocol):
    """What was generated and spent, per user and billing period."""

    @abstractmethod
    async def record(self, record: UsageRecord) -> bool:
        """Count one completed video. Idempotent by job id: returns False, and counts nothing,
        when the job was already recorded."""
        ...

    @abstractmethod
    async def summary(self, user_id: str, period: str) -> UsageSummary:
        """Totals for the period (zeros when nothing was recorded)."""
        ...

    @abstractmethod
    async def records(self, user_id: str, period: str) -> list[UsageRecord]:
        """The period's records (one per completed video), oldest first; what the summary adds up."""
        ...

    @abstractmethod
    async def records_of(self, job_ids: Collection[str]) -> list[UsageRecord]:
        """The records of these jobs, whichever user and period (jobs never billed have none)."""
        ...

    @abstractmethod
    async def summaries(self, period: str, *, limit: int = 50, offset: int = 0) -> list[UsageSummary]:
        """Every user's totals for the period who was billed in it, the largest spend first (then by
        user id): what an admin sees of all users' spend."""
        ...
