from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from videoforge.adapters.sql.database import Database
from videoforge.adapters.sql.schema import user_subscriptions
from videoforge.application.ports.clock import Clock
from videoforge.application.ports.plans import PlanBook, PlanSourceError
from videoforge.domain.errors import InvalidRequestError
from videoforge.domain.quota import LEGACY_PLANS, Plan, PlanCatalog

S = user_subscriptions.c


class SqlPlanBook(PlanBook):
    """The plans of a catalog (the plans file) with per-user assignments in `user_subscriptions`
    (a plan *name*, who assigned it and when). A user's plan: their active row, else `configured`
    (VIDEOFORGE_USER_PLANS, kept for installs that set plans that way), else the default plan."""

    def __init__(self, engine: AsyncEngine | Database, catalog: PlanCatalog = LEGACY_PLANS,
                 configured: Mapping[str, Plan | str] | None = None, clock: Clock | None = None):
        self._db = Database.of(engine)
        self.catalog = catalog
        self._extra: dict[str, Plan] = {}
        self._configured = {user: plan if isinstance(plan, Plan) else catalog.named(plan)
                            for user, plan in (configured or {}).items()}
        self._clock = clock

    @property
    def default_plan(self) -> Plan:
        return self.catalog.default_plan

    def remember(self, plan: Plan) -> None:
        """Know a plan outside the catalog by name (this process only; tests and legacy callers)."""
        self._extra[plan.name] = plan

    def _named(self, name: str) -> Plan:
        return self._extra.get(name) or self.catalog.named(name)

    async def plan_for(self, user_id: str) -> Plan:
        assigned = await self.assignment(user_id)
        return assigned or self._configured.get(user_id) or self.catalog.default_plan

    async def plans(self) -> list[Plan]:
        return list(self.catalog.plans)

    async def assignment(self, user_id: str) -> Plan | None:
        async with self._db.transaction(PlanSourceError, f"reading the plan of user {user_id}", write=False) as conn:
            name = await conn.scalar(select(S.plan).where(S.user_id == user_id, S.is_active.is_(True)))
        if name is None:
            return None
        try:
            return self._named(name)
        except InvalidRequestError:
            raise PlanSourceError(f"user {user_id} is assigned plan {name!r}, which the plans file does not define "
                                  f"(plans: {', '.join(self.catalog.names)}): fix the file or assign another plan"
                                  ) from None

    async def assign(self, user_id: str, plan_name: str, *, by: str | None = None) -> Plan:
        plan = self._named(plan_name)  # InvalidRequestError naming the plans there are
        now = self._clock.now() if self._clock else datetime.now(UTC)
        values = {"plan": plan.name, "is_active": True, "updated_at": now, "assigned_by": by}
        insert = self._db.upsert(user_subscriptions).values(user_id=user_id, created_at=now, **values)
        async with self._db.transaction(PlanSourceError, f"assigning plan {plan.name} to user {user_id}") as conn:
            await conn.execute(insert.on_conflict_do_update(index_elements=[S.user_id], set_=values))
        return plan
