"""At any concurrency nothing fails for want of a database connection: a transaction whose pool
has none free within its timeout waits again (a new job's record, a job's save alike)."""

from __future__ import annotations

import asyncio

from tests.contracts.builders import job
from videoforge.adapters.sql import Database, SqlJobRepository


async def test_a_busy_pool_delays_a_new_job_and_a_save_but_fails_neither(database):
    engine = database.engine(pool_size=1, max_overflow=0, pool_timeout=0.2)
    jobs = SqlJobRepository(Database(engine))
    recorded = await jobs.add(job())
    held = await engine.connect()
    try:
        saving = asyncio.create_task(jobs.save(recorded))
        adding = asyncio.create_task(jobs.add(job()))
        await asyncio.sleep(0.7)  # three pool timeouts go by
        assert not saving.done() and not adding.done()
    finally:
        await held.close()
    saved = await asyncio.wait_for(saving, 10)
    added = await asyncio.wait_for(adding, 10)
    assert saved.version == recorded.version + 1 and added.version == 1
    assert (await jobs.get(recorded.id)).version == saved.version
