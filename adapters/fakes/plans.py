from __future__ import annotations

import asyncio
from collections.abc import Mapping

from videoforge.adapters.fakes.faults import FaultInjector
from videoforge.application.ports.plans import PlanBook
from videoforge.domain.quota import LEGACY_PLANS, Plan, PlanCatalog


class InMemoryPlanBook(FaultInjector, PlanBook):
    """Named plans with per-user assignments in a dict. `assigned` may name plans of the catalog
    or give a Plan directly (a test's own limits)."""

    def __init__(self, catalog: PlanCatalog = LEGACY_PLANS, assigned: Mapping[str, Plan | str] | None = None):
        super().__init__()
        self.catalog = catalog
        self.assigned: dict[str, Plan] = {user: self._plan(plan) for user, plan in (assigned or {}).items()}
        self.assigned_by: dict[str, str | None] = {}

    def _plan(self, plan: Plan | str) -> Plan:
        return plan if isinstance(plan, Plan) else self.catalog.named(plan)

    def set(self, user_id: str, plan: Plan) -> None:
        """A test's shortcut: put the user on any plan, named in the catalog or not."""
        self.assigned[user_id] = plan

    @property
    def default_plan(self) -> Plan:
        return self.catalog.default_plan

    async def plan_for(self, user_id: str) -> Plan:
        self._maybe_fail("plan_for")
        await asyncio.sleep(0)  # where a real source does I/O
        return self.assigned.get(user_id, self.catalog.default_plan)

    async def plans(self) -> list[Plan]:
        self._maybe_fail("plans")
        return list(self.catalog.plans)

    async def assignment(self, user_id: str) -> Plan | None:
        self._maybe_fail("assignment")
        return self.assigned.get(user_id)

    async def assign(self, user_id: str, plan_name: str, *, by: str | None = None) -> Plan:
        self._maybe_fail("assign")
        plan = self.catalog.named(plan_name)
        self.assigned[user_id], self.assigned_by[user_id] = plan, by
        return plan
