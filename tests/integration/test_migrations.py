"""Alembic migrations: an empty database reaches the head and matches adapters/sql/schema.py;
a database at the first revision, with rows, is upgraded without losing them."""

from __future__ import annotations

import asyncio

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from tests.contracts.builders import asset, job, later, usage
from tests.integration.conftest import BACKENDS, close_database, open_database
from videoforge.adapters.sql import Database, SqlAssetLibrary, SqlJobRepository, SqlQuotaGuard, SqlUsageMeter
from videoforge.adapters.sql.migrate import current, head, upgrade_engine
from videoforge.adapters.sql.schema import metadata
from videoforge.domain import DEFAULT_PLANS, Cost

LISTING_INDEXES = {"ix_video_jobs_user_id_created_at", "ix_video_jobs_status_created_at"}


@pytest.fixture(params=BACKENDS)
async def blank(request, tmp_path):
    database = await open_database(request.param, tmp_path, migrate=False)
    try:
        yield database
    finally:
        await close_database(database)


def schema_differences(connection) -> list:
    return compare_metadata(MigrationContext.configure(connection), metadata)


def job_indexes(connection) -> set[str]:
    return {index["name"] for index in inspect(connection).get_indexes("video_jobs")}


async def test_an_empty_database_is_brought_to_the_head_which_matches_the_schema(blank):
    engine = blank.engine()
    await upgrade_engine(engine)
    await upgrade_engine(engine)  # again: nothing to do
    async with engine.connect() as conn:
        assert await conn.run_sync(current) == head() == "0004"
        assert await conn.run_sync(schema_differences) == []


async def test_a_database_at_the_first_revision_keeps_its_rows_through_the_upgrade(blank):
    engine = blank.engine()
    await upgrade_engine(engine, "0001")
    async with engine.connect() as conn:
        assert await conn.run_sync(current) == "0001"
        assert not LISTING_INDEXES & await conn.run_sync(job_indexes)
    jobs, assets, meter = SqlJobRepository(engine), SqlAssetLibrary(engine), SqlUsageMeter(engine)
    quota = SqlQuotaGuard(engine)
    stored = await jobs.add(job(key="order-1"))
    stored.cancel(later(1))
    stored = await jobs.save(stored)
    kept_asset = await assets.add(asset(job_id=stored.id))
    record = usage(job_id=stored.id, cost="0.123456")
    await meter.record(record)
    await quota.assign("u1", DEFAULT_PLANS["basic"])
    reservation = await quota.reserve("u1", stored.id, Cost("0.20"), "2026-01")

    await upgrade_engine(engine)

    async with engine.connect() as conn:
        assert await conn.run_sync(current) == head()
        assert await conn.run_sync(job_indexes) >= LISTING_INDEXES
    assert await jobs.get(stored.id) == stored
    assert await jobs.find_by_idempotency_key("u1", "order-1") == stored
    assert await assets.get(kept_asset.id) == kept_asset
    assert (await meter.summary("u1", "2026-01")).video_cost == Cost("0.123456")
    assert await quota.held() == [reservation]
    assert (await quota.check("u1", Cost("1"), "2026-01")).plan.name == "basic"


async def test_an_embedded_database_at_an_old_revision_is_upgraded_on_first_use(tmp_path):
    database = await open_database("sqlite", tmp_path, migrate=False)
    try:
        engine = database.engine()
        await upgrade_engine(engine, "0001")
        first = await SqlJobRepository(engine).add(job())
        jobs = SqlJobRepository(Database(database.engine(), migrate=upgrade_engine))
        assert await jobs.get(first.id) == first
        async with engine.connect() as conn:
            assert await conn.run_sync(current) == head()
    finally:
        await close_database(database)


async def test_processes_starting_together_on_a_new_embedded_database_migrate_it_once(tmp_path):
    database = await open_database("sqlite", tmp_path, migrate=False)
    try:
        repositories = [SqlJobRepository(Database(database.engine(), migrate=upgrade_engine)) for _ in range(4)]
        added = await asyncio.gather(*(r.add(job()) for r in repositories))
        assert len(await repositories[0].list_unfinished()) == len(added) == 4
    finally:
        await close_database(database)
