from __future__ import annotations

from abc import abstractmethod
from typing import Protocol, runtime_checkable

from videoforge.domain.quota import Plan


class PlanSourceError(Exception):
    """The user's plan cannot be told: the plans cannot be read, or a user is assigned a plan
    that does not exist (a configuration the operator must fix, not the caller)."""


class PlansNotAssignableError(PlanSourceError):
    """Plans come from somewhere videoforge does not manage (the host's resolver): assign them there."""


class PlanSource(Protocol):
    """Which limits apply to a user now: calls and cost per billing period, and optionally jobs in
    flight. Asked before every reservation and quota check, so a change is seen by the next request.
    The answer is the caller's to trust: the quota guard enforces it atomically."""

    @abstractmethod
    async def plan_for(self, user_id: str) -> Plan:
        """The user's plan now (the default plan when none is assigned). Raises PlanSourceError."""
        ...


@runtime_checkable
class PlanBook(PlanSource, Protocol):
    """Named plans with per-user assignments that videoforge keeps (the plans file and the
    database's assignments): what `videoforge plans` and the admin route manage."""

    @abstractmethod
    async def plans(self) -> list[Plan]:
        """Every plan a user can be assigned, in their defined order."""
        ...

    @property
    @abstractmethod
    def default_plan(self) -> Plan:
        """What a user without an assignment gets."""
        ...

    @abstractmethod
    async def assignment(self, user_id: str) -> Plan | None:
        """The plan assigned to the user, None when they are on the default plan."""
        ...

    @abstractmethod
    async def assign(self, user_id: str, plan_name: str, *, by: str | None = None) -> Plan:
        """Put the user on the named plan from the next request on; `by` says who did it.
        Idempotent. An unknown plan raises InvalidRequestError naming the plans there are."""
        ...
