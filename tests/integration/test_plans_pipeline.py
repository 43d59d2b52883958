"""Plans the host decides, through the whole pipeline, on the memory backend, SQLite and
PostgreSQL: a plan of VIDEOFORGE_PLANS_FILE assigned in the database, and a resolver passed to
`open_container(plans=...)`, each decide admission, including a hundred requests at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from dependency_injector import providers

from tests.conftest import settings_for_tests
from tests.contracts.builders import text_request
from tests.integration.conftest import close_database, open_database
from videoforge.adapters.fakes import FakeClock, FakeMediaProbe, FakeVideoProvider
from videoforge.application.ports import PlanSourceError
from videoforge.bootstrap import Container, build_container, open_container
from videoforge.domain import Cost, Plan, QuotaExceededError

PLANS = """
[plans.trial]
video_calls_limit = 1
monthly_cost_limit = "1.00"

[plans.team]
video_calls_limit = 7
monthly_cost_limit = "0"

[plans.burst]
video_calls_limit = 0
monthly_cost_limit = "100"
concurrent_jobs = 3
"""


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def backend(request, tmp_path) -> AsyncIterator[dict]:
    """Settings of one backend, with the plans file above (`trial` the default)."""
    plans_file = tmp_path / "plans.toml"
    plans_file.write_text(PLANS)
    settings = {"backend": "memory", "plans_file": plans_file, "default_plan": "trial", "data_dir": tmp_path}
    if request.param == "memory":
        yield settings
        return
    database = await open_database(request.param, tmp_path)
    try:
        yield settings | {"backend": "sql", "database_url": database.url, "database": database}
    finally:
        await close_database(database)


@asynccontextmanager
async def service(backend: dict, **open_options) -> AsyncIterator[tuple[Container, FakeVideoProvider]]:
    database = backend.get("database")
    container = build_container(settings_for_tests(**{k: v for k, v in backend.items() if k != "database"}))
    if database is not None and database.kind == "postgres":  # the test's own schema, which a URL cannot name
        container.sql_engine.override(providers.Object(database.engine()))
    provider = FakeVideoProvider()
    container.video_providers.override(providers.Object({"wavespeed": provider}))
    container.clock.override(providers.Object(FakeClock()))
    container.media_probe.override(providers.Object(FakeMediaProbe()))
    async with open_container(container=container, **open_options):
        yield container, provider


async def hundred_at_once(container: Container, user: str = "u1") -> tuple[int, list[QuotaExceededError]]:
    generate = container.generate_video()
    results = await asyncio.gather(*(generate(text_request(user_id=user)) for _ in range(100)),
                                   return_exceptions=True)
    refused = [r for r in results if isinstance(r, QuotaExceededError)]
    others = [r for r in results if isinstance(r, BaseException) and not isinstance(r, QuotaExceededError)]
    assert others == []
    return len(results) - len(refused), refused


async def test_a_new_user_gets_the_default_plan_of_the_file(backend):
    async with service(backend) as (container, provider):
        await container.generate_video()(text_request())
        with pytest.raises(QuotaExceededError) as caught:
            await container.generate_video()(text_request())
    assert caught.value.usage_info["plan"] == "trial" and caught.value.error_type == "video_limit"
    assert len(provider.submissions) == 1


async def test_a_file_plan_assigned_in_the_database_decides_a_hundred_requests_at_once(backend):
    async with service(backend) as (container, provider):
        await container.assign_plan()("u1", "team", by="test")
        done, refused = await hundred_at_once(container)
        usage = (await container.get_usage()("u1")).quota
    assert (done, len(refused)) == (7, 93) and len(provider.submissions) == 7
    assert {r.usage_info["plan"] for r in refused} == {"team"}
    assert (usage.plan.name, usage.usage.calls) == ("team", 7)


async def test_a_python_resolver_decides_a_hundred_requests_at_once(backend):
    asked: list[str] = []

    async def host_billing(user_id: str) -> Plan:
        asked.append(user_id)
        return Plan("host-gold", 6, Cost("0"))

    async with service(backend, plans=host_billing) as (container, provider):
        done, refused = await hundred_at_once(container)
        shown = await container.show_plan()("u1")
    assert (done, len(refused)) == (6, 94) and len(provider.submissions) == 6
    assert {r.usage_info["plan"] for r in refused} == {"host-gold"} and set(asked) == {"u1"}
    assert (shown.plan.name, shown.assigned) == ("host-gold", None)


async def test_concurrent_jobs_caps_the_jobs_in_flight(backend):
    async with service(backend) as (container, _):
        await container.assign_plan()("u1", "burst")
        submit = container.submit_video()
        results = await asyncio.gather(*(submit(text_request()) for _ in range(10)), return_exceptions=True)
        admitted = [r for r in results if not isinstance(r, BaseException)]
        refused = [r for r in results if isinstance(r, QuotaExceededError)]
        assert (len(admitted), len(refused)) == (3, 7)
        assert {r.error_type for r in refused} == {"concurrency_limit"}
        assert refused[0].usage_info["running_jobs"] == 3
        await container.cancel_job()(admitted[0].id, "u1")  # one finishes: room for one more
        await submit(text_request())
        with pytest.raises(QuotaExceededError):
            await submit(text_request())


async def test_a_failing_resolver_reserves_nothing(backend):
    def down(user_id: str) -> Plan:
        raise ConnectionError("billing service unreachable")

    async with service(backend, plans=down) as (container, provider):
        with pytest.raises(PlanSourceError, match="billing service unreachable"):
            await container.generate_video()(text_request())
        assert await container.quota_guard().held() == [] and provider.submissions == []
        assert await container.job_repository().list_for_user("u1") == []
