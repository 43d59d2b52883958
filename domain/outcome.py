from __future__ import annotations

from enum import StrEnum


class ProviderState(StrEnum):
    """Where a task stands at its provider, in words every provider adapter translates to."""

    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # timed out or deleted at the provider

    @property
    def finished(self) -> bool:
        return self not in (ProviderState.QUEUED, ProviderState.RUNNING)
