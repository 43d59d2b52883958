"""The billing audit end to end: jobs run through the container against the WaveSpeed emulator
(which keeps billing records as WaveSpeed does: a deduction per task created, a refund when one
fails), then `AuditBilling` and the `videoforge billing audit` command compare them with the
usage records in the SQLite database."""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from typer.testing import CliRunner, Result

from tests.contracts.builders import text_request
from tests.emulators.wavespeed import Scenario, emulator_environment
from videoforge.application.errors import JobFailedError
from videoforge.bootstrap import Settings, build_container, open_container
from videoforge.bootstrap.cli import build_app
from videoforge.domain.billing import Discrepancy, InsufficientBalanceError

PRICE = "0.20"  # hunyuan-video-1.5 at 720p, 5 s: what the catalog bills (domain/models_wavespeed.py)
MODEL = "wavespeed-ai/hunyuan-video-1.5/text-to-video"


@pytest.fixture
def environment(wavespeed_emulator, monkeypatch, tmp_path):
    def apply(**extra: str) -> dict[str, str]:
        env = emulator_environment(wavespeed_emulator, VIDEOFORGE_STORAGE="memory", VIDEOFORGE_DATA_DIR=str(tmp_path),
                                   VIDEOFORGE_DEFAULT_PLAN="pro", **extra)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        wavespeed_emulator.real_media = True
        wavespeed_emulator.prices[MODEL] = PRICE
        return env

    return apply


@pytest.fixture
async def container(environment):
    environment()
    container = build_container(Settings())
    async with open_container(container=container):
        yield container


async def run(container, *scenarios: Scenario, emulator) -> list[str]:
    """Runs one job per scenario; returns the provider task ids in order."""
    emulator.script(*scenarios)
    for _ in scenarios:
        with contextlib.suppress(JobFailedError):
            await container.generate_video()(text_request())
    return list(emulator.tasks)


def videoforge(*args: str) -> Result:
    """The `videoforge` command in this process (the environment is the test's), in a thread of its own
    since the command runs its own event loop."""
    return CliRunner().invoke(build_app(), list(args))


async def audit_cli(*args: str) -> Result:
    return await asyncio.to_thread(videoforge, *args)


async def test_a_clean_month_is_reported_clean(container, environment, wavespeed_emulator):
    since = datetime.now(UTC) - timedelta(minutes=5)
    tasks = await run(container, Scenario.succeed(), Scenario.succeed(), Scenario.fail(1403),
                      emulator=wavespeed_emulator)

    audit = await container.audit_billing()("wavespeed", since)

    assert audit.clean and [t.task_id for t in audit.tasks] == sorted(tasks)
    assert audit.provider_total == Decimal("0.40") and audit.billed_total.usd == Decimal("0.40")
    failed = next(t for t in audit.tasks if t.task_id == tasks[2])
    assert failed.refunded and failed.provider_charged == 0 and failed.status == "failed"
    result = await audit_cli("billing", "audit", "--since", since.isoformat(), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["clean"] is True and report["discrepancies"] == 0 and len(report["tasks"]) == 3


async def test_each_planted_discrepancy_is_found(container, environment, wavespeed_emulator):
    since = datetime.now(UTC) - timedelta(minutes=5)
    lost, refunded, dearer, rounding = await run(
        container, replace(Scenario.fail(1403), refund=False), Scenario.succeed(), Scenario.succeed(charge="0.25"),
        Scenario.succeed(charge="0.205"), emulator=wavespeed_emulator)
    wavespeed_emulator.add_billing(refunded, "refund", PRICE)
    wavespeed_emulator.add_billing("task-of-nobody", "deduct", "0.30")

    audit = await container.audit_billing()("wavespeed", since)

    found = {t.task_id: t.discrepancy for t in audit.discrepancies}
    assert found == {lost: Discrepancy.NOT_BILLED, refunded: Discrepancy.REFUNDED, dearer: Discrepancy.PRICE,
                     "task-of-nobody": Discrepancy.NOT_BILLED}
    assert next(t for t in audit.tasks if t.task_id == rounding).discrepancy is None  # half a cent is rounding
    assert next(t for t in audit.tasks if t.task_id == dearer).difference == Decimal("0.05")
    as_json = await audit_cli("billing", "audit", "--since", since.isoformat(), "--json")
    assert as_json.exit_code == 1
    assert {t["task_id"]: t["discrepancy"] for t in json.loads(as_json.output)["tasks"] if t["discrepancy"]} == {
        k: v.value for k, v in found.items()}
    table = await audit_cli("billing", "audit", "--since", since.date().isoformat())
    assert table.exit_code == 1 and "4 discrepancy" in table.output
    assert all(name in table.output for name in ("charged_not_billed", "refunded_but_billed", "price_difference"))


def test_an_audit_of_a_provider_without_billing_records_is_refused(environment):
    environment()
    result = videoforge("billing", "audit", "--since", "2026-01-01", "--provider", "local")
    assert result.exit_code == 2 and "provider: has no billing records" in result.output
    bad = videoforge("billing", "audit", "--since", "January")
    assert bad.exit_code == 2 and "--since: 'January' is not a date" in bad.output


def test_providers_shows_the_balance(environment, wavespeed_emulator):
    environment()
    wavespeed_emulator.balance = "7.5"
    result = videoforge("providers", "--json")
    assert result.exit_code == 0, result.output
    rows = {r["provider"]: r for r in json.loads(result.output)}
    assert rows["wavespeed"]["balance"] == "7.5" and rows["wavespeed"]["models"] > 0
    assert rows["local"]["balance"] is None
    assert "$7.5" in videoforge("providers").output


async def test_a_job_dearer_than_the_balance_is_refused_before_anything_is_reserved(environment,
                                                                                     wavespeed_emulator):
    environment(VIDEOFORGE_REFUSE_BELOW_BALANCE="true")
    wavespeed_emulator.balance = "0.15"  # the job costs $0.20
    container = build_container(Settings())
    async with open_container(container=container):
        with pytest.raises(InsufficientBalanceError, match=r"\$0.15.*\$0.2"):
            await container.submit_video()(text_request())
        period = container.clock().now().strftime("%Y-%m")
        assert (await container.quota_guard().held()) == []
        assert (await container.quota_guard().check("u1", container.catalog().get(MODEL).estimate("720p", 5),
                                                    period)).usage.reserved_calls == 0
        wavespeed_emulator.balance = "0.25"
        job = await container.submit_video()(text_request())
        assert job.estimated_cost.usd == Decimal(PRICE)
    assert wavespeed_emulator.submission_count == 0
