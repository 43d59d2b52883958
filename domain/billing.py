"""What the provider charged against what videoforge billed, task by task, and whether the
provider's balance covers a price. Pure rules: the records come in through ports."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from videoforge.domain.errors import DomainError
from videoforge.domain.money import Cost

# A price difference up to a cent is rounding on one side or the other, not a discrepancy.
TOLERANCE = Decimal("0.01")


class ChargeKind(StrEnum):
    DEDUCT = "deduct"
    REFUND = "refund"


@dataclass(frozen=True, slots=True)
class ProviderCharge:
    """One record of the provider's own billing: money taken for a task, or given back."""

    record_id: str
    task_id: str | None  # None: a record tied to no task (not audited)
    kind: ChargeKind
    amount: Cost
    at: datetime


@dataclass(frozen=True, slots=True)
class BilledTask:
    """What videoforge knows of one provider task: its job and what the user was billed for it
    (the usage record's cost; zero when the job ended without a video)."""

    task_id: str
    job_id: str
    user_id: str
    model: str
    status: str
    billed: Cost
    submitted_at: datetime | None = None


class Discrepancy(StrEnum):
    NOT_BILLED = "charged_not_billed"  # the provider charged, videoforge billed nobody
    REFUNDED = "refunded_but_billed"  # videoforge billed, the provider gave the money back
    PRICE = "price_difference"  # both charged, the amounts differ by more than a cent


@dataclass(frozen=True, slots=True)
class TaskAudit:
    task_id: str
    provider_charged: Decimal  # deductions minus refunds (negative if it refunded more)
    billed: Cost
    refunded: bool
    discrepancy: Discrepancy | None
    job_id: str | None = None
    user_id: str | None = None
    model: str | None = None
    status: str | None = None

    @property
    def difference(self) -> Decimal:
        """What the provider charged beyond what we billed (negative: we billed more)."""
        return self.provider_charged - self.billed.usd


@dataclass(frozen=True, slots=True)
class BillingAudit:
    provider: str
    since: datetime
    until: datetime
    tasks: tuple[TaskAudit, ...]

    @property
    def discrepancies(self) -> tuple[TaskAudit, ...]:
        return tuple(t for t in self.tasks if t.discrepancy is not None)

    @property
    def clean(self) -> bool:
        return not self.discrepancies

    @property
    def provider_total(self) -> Decimal:
        return sum((t.provider_charged for t in self.tasks), Decimal(0))

    @property
    def billed_total(self) -> Cost:
        return sum((t.billed for t in self.tasks), Cost(0))


def classify(provider_charged: Decimal, billed: Cost, refunded: bool) -> Discrepancy | None:
    """The rule: a task's net charge at the provider against what the user was billed."""
    if billed.usd == 0 and provider_charged > TOLERANCE:
        return Discrepancy.NOT_BILLED
    if billed.usd > 0 and refunded and provider_charged <= TOLERANCE:
        return Discrepancy.REFUNDED
    if abs(provider_charged - billed.usd) > TOLERANCE:
        return Discrepancy.PRICE
    return None


def audit_billing(provider: str, since: datetime, until: datetime, charges: Iterable[ProviderCharge],
                  ours: Iterable[BilledTask]) -> BillingAudit:
    """Compare, task by task, the provider's charges with videoforge's billing. The tasks audited
    are those the provider charged within [since, until) and those videoforge submitted in it;
    every charge of such a task counts, even one recorded outside the window (a late refund)."""
    by_task: dict[str, list[ProviderCharge]] = defaultdict(list)
    in_window: set[str] = set()
    for charge in charges:
        if charge.task_id is None:
            continue
        by_task[charge.task_id].append(charge)
        if since <= charge.at < until:
            in_window.add(charge.task_id)
    known = {task.task_id: task for task in ours}
    audited = sorted(in_window | {t for t, task in known.items() if _submitted_in(task, since, until)})
    return BillingAudit(provider, since, until,
                        tuple(_audit_task(t, by_task.get(t, []), known.get(t)) for t in audited))


def _submitted_in(task: BilledTask, since: datetime, until: datetime) -> bool:
    return task.submitted_at is None or since <= task.submitted_at < until


def _audit_task(task_id: str, charges: list[ProviderCharge], ours: BilledTask | None) -> TaskAudit:
    deducted = sum((c.amount.usd for c in charges if c.kind is ChargeKind.DEDUCT), Decimal(0))
    refunds = [c.amount.usd for c in charges if c.kind is ChargeKind.REFUND]
    net = deducted - sum(refunds, Decimal(0))
    billed = ours.billed if ours else Cost(0)
    return TaskAudit(task_id, net, billed, bool(refunds), classify(net, billed, bool(refunds)),
                     job_id=ours.job_id if ours else None, user_id=ours.user_id if ours else None,
                     model=ours.model if ours else None, status=ours.status if ours else None)


class InsufficientBalanceError(DomainError):
    """The provider's balance does not cover the job's price: refused before anything is reserved."""

    def __init__(self, provider: str, balance: Decimal, price: Cost):
        self.provider, self.balance, self.price = provider, balance, price
        super().__init__(f"the {provider} account's balance (${balance:f}) does not cover this job's price "
                         f"({price}); top the account up or choose a cheaper request")


def check_balance(provider: str, balance: Decimal, price: Cost) -> None:
    """A job is sent only when the provider's balance covers its price."""
    if balance < price.usd:
        raise InsufficientBalanceError(provider, balance, price)
