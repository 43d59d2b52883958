"""Alembic migrations: an empty database reaches the head and matches adapters/sql/schema.py;
a database at an older revision, with rows, is upgraded without losing them."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import JSON, Column, MetaData, Table, inspect, select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.contracts.builders import asset, job, later, usage
from tests.integration.conftest import BACKENDS, close_database, open_database
from videoforge.adapters.sql import (
    Database,
    SqlAssetLibrary,
    SqlJobRepository,
    SqlPlanBook,
    SqlQuotaGuard,
    SqlUsageMeter,
)
from videoforge.adapters.sql.jobs import job_to_row
from videoforge.adapters.sql.migrate import alembic_config, current, head, upgrade_engine
from videoforge.adapters.sql.schema import metadata, user_subscriptions, video_jobs
from videoforge.domain import DEFAULT_PLANS, Cost, VideoJob

LISTING_INDEXES = {"ix_video_jobs_user_id_created_at", "ix_video_jobs_status_created_at"}
CONTROL = ("request_fingerprint", "submit_deferrals", "provider_billed_seconds")
# video_jobs as revisions 0001 to 0004 made it: the job's control data inside a `job_metadata` JSON
jobs_before_0005 = Table(
    "video_jobs", MetaData(),
    *(Column(c.name, c.type, primary_key=c.primary_key) for c in video_jobs.c
      if c.name not in (*CONTROL, "attempts", "trace_context")),
    Column("job_metadata", JSON, nullable=False),
)


subscriptions_before_0007 = Table(
    "user_subscriptions", MetaData(),
    *(Column(c.name, c.type, primary_key=c.primary_key) for c in user_subscriptions.c if c.name != "assigned_by"),
)


async def add_job_before_0005(engine: AsyncEngine, job: VideoJob, job_metadata: dict[str, Any] | None = None
                              ) -> None:
    """Writes a job the way revisions 0001 to 0004 stored it."""
    row = job_to_row(job)
    carried = {name: row.pop(name) for name in CONTROL}
    row.pop("attempts")  # revision 0009
    row.pop("submission")  # revision 0012
    row.pop("trace_context")  # revision 0013
    if job_metadata is None:
        job_metadata = {name: value for name, value in carried.items() if value}
    async with engine.begin() as conn:
        await conn.execute(jobs_before_0005.insert().values(**row, job_metadata=job_metadata))


async def assign_before_0007(engine: AsyncEngine, user_id: str, plan: str) -> None:
    """A plan assignment as revisions 0001 to 0006 stored it (no assigned_by)."""
    now = later(0)
    async with engine.begin() as conn:
        await conn.execute(subscriptions_before_0007.insert().values(
            user_id=user_id, plan=plan, is_active=True, created_at=now, updated_at=now))


async def stored_metadata(engine: AsyncEngine) -> dict[str, dict[str, Any]]:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(jobs_before_0005.c.id, jobs_before_0005.c.job_metadata))).all()
    return {row.id: row.job_metadata for row in rows}


async def downgrade_engine(engine: AsyncEngine, revision: str) -> None:
    def run(connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    async with engine.begin() as conn:
        await conn.run_sync(run)


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
        assert await conn.run_sync(current) == head() == "0013"
        assert await conn.run_sync(schema_differences) == []


async def test_a_database_at_the_first_revision_keeps_its_rows_through_the_upgrade(blank):
    engine = blank.engine()
    await upgrade_engine(engine, "0001")
    async with engine.connect() as conn:
        assert await conn.run_sync(current) == "0001"
        assert not LISTING_INDEXES & await conn.run_sync(job_indexes)
    jobs, assets, meter = SqlJobRepository(engine), SqlAssetLibrary(engine), SqlUsageMeter(engine)
    quota = SqlQuotaGuard(engine)
    stored = job(key="order-1", fingerprint="f0" * 32)
    stored.cancel(later(1))
    await add_job_before_0005(engine, stored)
    kept_asset = await assets.add(asset(job_id=stored.id))
    record = usage(job_id=stored.id, cost="0.123456")
    await meter.record(record)
    await assign_before_0007(engine, "u1", "basic")
    reservation = await quota.reserve("u1", stored.id, Cost("0.20"), "2026-01")

    await upgrade_engine(engine)

    async with engine.connect() as conn:
        assert await conn.run_sync(current) == head()
        assert await conn.run_sync(job_indexes) >= LISTING_INDEXES
    assert await jobs.get(stored.id) == stored
    assert await jobs.find_by_idempotency_key("u1", "order-1") == stored
    assert await assets.get(kept_asset.id) == kept_asset
    assert await meter.records("u1", "2026-01") == [record]
    assert (await meter.summary("u1", "2026-01")).video_cost == Cost("0.123456")
    assert await quota.held() == [reservation]
    assert (await quota.check("u1", Cost("1"), "2026-01")).plan.name == "basic"


async def test_an_embedded_database_at_an_old_revision_is_upgraded_on_first_use(tmp_path):
    database = await open_database("sqlite", tmp_path, migrate=False)
    try:
        engine = database.engine()
        await upgrade_engine(engine, "0001")
        first = job()
        await add_job_before_0005(engine, first)
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


async def test_the_control_data_of_jobs_at_revision_0004_moves_into_typed_columns_and_back(blank):
    engine = blank.engine()
    await upgrade_engine(engine, "0004")
    deferred, saving, older = job(), job(), job()
    deferred.start_submission(later(1))
    deferred.defer_submission(later(1), "429")
    deferred.start_submission(later(2))
    deferred.defer_submission(later(2), "429")
    await add_job_before_0005(engine, deferred, {"request_fingerprint": "a1" * 32, "submit_deferrals": 2,
                                                 "width": 1280, "height": 720, "ignored_fields": []})
    await add_job_before_0005(engine, saving, {"request_fingerprint": "b2" * 32, "provider_billed_seconds": 4.5,
                                               "width": 1280, "height": 720, "ignored_fields": ["seed"]})
    await add_job_before_0005(engine, older, {"provider_billed_seconds": None})

    await upgrade_engine(engine)

    jobs = SqlJobRepository(engine)
    back = {j.id: (j.request_fingerprint, j.submit_deferrals, j.provider_billed_seconds)
            for j in [await jobs.get(deferred.id), await jobs.get(saving.id), await jobs.get(older.id)]}
    assert back == {deferred.id: ("a1" * 32, 2, None), saving.id: ("b2" * 32, 0, 4.5), older.id: (None, 0, None)}
    async with engine.connect() as conn:
        assert await conn.run_sync(schema_differences) == []

    await downgrade_engine(engine, "0004")

    assert await stored_metadata(engine) == {
        deferred.id: {"request_fingerprint": "a1" * 32, "submit_deferrals": 2},
        saving.id: {"request_fingerprint": "b2" * 32, "provider_billed_seconds": 4.5}, older.id: {}}


async def test_plan_assignments_at_revision_0006_are_kept_through_0007_and_back(blank):
    engine = blank.engine()
    await upgrade_engine(engine, "0006")
    await assign_before_0007(engine, "u1", "basic")
    await upgrade_engine(engine)

    book = SqlPlanBook(engine)
    assert await book.assignment("u1") == DEFAULT_PLANS["basic"]
    await book.assign("u2", "pro", by="admin-7")
    async with engine.connect() as conn:
        rows = (await conn.execute(select(user_subscriptions.c.user_id, user_subscriptions.c.assigned_by)
                                   .order_by(user_subscriptions.c.user_id))).all()
        assert rows == [("u1", None), ("u2", "admin-7")]
        assert await conn.run_sync(schema_differences) == []

    await downgrade_engine(engine, "0006")
    async with engine.connect() as conn:
        plans = (await conn.execute(select(subscriptions_before_0007.c.user_id, subscriptions_before_0007.c.plan)
                                    .order_by(subscriptions_before_0007.c.user_id))).all()
    assert plans == [("u1", "basic"), ("u2", "pro")]


async def test_revision_0009_adds_the_attempts_of_jobs_that_fell_back(blank):
    from videoforge.domain.job import AttemptOutcome

    engine = blank.engine()
    await upgrade_engine(engine, "0008")
    older = job()
    jobs_at_0008 = Table("video_jobs", MetaData(), *(Column(c.name, c.type, primary_key=c.primary_key)
                                                     for c in video_jobs.c
                                                     if c.name not in ("attempts", "submission", "lease_owner",
                                                                       "lease_until", "trace_context")))
    row = job_to_row(older)
    row.pop("attempts")
    row.pop("submission")  # revision 0012
    row.pop("trace_context")  # revision 0013
    async with engine.begin() as conn:
        await conn.execute(jobs_at_0008.insert().values(**row))

    await upgrade_engine(engine)

    jobs = SqlJobRepository(engine)
    assert (await jobs.get(older.id)).attempts == ()
    moved = job()
    moved.start_submission(later(1))
    moved.fall_back("fal", "fal-ai/wan-25-preview/text-to-video", moved.request.with_(
        model="fal-ai/wan-25-preview/text-to-video"), Cost("0.50"), 5.0, AttemptOutcome.REFUSED, later(2))
    await jobs.add(moved)
    [attempt] = (await jobs.get(moved.id)).attempts
    assert (attempt.provider, attempt.outcome, attempt.cost, attempt.at) == ("wavespeed", "refused", Cost(0), later(2))
    async with engine.connect() as conn:
        assert await conn.run_sync(schema_differences) == []
    await downgrade_engine(engine, "0008")
    async with engine.connect() as conn:
        assert await conn.run_sync(current) == "0008"


async def test_revision_0013_adds_the_trace_context_jobs_were_created_in(blank):
    engine = blank.engine()
    await upgrade_engine(engine, "0012")
    older = job()
    jobs_at_0012 = Table("video_jobs", MetaData(), *(Column(c.name, c.type, primary_key=c.primary_key)
                                                     for c in video_jobs.c if c.name != "trace_context"))
    row = job_to_row(older)
    row.pop("trace_context")
    async with engine.begin() as conn:
        await conn.execute(jobs_at_0012.insert().values(**row))

    await upgrade_engine(engine)

    jobs = SqlJobRepository(engine)
    assert (await jobs.get(older.id)).trace_context is None
    traced = job()
    traced.trace_context = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    await jobs.add(traced)
    assert (await jobs.get(traced.id)).trace_context == traced.trace_context
    async with engine.connect() as conn:
        assert await conn.run_sync(schema_differences) == []
    await downgrade_engine(engine, "0012")
    async with engine.connect() as conn:
        assert await conn.run_sync(current) == "0012"
