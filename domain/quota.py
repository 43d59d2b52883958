from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from videoforge.domain.errors import InvalidRequestError, QuotaExceededError
from videoforge.domain.money import ZERO, Cost


def billing_period(at: datetime) -> str:
    """The billing period key, `YYYY-MM` of the UTC calendar month."""
    return at.astimezone(UTC).strftime("%Y-%m")


_PERIOD = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")


def period_key(value: object, field: str = "period") -> str:
    """A billing period a caller names: `YYYY-MM`, month 01 to 12; anything else is refused naming `field`."""
    if not isinstance(value, str) or not _PERIOD.match(value):
        raise InvalidRequestError(field, "must be a billing period YYYY-MM (for example 2026-01)", value=value)
    return value


_PLAN_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


@dataclass(frozen=True, slots=True)
class Plan:
    """Limits per billing period; 0 means unlimited (the legacy meaning). `concurrent_jobs`
    (optional, 0 = unlimited) caps the user's jobs in flight: those whose reservation is held.
    `upload_bytes_limit` and `upload_count_limit` (optional, 0 = unlimited) cap the user's live
    uploads (kept input files not yet expired), whatever the period."""

    name: str
    video_calls_limit: int
    monthly_cost_limit: Cost
    concurrent_jobs: int = 0
    upload_bytes_limit: int = 0
    upload_count_limit: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _PLAN_NAME.match(self.name):
            raise InvalidRequestError("plan", "a plan name is 1 to 64 letters, digits, '_', '-' or '.'",
                                      value=self.name)
        for field in ("video_calls_limit", "concurrent_jobs", "upload_bytes_limit", "upload_count_limit"):
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidRequestError(f"{field}", f"of plan {self.name!r} must be a whole number >= 0 "
                                          "(0 = unlimited)", value=value)
        if not isinstance(self.monthly_cost_limit, Cost):
            try:
                object.__setattr__(self, "monthly_cost_limit", Cost(self.monthly_cost_limit))
            except (ValueError, TypeError, ArithmeticError):
                raise InvalidRequestError(
                    "monthly_cost_limit", f"of plan {self.name!r} must be US dollars >= 0 as a decimal string "
                    "(0 = unlimited)", value=self.monthly_cost_limit) from None

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
            # exact amounts: each caller renders them (decimal strings over HTTP, floats in legacy dicts)
            "current_cost": spent.usd,
            "cost_limit": self.monthly_cost_limit.usd,
            "requested_cost": requested.usd,
            "provider": "video",
            "operation_type": "video_generation",
            "plan": self.name,
        }
        if self.concurrent_jobs > 0 and usage.running + 1 > self.concurrent_jobs:
            return QuotaExceededError(
                f"Concurrent job limit reached: {usage.running} of {self.concurrent_jobs} jobs are running; "
                "wait for one to finish.",
                info | {"error_type": "concurrency_limit", "running_jobs": usage.running,
                        "concurrent_jobs": self.concurrent_jobs},
            )
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


    def upload_room(self, usage: UploadUsage) -> int | None:
        """How many more bytes of uploads the user may keep (None: no limit): what an upload may
        stream before it is refused."""
        if self.upload_bytes_limit == 0:
            return None
        return max(0, self.upload_bytes_limit - usage.bytes)

    def admit_upload(self, usage: UploadUsage, size: int) -> None:
        """Raise QuotaExceededError (naming the limit) unless one more upload of `size` bytes fits
        beside the user's live uploads."""
        info = {"error_type": "", "plan": self.name, "uploads": usage.count, "upload_bytes": usage.bytes,
                "requested_bytes": size, "upload_count_limit": self.upload_count_limit,
                "upload_bytes_limit": self.upload_bytes_limit, "operation_type": "upload"}
        if self.upload_count_limit > 0 and usage.count + 1 > self.upload_count_limit:
            raise QuotaExceededError(
                f"Upload limit reached: plan {self.name!r} keeps at most {self.upload_count_limit} uploads "
                f"(upload_count_limit) and {usage.count} are kept; use or let older ones expire.",
                info | {"error_type": "upload_count_limit"})
        if self.upload_bytes_limit > 0 and usage.bytes + size > self.upload_bytes_limit:
            raise QuotaExceededError(
                f"Upload storage limit would be exceeded: plan {self.name!r} keeps at most "
                f"{self.upload_bytes_limit} bytes of uploads (upload_bytes_limit); {usage.bytes} are kept and "
                f"this file is {'more than ' if size > self.upload_bytes_limit - usage.bytes else ''}{size} bytes.",
                info | {"error_type": "upload_bytes_limit"})


@dataclass(frozen=True, slots=True)
class UploadUsage:
    """A user's live uploads: how many, and their bytes in all."""

    count: int = 0
    bytes: int = 0


@dataclass(frozen=True, slots=True)
class QuotaUsage:
    """A user's figures for one billing period: settled usage and open reservations."""

    period: str
    calls: int = 0
    cost: Cost = ZERO
    reserved_calls: int = 0
    reserved_cost: Cost = ZERO
    running: int = 0  # reservations held in any period: the jobs in flight

    def without(self, reservation: Reservation) -> QuotaUsage:
        """These figures less one held reservation: to ask the plan again about a new price for it."""
        return replace(self, reserved_calls=max(0, self.reserved_calls - 1), running=max(0, self.running - 1),
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


@dataclass(frozen=True, slots=True)
class PlanCatalog:
    """The plans users can be put on, by name, and the one a user without a plan gets."""

    plans: tuple[Plan, ...]
    default: str

    def __post_init__(self) -> None:
        names = [plan.name for plan in self.plans]
        if not names:
            raise InvalidRequestError("plans", "at least one plan is needed")
        if len(set(names)) != len(names):
            raise InvalidRequestError("plans", "each plan name once", value=names)
        if self.default not in names:
            raise InvalidRequestError("default_plan", f"unknown plan {self.default!r}", value=self.default,
                                      allowed=names)

    @property
    def names(self) -> list[str]:
        return [plan.name for plan in self.plans]

    @property
    def default_plan(self) -> Plan:
        return self.named(self.default)

    def named(self, name: str) -> Plan:
        for plan in self.plans:
            if plan.name == name:
                return plan
        raise InvalidRequestError("plan", f"unknown plan {name!r}", value=name, allowed=self.names)

    def with_default(self, plan: Plan) -> PlanCatalog:
        """This catalog with `plan` as the default (added, or replacing the plan of its name)."""
        others = tuple(p for p in self.plans if p.name != plan.name)
        return PlanCatalog((*others, plan), plan.name)


_MiB = 1024 * 1024
# Uploads: even the free plan keeps several of the largest input any model takes (100 MiB).
FREE = Plan("free", 2, Cost("2"), upload_bytes_limit=512 * _MiB, upload_count_limit=20)
BASIC = Plan("basic", 10, Cost("25"), upload_bytes_limit=2048 * _MiB, upload_count_limit=100)
PRO = Plan("pro", 30, Cost("100"), upload_bytes_limit=10240 * _MiB, upload_count_limit=500)
ENTERPRISE = Plan("enterprise", 0, Cost("500"), upload_bytes_limit=51200 * _MiB, upload_count_limit=2000)
DEFAULT_PLANS: dict[str, Plan] = {p.name: p for p in (FREE, BASIC, PRO, ENTERPRISE)}
DEFAULT_PLAN = FREE
LEGACY_PLANS = PlanCatalog((FREE, BASIC, PRO, ENTERPRISE), FREE.name)  # the shipped default
