"""The billing rules (domain/billing.py), the audit and balance use cases over the fakes, and the
HTTP API's answer to a job the provider's balance cannot cover."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from decimal import Decimal

import httpx
import pytest
from dependency_injector import providers

from tests.contracts.builders import T0, job, later, usage
from tests.unit.test_http_api import SECRET, TEXT_JOB, token
from videoforge.application.ports.billing import ProviderAccount
from videoforge.application.ports.provider import ProviderUnavailableError
from videoforge.application.use_cases.billing import AuditBilling, BalanceCheck, ListProviders
from videoforge.bootstrap import Settings
from videoforge.bootstrap.http import build_app
from videoforge.domain import Cost, default_catalog
from videoforge.domain.billing import (
    BilledTask,
    ChargeKind,
    Discrepancy,
    InsufficientBalanceError,
    ProviderCharge,
    audit_billing,
    classify,
)

D = Decimal


@pytest.mark.parametrize("charged,billed,refunded,expected", [
    (D("0.20"), "0.20", False, None),
    (D("0.205"), "0.20", False, None),  # within a cent
    (D("0.21"), "0.20", False, None),  # exactly a cent is still rounding
    (D("0.22"), "0.20", False, Discrepancy.PRICE),
    (D("0.10"), "0.20", False, Discrepancy.PRICE),
    (D("0"), "0.20", False, Discrepancy.PRICE),  # billed, never charged
    (D("0.20"), "0", False, Discrepancy.NOT_BILLED),  # a lost result, or a failure we released
    (D("0"), "0.20", True, Discrepancy.REFUNDED),
    (D("0"), "0", True, None),  # a failed task refunded and not billed: as it should be
    (D("0.10"), "0.20", True, Discrepancy.PRICE),  # partly refunded
])
def test_a_task_is_classified_by_its_net_charge_and_what_was_billed(charged, billed, refunded, expected):
    assert classify(charged, Cost(billed), refunded) is expected


def charge(task: str | None, kind: str, amount: str, minutes: int) -> ProviderCharge:
    return ProviderCharge(f"r-{task}-{kind}-{minutes}", task, ChargeKind(kind), Cost(amount), later(minutes))


def ours(task: str, billed: str, minutes: int) -> BilledTask:
    return BilledTask(task, f"job-{task}", "u1", "m", "completed", Cost(billed), later(minutes))


def test_the_audit_takes_the_tasks_of_the_window_with_all_their_charges():
    charges = [charge("early", "deduct", "0.2", -30),  # charged and submitted before the window: not audited
               charge("a", "deduct", "0.2", 5), charge("a", "refund", "0.2", 200),  # the refund came late
               charge("b", "deduct", "0.2", -1),  # submitted in the window, charged just before it
               charge(None, "deduct", "5", 10)]  # tied to no task
    audit = audit_billing("wavespeed", later(0), later(60), charges,
                          [ours("b", "0.20", 1), ours("c", "0.30", 2), ours("late", "0.2", 90)])
    assert [t.task_id for t in audit.tasks] == ["a", "b", "c"]
    assert {t.task_id: t.discrepancy for t in audit.discrepancies} == {"c": Discrepancy.PRICE}
    assert audit.provider_total == D("0.2") and audit.billed_total == Cost("0.50") and not audit.clean


class FakeAccount(ProviderAccount):
    name = "wavespeed"

    def __init__(self, balance: str = "10", charges: list[ProviderCharge] | None = None):
        self.balance_value = D(balance)
        self.recorded = charges or []
        self.unreadable = False

    async def balance(self) -> Decimal:
        if self.unreadable:
            raise ProviderUnavailableError("the account could not be read")
        return self.balance_value

    async def charges(self, since: datetime, until: datetime) -> AsyncIterator[ProviderCharge]:
        for c in self.recorded:
            if since <= c.at < until:
                yield c


async def test_audit_billing_joins_jobs_usage_and_charges(harness):
    jobs, meter = harness.jobs, harness.usage
    for task, minutes, billed in (("t1", 1, "0.20"), ("t2", 2, None)):
        stored = await jobs.add(job())
        stored.start_submission(later(minutes))
        stored = await jobs.save(stored)
        stored.mark_submitted(task, later(minutes))
        await jobs.save(stored)
        if billed:
            await meter.record(usage(job_id=stored.id, cost=billed))
    account = FakeAccount(charges=[charge("t1", "deduct", "0.20", 1), charge("t2", "deduct", "0.20", 2)])
    audit = await AuditBilling({"wavespeed": account}, jobs, meter, harness.clock)("wavespeed", T0, later(60))
    assert {t.task_id: t.discrepancy for t in audit.tasks} == {"t1": None, "t2": Discrepancy.NOT_BILLED}
    assert next(t for t in audit.tasks if t.task_id == "t2").job_id is not None
    with pytest.raises(Exception, match="provider: has no billing records"):
        await AuditBilling({}, jobs, meter, harness.clock)("wavespeed", T0)
    with pytest.raises(Exception, match="since: must be before"):
        await AuditBilling({"wavespeed": account}, jobs, meter, harness.clock)("wavespeed", later(5), later(5))


async def test_the_balance_check_refuses_only_what_it_cannot_cover():
    account = FakeAccount("0.19")
    check = BalanceCheck({"wavespeed": account}, enabled=True)
    with pytest.raises(InsufficientBalanceError, match=r"\$0.19"):
        await check("wavespeed", Cost("0.20"))
    await check("wavespeed", Cost("0.19"))
    await check("local", Cost("5"))  # a provider without an account
    await BalanceCheck({"wavespeed": account}, enabled=False)("wavespeed", Cost("5"))
    account.unreadable = True
    await check("wavespeed", Cost("5"))  # an unreadable balance refuses nothing: the submission will tell


async def test_list_providers_shows_balances_and_their_errors():
    account = FakeAccount("3.5")
    listing = ListProviders(["wavespeed", "local"], {"wavespeed": account}, default_catalog())
    rows = {p.name: p for p in await listing()}
    assert rows["wavespeed"].balance == D("3.5") and rows["local"].balance is None and rows["local"].models > 0
    account.unreadable = True
    assert (await listing())[1].balance_error == "the account could not be read"


async def test_the_api_answers_402_and_reserves_nothing_when_the_balance_falls_short(harness):
    harness.container.provider_accounts.override(providers.Object({"wavespeed": FakeAccount("0.05")}))
    harness.container.config.refuse_below_balance.from_value(True)
    app = build_app(Settings(jwt_secret=SECRET), harness.container, resume_on_startup=False)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://t") as api:
        answer = await api.post("/api/video/jobs", json=TEXT_JOB, headers=token("u1"))
    assert answer.status_code == 402 and answer.json()["error"] == "insufficient_balance"
    assert "0.05" not in answer.text  # the operator's balance is not the caller's business
    assert await harness.quota.held() == [] and harness.jobs.jobs == {}
    assert harness.provider.submissions == []
