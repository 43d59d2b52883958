from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime

from videoforge.adapters.fakes.faults import FaultInjector
from videoforge.adapters.fakes.plans import InMemoryPlanBook
from videoforge.application.ports.clock import Clock
from videoforge.application.ports.plans import PlanSource
from videoforge.application.ports.quota import QuotaGuard, QuotaGuardError, ReservationNotFoundError
from videoforge.domain.money import Cost
from videoforge.domain.quota import (
    LEGACY_PLANS,
    Plan,
    QuotaCheck,
    QuotaUsage,
    Reservation,
    ReservationState,
)


class InMemoryQuotaGuard(FaultInjector, QuotaGuard):
    """Reservations in a dict under one lock; the user's plan comes from `plans` (a PlanSource,
    or a user -> Plan mapping over `default_plan`), the decision is the domain's."""

    def __init__(self, plans: PlanSource | Mapping[str, Plan] | None = None, default_plan: Plan | None = None,
                 clock: Clock | None = None):
        super().__init__()
        self._clock = clock
        if plans is None or isinstance(plans, Mapping):
            catalog = LEGACY_PLANS.with_default(default_plan) if default_plan else LEGACY_PLANS
            plans = InMemoryPlanBook(catalog, plans)
        self.plans: PlanSource = plans
        self.reservations: dict[str, Reservation] = {}
        self._lock = asyncio.Lock()

    def assign(self, user_id: str, plan: Plan) -> None:
        """A test's shortcut, when the plans are the in-memory book."""
        if not isinstance(self.plans, InMemoryPlanBook):
            raise TypeError("assign works on the in-memory plan book only; assign through your PlanSource")
        self.plans.set(user_id, plan)

    def usage(self, user_id: str, period: str) -> QuotaUsage:
        calls, cost, reserved_calls, reserved_cost, running = 0, Cost(0), 0, Cost(0), 0
        for r in self.reservations.values():
            if r.user_id != user_id:
                continue
            running += r.state == ReservationState.RESERVED
            if r.period != period:
                continue
            if r.state == ReservationState.SETTLED:
                calls, cost = calls + 1, cost + (r.actual or r.amount)
            elif r.state == ReservationState.RESERVED:
                reserved_calls, reserved_cost = reserved_calls + 1, reserved_cost + r.amount
        return QuotaUsage(period, calls, cost, reserved_calls, reserved_cost, running)

    async def reserve(self, user_id: str, job_id: str, amount: Cost, period: str) -> Reservation:
        self._maybe_fail("reserve")
        plan = await self.plans.plan_for(user_id)
        async with self._lock:
            if job_id in self.reservations:
                return self.reservations[job_id]
            usage = self.usage(user_id, period)
            await asyncio.sleep(0)  # a database round trip: without the lock, others would slip in here
            plan.admit(usage, amount)
            now = self._clock.now() if self._clock else datetime.now(UTC)
            self.reservations[job_id] = Reservation(job_id, user_id, period, amount, created_at=now)
            return self.reservations[job_id]

    async def settle(self, job_id: str, actual: Cost) -> Reservation:
        self._maybe_fail("settle")
        async with self._lock:
            current = self.reservations.get(job_id)
            if current is None:
                raise ReservationNotFoundError(f"no reservation for job {job_id}")
            if current.state == ReservationState.RELEASED:
                raise QuotaGuardError(f"the reservation of job {job_id} was released; it cannot be settled")
            if current.state == ReservationState.RESERVED:
                current = replace(current, state=ReservationState.SETTLED, actual=actual)
                self.reservations[job_id] = current
            return current

    async def release(self, job_id: str) -> Reservation | None:
        self._maybe_fail("release")
        async with self._lock:
            current = self.reservations.get(job_id)
            if current is not None and current.state == ReservationState.RESERVED:
                current = replace(current, state=ReservationState.RELEASED)
                self.reservations[job_id] = current
            return current

    async def check(self, user_id: str, amount: Cost, period: str) -> QuotaCheck:
        self._maybe_fail("check")
        plan = await self.plans.plan_for(user_id)
        return plan.check(self.usage(user_id, period), amount)

    async def held(self) -> list[Reservation]:
        self._maybe_fail("held")
        return sorted((r for r in self.reservations.values() if r.state == ReservationState.RESERVED),
                      key=lambda r: (r.created_at, r.job_id))
