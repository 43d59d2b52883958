from __future__ import annotations

import asyncio
import logging

import asyncpg
from pgqueuer.adapters.persistence.qb import QueryBuilderEnvironment, QueryQueueBuilder, QuerySchedulerBuilder
from pgqueuer.db import AsyncpgDriver, AsyncpgPoolDriver
from pgqueuer.domain.settings import DBSettings
from pgqueuer.queries import Queries
from sqlalchemy.engine import make_url

log = logging.getLogger("videoforge.queue")

RUN_JOB = "videoforge_run_job"  # the entrypoint: payload = the job id, dedupe key = the job id


class QueueNotInstalledError(Exception):
    """The queue's tables are missing from the database (`videoforge db upgrade` installs them)."""


def queue_settings(schema: str) -> DBSettings:
    """The queue's tables live in videoforge's own schema; its NOTIFY channel (database-wide) is
    named after that schema, so that two installs in one database do not wake each other."""
    return DBSettings(db_schema=schema, channel=f"videoforge_queue.{schema}"[:63])


def queries_over(pool: asyncpg.Pool, schema: str) -> Queries:
    settings = queue_settings(schema)
    return Queries(AsyncpgPoolDriver(pool), qbe=QueryBuilderEnvironment(settings),
                   qbq=QueryQueueBuilder(settings), qbs=QuerySchedulerBuilder(settings))


def asyncpg_dsn(url: str) -> str:
    """The SQLAlchemy URL of the database (postgresql+asyncpg://...) as asyncpg's own DSN."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class PgQueuerDispatcher:
    """JobDispatcher over a pgqueuer queue in PostgreSQL: `dispatch` enqueues the job id once
    (a job id already queued or being run is skipped by the queue's dedupe key); a worker
    process (PgQueuerWorker) runs it. Its connections (`max_connections`, 2 at least) are
    opened on first use."""

    def __init__(self, url: str | None, schema: str, max_connections: int = 2, pool: asyncpg.Pool | None = None):
        """`url`: the database's SQLAlchemy URL; or `pool`, connections of the caller's to share."""
        self._dsn = asyncpg_dsn(url) if url else None
        self._schema = schema
        self._max = max(2, max_connections)
        self._pool = pool
        self._owns_pool = pool is None
        self._queries: Queries | None = queries_over(pool, schema) if pool is not None else None
        self._lock = asyncio.Lock()

    async def dispatch(self, job_id: str) -> None:
        """Enqueue the job; a failure to reach the queue is logged, not raised: the job is recorded
        already, and the periodic resume dispatches it again."""
        try:
            queries = await self.queries()
            await queries.enqueue(RUN_JOB, job_id.encode(), dedupe_key=job_id, on_conflict="skip")
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as e:
            log.warning("job %s not enqueued (the periodic resume will): %s", job_id, type(e).__name__)

    async def queries(self) -> Queries:
        async with self._lock:
            if self._queries is None:
                self._pool = await asyncpg.create_pool(self._dsn, min_size=1, max_size=self._max)
                self._queries = queries_over(self._pool, self._schema)
            return self._queries

    async def pending(self) -> int:
        """Jobs queued or being run."""
        queries = await self.queries()
        table = queries.qbe.settings.qualified.queue_table
        rows = await queries.driver.fetch(f"SELECT count(*) AS n FROM {table}")
        return int(rows[0]["n"])

    async def close(self) -> None:
        if self._pool is not None and self._owns_pool:
            await self._pool.close()
        self._pool, self._queries = None, None


async def install_queue(url: str, schema: str) -> bool:
    """Create or upgrade the queue's tables in `schema`, on one connection under pgqueuer's
    advisory lock (so two installers do not race); whether anything changed."""
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        settings = queue_settings(schema)
        queries = Queries(AsyncpgDriver(connection), qbe=QueryBuilderEnvironment(settings),
                          qbq=QueryQueueBuilder(settings), qbs=QuerySchedulerBuilder(settings))
        async with queries.schema_lock():
            if not await queries.schema_is_installed():
                await queries.install(create_schema=True)
                return True
            return bool((await queries.apply_upgrade()).statements)
    finally:
        await connection.close()
