from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, bindparam, case, func, or_, select, type_coerce, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from videoforge.adapters.sql.database import Database
from videoforge.adapters.sql.plans import SqlPlanBook
from videoforge.adapters.sql.schema import quota_periods, quota_reservations
from videoforge.adapters.sql.types import Money
from videoforge.application.ports.clock import Clock
from videoforge.application.ports.plans import PlanSource
from videoforge.application.ports.quota import QuotaGuard, QuotaGuardError, ReservationNotFoundError
from videoforge.domain.money import ZERO, Cost
from videoforge.domain.quota import (
    LEGACY_PLANS,
    Plan,
    QuotaCheck,
    QuotaUsage,
    Reservation,
    ReservationState,
)

R = quota_reservations.c

# The statements of a reservation, built once (SQLAlchemy then only looks up their compiled form).
_FIND = select(quota_reservations).where(R.job_id == bindparam("the_job"))
_FIND_LOCKED = _FIND.with_for_update()
_UPDATE = update(quota_reservations).where(R.job_id == bindparam("the_job"))
_LOCK_PERIOD = select(quota_periods.c.user_id).where(
    quota_periods.c.user_id == bindparam("the_user"), quota_periods.c.billing_period == bindparam("the_period"),
).with_for_update()


def _usage_query():
    in_period = R.billing_period == bindparam("the_period")
    settled = and_(in_period, R.state == ReservationState.SETTLED)
    held = R.state == ReservationState.RESERVED
    reserved = and_(in_period, held)
    return select(
        func.count().filter(settled),
        type_coerce(func.sum(case((settled, func.coalesce(R.actual, R.amount)))), Money),
        func.count().filter(reserved),
        type_coerce(func.sum(case((reserved, R.amount))), Money),
        func.count().filter(held),  # jobs in flight, whichever period they were reserved in
    ).where(R.user_id == bindparam("the_user"), or_(held, and_(in_period, R.state == ReservationState.SETTLED)))


_USAGE = _usage_query()


def _reservation(row: Any) -> Reservation:
    return Reservation(row.job_id, row.user_id, row.billing_period, row.amount, row.state, row.actual,
                       row.created_at)


class SqlQuotaGuard(QuotaGuard):
    """Reservations in `quota_reservations`; the plan's decision is the domain's (`Plan.admit`).

    Atomicity: a reservation first takes the lock of its (user, period) row in `quota_periods`
    (SELECT ... FOR UPDATE on PostgreSQL; on SQLite the write transaction itself, BEGIN IMMEDIATE,
    holds the database's single write lock), then sums what is settled and reserved, asks the
    plan, and inserts, all in one transaction: two reservations of one user never interleave.

    The user's plan comes from `plans` (a PlanSource, asked before the transaction so that a slow
    source holds no lock; a user -> Plan mapping means the database's assignments over it)."""

    def __init__(self, engine: AsyncEngine | Database, plans: PlanSource | Mapping[str, Plan] | None = None,
                 default_plan: Plan | None = None, clock: Clock | None = None):
        self._db = Database.of(engine)
        self._clock = clock
        if plans is None or isinstance(plans, Mapping):
            catalog = LEGACY_PLANS.with_default(default_plan) if default_plan else LEGACY_PLANS
            plans = SqlPlanBook(self._db, catalog, plans, clock)
        self.plans: PlanSource = plans
        self._create_period = self._db.upsert(quota_periods).on_conflict_do_nothing()
        self._insert = self._db.upsert(quota_reservations).on_conflict_do_nothing()

    def _now(self) -> datetime:
        return self._clock.now() if self._clock else datetime.now(UTC)

    def _transaction(self, what: str, **options: Any):
        return self._db.transaction(QuotaGuardError, what, **options)

    async def assign(self, user_id: str, plan: Plan) -> None:
        """Record `plan` as the user's plan, when the plans are the database's (tests, legacy callers)."""
        if not isinstance(self.plans, SqlPlanBook):
            raise TypeError("assign works on the database's plan book only; assign through your PlanSource")
        self.plans.remember(plan)
        await self.plans.assign(user_id, plan.name)

    async def reserve(self, user_id: str, job_id: str, amount: Cost, period: str) -> Reservation:
        plan = await self.plans.plan_for(user_id)
        async with self._transaction(f"reserving quota for job {job_id}") as conn:
            await self._lock_period(conn, user_id, period)
            existing = await self._find(conn, job_id)
            if existing is not None:
                return existing
            plan.admit(await self._usage(conn, user_id, period), amount)  # raises QuotaExceededError
            now = self._now()
            # ON CONFLICT DO NOTHING: the same job reserved meanwhile (under another user or
            # period) is found, not a failed insert that would abort a unit of work.
            added = await conn.execute(self._insert, {
                "job_id": job_id, "user_id": user_id, "billing_period": period,
                "state": ReservationState.RESERVED, "amount": amount, "created_at": now, "updated_at": now})
            if added.rowcount != 1:
                existing = await self._find(conn, job_id)
                if existing is None:
                    raise QuotaGuardError(f"reserving quota for job {job_id}: the database refused it")
                return existing
            return Reservation(job_id, user_id, period, amount, created_at=now)

    async def _lock_period(self, conn: AsyncConnection, user_id: str, period: str) -> None:
        await conn.execute(self._create_period, {"user_id": user_id, "billing_period": period,
                                                 "created_at": self._now()})
        await conn.execute(_LOCK_PERIOD, {"the_user": user_id, "the_period": period})

    async def reprice(self, job_id: str, amount: Cost) -> Reservation:
        found = await self._get(job_id)
        if found is None:
            raise ReservationNotFoundError(f"no reservation for job {job_id}")
        plan = await self.plans.plan_for(found.user_id)
        async with self._transaction(f"re-pricing the reservation of job {job_id}", conflicts=True) as conn:
            await self._lock_period(conn, found.user_id, found.period)
            current = await self._find(conn, job_id, lock=True)
            if current is None or current.state != ReservationState.RESERVED:
                raise QuotaGuardError(f"the reservation of job {job_id} is no longer held; it cannot be re-priced")
            usage = await self._usage(conn, current.user_id, current.period)
            plan.admit(usage.without(current), amount)  # raises QuotaExceededError, keeping the old amount
            await conn.execute(_UPDATE, {"the_job": job_id, "amount": amount, "updated_at": self._now()})
            return replace(current, amount=amount)

    async def settle(self, job_id: str, actual: Cost) -> Reservation:
        async with self._transaction(f"settling the reservation of job {job_id}", patient=True) as conn:
            current = await self._find(conn, job_id, lock=True)
            if current is None:
                raise ReservationNotFoundError(f"no reservation for job {job_id}")
            if current.state == ReservationState.RELEASED:
                raise QuotaGuardError(f"the reservation of job {job_id} was released; it cannot be settled")
            if current.state == ReservationState.SETTLED:
                return current
            await conn.execute(_UPDATE, {"the_job": job_id, "state": ReservationState.SETTLED, "actual": actual,
                                         "updated_at": self._now()})
            return replace(current, state=ReservationState.SETTLED, actual=actual)

    async def release(self, job_id: str) -> Reservation | None:
        async with self._transaction(f"releasing the reservation of job {job_id}", patient=True) as conn:
            current = await self._find(conn, job_id, lock=True)
            if current is None or current.state != ReservationState.RESERVED:
                return current
            await conn.execute(_UPDATE, {"the_job": job_id, "state": ReservationState.RELEASED,
                                         "updated_at": self._now()})
            return replace(current, state=ReservationState.RELEASED)

    async def check(self, user_id: str, amount: Cost, period: str) -> QuotaCheck:
        plan = await self.plans.plan_for(user_id)
        async with self._transaction(f"checking the quota of user {user_id}", write=False) as conn:
            return plan.check(await self._usage(conn, user_id, period), amount)

    async def held(self) -> list[Reservation]:
        async with self._transaction("listing held reservations", write=False) as conn:
            rows = (await conn.execute(select(quota_reservations).where(R.state == ReservationState.RESERVED)
                                       .order_by(R.created_at, R.job_id))).all()
        return [_reservation(row) for row in rows]

    async def _get(self, job_id: str) -> Reservation | None:
        async with self._transaction(f"reading the reservation of job {job_id}", write=False) as conn:
            return await self._find(conn, job_id)

    async def _find(self, conn: AsyncConnection, job_id: str, *, lock: bool = False) -> Reservation | None:
        row = (await conn.execute(_FIND_LOCKED if lock else _FIND, {"the_job": job_id})).first()
        return _reservation(row) if row is not None else None

    async def _usage(self, conn: AsyncConnection, user_id: str, period: str) -> QuotaUsage:
        row = (await conn.execute(_USAGE, {"the_user": user_id, "the_period": period})).one()
        calls, cost, reserved_calls, reserved_cost, running = row
        return QuotaUsage(period, calls or 0, cost or ZERO, reserved_calls or 0, reserved_cost or ZERO, running or 0)
