from __future__ import annotations

from abc import abstractmethod
from typing import Protocol

from videoforge.domain.money import Cost
from videoforge.domain.quota import QuotaCheck, Reservation


class QuotaGuardError(Exception):
    """Base of QuotaGuard failures other than a refusal (QuotaExceededError, from the domain)."""


class ReservationNotFoundError(QuotaGuardError):
    pass


class QuotaGuard(Protocol):
    """Plan limits per billing period, enforced with reservations.

    What is reserved counts as used until it is settled (becoming usage) or released, so
    concurrent requests can never overshoot a plan. The decision itself is the domain's
    (`Plan.admit`); adapters make it atomic.
    """

    @abstractmethod
    async def reserve(self, user_id: str, job_id: str, amount: Cost, period: str) -> Reservation:
        """Hold one call and `amount` for `job_id`, atomically, or raise QuotaExceededError
        (with usage info). Idempotent by job id: a second reserve returns the first."""
        ...

    @abstractmethod
    async def reprice(self, job_id: str, amount: Cost) -> Reservation:
        """Hold `amount` instead for the job's held reservation (the job moved to another
        provider), atomically, if the plan admits it without the old amount; else raise
        QuotaExceededError and keep the old one. Raises ReservationNotFoundError, and
        QuotaGuardError for a reservation no longer held."""
        ...

    @abstractmethod
    async def settle(self, job_id: str, actual: Cost) -> Reservation:
        """Turn the reservation into usage at the actual cost. Idempotent; settling a released
        reservation raises QuotaGuardError. Raises ReservationNotFoundError."""
        ...

    @abstractmethod
    async def release(self, job_id: str) -> Reservation | None:
        """Free the reservation. Idempotent; releasing a settled one changes nothing.
        Returns None when there is no reservation for the job."""
        ...

    @abstractmethod
    async def check(self, user_id: str, amount: Cost, period: str) -> QuotaCheck:
        """Whether a request of `amount` would be admitted now, reserving nothing."""
        ...

    @abstractmethod
    async def held(self) -> list[Reservation]:
        """Every reservation neither settled nor released, oldest first, with its `created_at`.
        For ResumeJobs, to free what a process that died left held."""
        ...
