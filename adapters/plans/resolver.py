from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

from videoforge.application.ports.plans import PlanSource, PlanSourceError
from videoforge.domain.quota import Plan

PlanResolver = Callable[[str], Plan | Awaitable[Plan]]


class ResolverPlanSource(PlanSource):
    """The host's own answer to "which limits apply to this user now", for hosts whose billing
    lives elsewhere: `resolve(user_id)` returns a `Plan` (or an awaitable of one) and is asked
    before every reservation. Anything it raises, or an answer that is not a Plan, is a
    PlanSourceError: nothing is reserved."""

    def __init__(self, resolve: PlanResolver):
        if not callable(resolve):
            raise TypeError(f"plans must be a PlanSource or a callable user_id -> Plan, not {type(resolve).__name__}")
        self._resolve = resolve
        self._name = getattr(resolve, "__qualname__", type(resolve).__name__)

    async def plan_for(self, user_id: str) -> Plan:
        try:
            plan = self._resolve(user_id)
            if inspect.isawaitable(plan):
                plan = await plan
        except Exception as e:  # the host's code: any failure of it is the source's failure
            raise PlanSourceError(f"the plan resolver {self._name} failed for user {user_id}: "
                                  f"{type(e).__name__}: {e}") from e
        if not isinstance(plan, Plan):
            raise PlanSourceError(f"the plan resolver {self._name} returned {type(plan).__name__} for user {user_id}; "
                                  "it must return a videoforge.domain.Plan")
        return plan
