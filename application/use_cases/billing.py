"""The provider's own account: its balance, and its billing records checked against videoforge's."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from videoforge.application.ports.billing import ProviderAccount
from videoforge.application.ports.clock import Clock
from videoforge.application.ports.jobs import JobRepository
from videoforge.application.ports.provider import ProviderError
from videoforge.application.ports.usage import UsageMeter
from videoforge.domain.billing import BilledTask, BillingAudit, ProviderCharge, audit_billing, check_balance
from videoforge.domain.catalog import ModelCatalog
from videoforge.domain.errors import InvalidRequestError
from videoforge.domain.job import VideoJob
from videoforge.domain.money import ZERO, Cost

log = logging.getLogger("videoforge.billing")

# Charges of an audited task recorded this long before or after the window still count (a
# deduction just before it, a refund that came hours later).
CHARGE_MARGIN = timedelta(days=1)


def accounts_of(providers: Mapping[str, object]) -> dict[str, ProviderAccount]:
    """The configured providers that can tell their balance and billing records."""
    return {name: p for name, p in providers.items() if isinstance(p, ProviderAccount)}


def _account(accounts: Mapping[str, ProviderAccount], provider: str) -> ProviderAccount:
    if provider not in accounts:
        raise InvalidRequestError("provider", "has no billing records videoforge can read here", value=provider,
                                  allowed=sorted(accounts) or ["none"])
    return accounts[provider]


class AuditBilling:
    """Compares, task by task, what a provider charged with what videoforge billed its users."""

    def __init__(self, accounts: Mapping[str, ProviderAccount], jobs: JobRepository, usage: UsageMeter, clock: Clock):
        self._accounts = accounts
        self._jobs = jobs
        self._usage = usage
        self._clock = clock

    async def __call__(self, provider: str, since: datetime, until: datetime | None = None) -> BillingAudit:
        account = _account(self._accounts, provider)
        until = until or self._clock.now()
        if until <= since:
            raise InvalidRequestError("since", "must be before the end of the audited period", value=since.isoformat())
        charges = [c async for c in account.charges(since - CHARGE_MARGIN, until + CHARGE_MARGIN)]
        jobs = await self._jobs.list_at_provider(provider, since, until)
        jobs += await self._jobs_of_tasks(provider, _charged_in(charges, since, until), jobs)
        billed = {r.job_id: r.cost for r in await self._usage.records_of([j.id for j in jobs])}
        return audit_billing(provider, since, until, charges, [_billed(j, billed.get(j.id, ZERO)) for j in jobs])

    async def _jobs_of_tasks(self, provider: str, task_ids: Collection[str], known: list[VideoJob]) -> list[VideoJob]:
        """The jobs of tasks charged in the window but submitted before it (rare: one read each)."""
        seen = {j.provider_job_id for j in known}
        found = [await self._jobs.find_by_provider_job_id(provider, t) for t in task_ids if t not in seen]
        return [j for j in found if j is not None]


def _charged_in(charges: list[ProviderCharge], since: datetime, until: datetime) -> list[str]:
    return sorted({c.task_id for c in charges if c.task_id and since <= c.at < until})


def _billed(job: VideoJob, cost: Cost) -> BilledTask:
    return BilledTask(job.provider_job_id or "", job.id, job.user_id, job.model, job.status.value, cost,
                      job.submitted_at)


@dataclass(frozen=True, slots=True)
class ProviderOverview:
    name: str
    models: int
    balance: Decimal | None = None  # None: the provider keeps no account, or it could not be read
    balance_error: str | None = None


class ListProviders:
    """The configured providers, their models and, where the provider keeps an account, its balance."""

    def __init__(self, providers: Collection[str], accounts: Mapping[str, ProviderAccount], catalog: ModelCatalog):
        self._providers = providers
        self._accounts = accounts
        self._catalog = catalog

    async def __call__(self) -> list[ProviderOverview]:
        return [await self._overview(name) for name in sorted(self._providers)]

    async def _overview(self, name: str) -> ProviderOverview:
        models = len(self._catalog.models(None, [name]))
        if name not in self._accounts:
            return ProviderOverview(name, models)
        try:
            return ProviderOverview(name, models, await self._accounts[name].balance())
        except ProviderError as e:
            return ProviderOverview(name, models, balance_error=str(e))


class BalanceCheck:
    """Before a job is reserved: refuses it when its provider's balance is below its price (when
    `enabled`). A balance that cannot be read refuses nothing: the submission will tell."""

    def __init__(self, accounts: Mapping[str, ProviderAccount], enabled: bool):
        self._accounts = accounts
        self._enabled = enabled

    async def __call__(self, provider: str, price: Cost) -> None:
        if not self._enabled or provider not in self._accounts or price.usd == 0:
            return
        try:
            balance = await self._accounts[provider].balance()
        except ProviderError as e:
            log.warning("the %s balance could not be read before a submission (%s); not checked", provider, e)
            return
        check_balance(provider, balance, price)
