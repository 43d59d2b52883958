"""Database failures reach the use cases as the ports' own errors, with a clear message and
the driver's error as the cause; a failed call leaves nothing half written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from tests.contracts.builders import asset, job, usage
from tests.integration.conftest import BACKENDS, close_database, open_database
from videoforge.adapters.plans import ResolverPlanSource
from videoforge.adapters.sql import (
    SqlAssetLibrary,
    SqlJobRepository,
    SqlPlanBook,
    SqlQuotaGuard,
    SqlUsageMeter,
    make_engine,
)
from videoforge.adapters.sql.migrate import upgrade_engine
from videoforge.adapters.sql.schema import api_usage_logs
from videoforge.application.ports import (
    AssetLibraryError,
    JobRepositoryError,
    PlanSourceError,
    QuotaGuardError,
    UsageMeterError,
)
from videoforge.domain import DEFAULT_PLANS, Cost

UNREACHABLE = "postgresql+asyncpg://vf:s3cret@127.0.0.1:1/videoforge"


def calls(engine):
    """One call of every adapter, with the port error each must raise."""
    quota = SqlQuotaGuard(engine, ResolverPlanSource(lambda user: DEFAULT_PLANS["pro"]))
    return [
        (JobRepositoryError, "recording job", lambda: SqlJobRepository(engine).add(job())),
        (JobRepositoryError, "reading job", lambda: SqlJobRepository(engine).get("j1")),
        (JobRepositoryError, "listing unfinished jobs", lambda: SqlJobRepository(engine).list_unfinished()),
        (AssetLibraryError, "adding the asset", lambda: SqlAssetLibrary(engine).add(asset())),
        (AssetLibraryError, "listing the assets", lambda: SqlAssetLibrary(engine).list("u1")),
        (UsageMeterError, "recording the usage", lambda: SqlUsageMeter(engine).record(usage())),
        (UsageMeterError, "reading the usage", lambda: SqlUsageMeter(engine).summary("u1", "2026-01")),
        (QuotaGuardError, "reserving quota", lambda: quota.reserve("u1", "j1", Cost(1), "2026-01")),
        (QuotaGuardError, "settling", lambda: quota.settle("j1", Cost(1))),
        (QuotaGuardError, "checking the quota", lambda: quota.check("u1", Cost(1), "2026-01")),
        (PlanSourceError, "reading the plan of user u1", lambda: SqlPlanBook(engine).plan_for("u1")),
        (PlanSourceError, "assigning plan pro", lambda: SqlPlanBook(engine).assign("u1", "pro")),
        # with the database's plans, the plan is read first: its failure is the plan source's
        (PlanSourceError, "reading the plan", lambda: SqlQuotaGuard(engine).reserve("u1", "j1", Cost(1), "2026-01")),
    ]


async def test_an_unreachable_server_is_each_ports_error_without_the_password():
    engine = make_engine(UNREACHABLE, connect_args={"timeout": 2})
    try:
        for error, what, call in calls(engine):
            with pytest.raises(error) as caught:
                await call()
            message = str(caught.value)
            assert what in message and "database error" in message and "s3cret" not in message
            assert caught.value.__cause__ is not None
    finally:
        await engine.dispose()


@pytest.fixture(params=BACKENDS)
async def unmigrated(request, tmp_path):
    database = await open_database(request.param, tmp_path, migrate=False)
    try:
        yield database
    finally:
        await close_database(database)


async def test_a_database_without_the_schema_is_each_ports_error(unmigrated):
    engine = unmigrated.engine()
    for error, what, call in calls(engine):
        with pytest.raises(error, match=what) as caught:
            await call()
        assert "run `videoforge db upgrade`" in str(caught.value)


async def test_a_failed_usage_record_writes_nothing(unmigrated):
    engine = unmigrated.engine()
    await upgrade_engine(engine)
    async with engine.begin() as conn:  # the second statement of record() will fail
        await conn.execute(text("DROP TABLE usage_summaries"))

    with pytest.raises(UsageMeterError, match="recording the usage of job job-1"):
        await SqlUsageMeter(engine).record(usage(job_id="job-1"))

    async with engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(api_usage_logs)) == 0


@pytest.mark.postgres
async def test_a_server_with_no_connection_to_spare_is_waited_for_then_a_retryable_port_error():
    """"too many clients" (here a role's connection limit, the same SQLSTATE 53300): the adapter
    asks again a few times; a connection freed meanwhile is used; else the port's error says it
    may be retried (the HTTP API answers 503, not 500)."""
    import asyncio
    import uuid

    import asyncpg

    from tests.integration.conftest import postgres_url
    from videoforge.adapters.sql.database import Database

    url = postgres_url()
    role = f"vf_limited_{uuid.uuid4().hex[:8]}"
    admin = make_engine(url)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE ROLE "{role}" LOGIN CONNECTION LIMIT 1'))
    limited = url.replace("postgres@", f"{role}@", 1)
    engine = make_engine(limited)
    database = Database(engine)
    held = await asyncpg.connect(limited.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        with pytest.raises(JobRepositoryError, match="database error") as caught:
            async with database.transaction(JobRepositoryError, "reading job", write=False) as conn:
                await conn.execute(text("SELECT 1"))
        assert caught.value.retryable is True

        async def free_soon() -> None:
            await asyncio.sleep(0.1)
            await held.close()

        freeing = asyncio.create_task(free_soon())
        async with database.transaction(JobRepositoryError, "reading job", write=False) as conn:
            assert (await conn.execute(text("SELECT 1"))).scalar_one() == 1
        await freeing
    finally:
        if not held.is_closed():
            await held.close()
        await engine.dispose()
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP ROLE "{role}"'))
        await admin.dispose()
