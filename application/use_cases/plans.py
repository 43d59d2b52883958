from __future__ import annotations

from dataclasses import dataclass

from videoforge.application.ports.plans import PlanBook, PlansNotAssignableError, PlanSource
from videoforge.domain.quota import Plan
from videoforge.domain.text import exact_user_id as checked_user_id


@dataclass(frozen=True, slots=True)
class UserPlan:
    user_id: str
    plan: Plan
    assigned: bool | None  # True: assigned to them; False: the default (or configured) plan; None: the host decides


@dataclass(frozen=True, slots=True)
class PlanList:
    plans: list[Plan]
    default: Plan


def _book(plans: PlanSource) -> PlanBook:
    if not isinstance(plans, PlanBook):
        raise PlansNotAssignableError("plans are decided by the host's own plan source (open_container(plans=...)), "
                                      "which videoforge cannot list or change: change them there")
    return plans


class ListPlans:
    """The plans users can be put on, and the one a new user gets."""

    def __init__(self, plans: PlanSource):
        self._plans = plans

    async def __call__(self) -> PlanList:
        book = _book(self._plans)
        return PlanList(await book.plans(), book.default_plan)


class ShowPlan:
    """Which plan applies to a user now, and whether it was assigned to them."""

    def __init__(self, plans: PlanSource):
        self._plans = plans

    async def __call__(self, user_id: str) -> UserPlan:
        user_id = checked_user_id(user_id)
        if not isinstance(self._plans, PlanBook):
            return UserPlan(user_id, await self._plans.plan_for(user_id), None)
        assigned = await self._plans.assignment(user_id)
        return UserPlan(user_id, assigned or await self._plans.plan_for(user_id), assigned is not None)


class AssignPlan:
    """Put a user on a named plan; their next request is admitted by it."""

    def __init__(self, plans: PlanSource):
        self._plans = plans

    async def __call__(self, user_id: str, plan_name: str, *, by: str | None = None) -> UserPlan:
        plan = await _book(self._plans).assign(checked_user_id(user_id), plan_name, by=by)
        return UserPlan(checked_user_id(user_id), plan, True)
