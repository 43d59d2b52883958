"""A job's reads and saves, and the unit of work that delivers it, wait for a database connection
however busy the pool is; a new job's record still fails fast when the pool stays full."""

from __future__ import annotations

import asyncio

import pytest

from tests.contracts.builders import job
from videoforge.adapters.sql import Database, SqlJobRepository
from videoforge.application.ports import JobRepositoryError


async def test_a_busy_pool_delays_a_jobs_save_but_never_fails_it(database):
    engine = database.engine(pool_size=1, max_overflow=0, pool_timeout=0.2)
    jobs = SqlJobRepository(Database(engine))
    recorded = await jobs.add(job())
    held = await engine.connect()
    try:
        with pytest.raises(JobRepositoryError):  # a new job is refused at once: nothing was submitted yet
            await jobs.add(job())
        saving = asyncio.create_task(jobs.save(recorded))
        await asyncio.sleep(0.7)  # three pool timeouts go by
        assert not saving.done()
    finally:
        await held.close()
    saved = await asyncio.wait_for(saving, 10)
    assert saved.version == recorded.version + 1
    assert (await jobs.get(recorded.id)).version == saved.version
