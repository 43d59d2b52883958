from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Protocol

from videoforge.domain.callbacks import CallbackDelivery


class CallbackError(Exception):
    """The receiver could not be reached, or answered from where it may not (a private address)."""


class CallbackSender(Protocol):
    """Posts a finished job to the URL its caller gave, signed so the caller can trust it."""

    @abstractmethod
    async def check(self, url: str, user_id: str) -> None:
        """Refuses (InvalidRequestError on `callback_url`) a URL this deployment will not call for
        this user: not https, not public, not in the user's allow-list, or callbacks not set up."""
        ...

    @abstractmethod
    async def send(self, url: str, message_id: str, body: bytes, at: datetime) -> int:
        """One signed POST (never retried here); the receiver's HTTP status. Raises CallbackError."""
        ...


class CallbackDeliveriesError(Exception):
    """Base of every CallbackDeliveries error."""


class CallbackDeliveries(Protocol):
    """The record of each job's callback delivery: at most one per job, whoever finishes it."""

    @abstractmethod
    async def claim(self, delivery: CallbackDelivery) -> bool:
        """Record a new delivery; False (and nothing changes) when the job has one already."""
        ...

    @abstractmethod
    async def save(self, delivery: CallbackDelivery) -> None:
        """Record how its attempts went (state, attempts, last status and error)."""
        ...

    @abstractmethod
    async def get(self, job_id: str) -> CallbackDelivery | None:
        ...
