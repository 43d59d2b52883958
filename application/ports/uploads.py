from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Protocol

from videoforge.domain.quota import Plan, UploadUsage
from videoforge.domain.uploads import UploadRecord


class UploadRegistryError(Exception):
    """Base of every UploadRegistry error (a store failure; `retryable` when it is busy for now)."""


class UploadRegistry(Protocol):
    """The record of every kept upload (its file is in Storage under `key`): what a user's plan
    counts, and what expires when unused."""

    @abstractmethod
    async def add(self, record: UploadRecord, plan: Plan) -> None:
        """Record a new upload if `plan` admits it beside the user's uploads (`Plan.admit_upload`),
        atomically: two uploads of one user never both pass a limit only one fits. Raises
        QuotaExceededError (nothing recorded) otherwise."""
        ...

    @abstractmethod
    async def usage(self, user_id: str) -> UploadUsage:
        """The user's recorded uploads: how many and their bytes."""
        ...

    @abstractmethod
    async def use(self, user_id: str, upload_id: str, at: datetime) -> UploadRecord | None:
        """The user's upload, marked used `at` (unless it is expiring: then returned as it is);
        None when the user has no such record."""
        ...

    @abstractmethod
    async def unused_since(self, cutoff: datetime, limit: int = 500) -> list[UploadRecord]:
        """Uploads not used since `cutoff`, and those already expiring (a deletion that did not
        finish), oldest use first, at most `limit`."""
        ...

    @abstractmethod
    async def expire(self, upload_id: str, cutoff: datetime) -> bool:
        """Mark the upload expiring if it is still unused since `cutoff` (or expiring already): from
        then on `use` refuses it. False when it was used meanwhile, or is gone."""
        ...

    @abstractmethod
    async def remove(self, upload_id: str) -> None:
        """Forget the upload (its file is deleted). Idempotent."""
        ...
