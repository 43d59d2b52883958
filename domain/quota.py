from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from videoforge.domain.errors import QuotaExceededError
from videoforge.domain.money import ZERO, Cost


def billing_period(at: datetime) -> str:
    """The billing period key, `YYYY-MM` of the UTC calendar month."""
    return at.astimezone(UTC).strftime("%Y-%m")


@dataclass(frozen=True, slots=True)
class Plan:
    """Limits per billing period; 0 means unlimited (the legacy meaning)."""

    name: str
    video_calls_limit: int
    monthly_cost_limit: Cost

    def admit(self, usage: QuotaUsage, requested: Cost) -> None:
        """Raise QuotaExceededError unless one more video of `requested` cost fits.

        What is reserved but not yet settled counts as used, so concurrent requests
        cannot overshoot the plan.
        """
        refusal = self.refusal(usage, requested)
        if refusal is not None:
            raise refusal

    def check(self, usage: QuotaUsage, requested: Cost) -> QuotaCheck:
        refusal = self.refusal(usage, requested)
        if refusal is None:
            return QuotaCheck(True, usage, self)
        return QuotaCheck(False, usage, self, str(refusal), refusal.usage_info)

    def refusal(self, usage: QuotaUsage, requested: Cost) -> QuotaExceededError | None:
        calls = usage.calls + usage.reserved_calls
        spent = usage.cost + usage.reserved_cost
        info = {
            "current_calls": calls,
            "limit": self.video_calls_limit,
            "current_cost": float(spent.usd),
            "cost_limit": float(self.monthly_cost_limit.usd),
            "requested_cost": float(requested.usd),
            "provider": "video",
            "operation_type": "video_generation",
            "plan": self.name,
        }
        if self.video_calls_limit > 0 and calls + 1 > self.video_calls_limit:
            return QuotaExceededError(
                f"Video generation limit would be exceeded. Would use {calls + 1} of "
                f"{self.video_calls_limit} videos this billing period.",
                info | {"error_type": "video_limit"},
            )
        limit = self.monthly_cost_limit
        if limit.usd > 0 and (spent + requested).usd > limit.usd:
            return QuotaExceededError(
                f"Monthly cost limit would be exceeded: {spent} used or reserved + {requested} "
                f"requested > {limit} allowed this billing period.",
                info | {"error_type": "cost_limit"},
            )
        return None


@dataclass(frozen=True, slots=True)
class QuotaUsage:
    """A user's figures for one billing period: settled usage and open reservations."""

    period: str
    calls: int = 0
    cost: Cost = ZERO
    reserved_calls: int = 0
    reserved_cost: Cost = ZERO

    def without(self, reservation: Reservation) -> QuotaUsage:
        """These figures less one held reservation: to ask the plan again about a new price for it."""
        return replace(self, reserved_calls=max(0, self.reserved_calls - 1),
                       reserved_cost=Cost(max(self.reserved_cost.usd - reservation.amount.usd, 0)))


@dataclass(frozen=True, slots=True)
class QuotaCheck:
    allowed: bool
    usage: QuotaUsage
    plan: Plan
    reason: str | None = None
    usage_info: dict | None = None


class ReservationState:
    RESERVED = "reserved"
    SETTLED = "settled"
    RELEASED = "released"


@dataclass(frozen=True, slots=True)
class Reservation:
    """Money and one call set aside for a job until it is settled or released."""

    job_id: str
    user_id: str
    period: str
    amount: Cost
    state: str = ReservationState.RESERVED
    actual: Cost | None = None
    created_at: datetime | None = None


FREE = Plan("free", 2, Cost("2"))
BASIC = Plan("basic", 10, Cost("25"))
PRO = Plan("pro", 30, Cost("100"))
ENTERPRISE = Plan("enterprise", 0, Cost("500"))
DEFAULT_PLANS: dict[str, Plan] = {p.name: p for p in (FREE, BASIC, PRO, ENTERPRISE)}
DEFAULT_PLAN = FREE
