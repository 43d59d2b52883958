"""The pgqueuer JobDispatcher passes the JobDispatcher contract on PostgreSQL: jobs enqueued by
the dispatcher, run by a PgQueuerWorker in this process; plus what only a queue does (a job held
by a stopping worker is handed back, and the scheduled resume dispatches)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import pytest

from tests.contracts.dispatcher import JobDispatcherContract, Runs
from tests.integration.conftest import close_database, open_database
from videoforge.adapters.pgqueuer import PgQueuerDispatcher, PgQueuerWorker, WorkerSettings, install_queue

pytestmark = pytest.mark.postgres

FAST = WorkerSettings(concurrency=50, heartbeat_timeout=4.0, poll_interval=0.5, shutdown_grace=0.5)


@pytest.fixture
async def queue_schema(tmp_path):
    database = await open_database("postgres", tmp_path, migrate=False)
    try:
        await install_queue(database.url, database.schema)
        yield database
    finally:
        await close_database(database)


@contextlib.asynccontextmanager
async def working(database, run, settings=FAST, resume=None):
    worker = PgQueuerWorker(database.url, database.schema, run, resume=resume, settings=settings)
    task = asyncio.create_task(worker.run())
    try:
        yield worker
    finally:
        worker.stop()
        worker.stop()
        await asyncio.wait_for(task, 30)


async def eventually(condition: Callable[[], Awaitable[bool]], seconds: float = 20.0) -> None:
    """Wait until `condition()` holds (checked every 50 ms), or fail after `seconds`."""
    async with asyncio.timeout(seconds):
        while not await condition():  # noqa: ASYNC110 - the condition is in another process's database
            await asyncio.sleep(0.05)


async def settled(dispatcher: PgQueuerDispatcher, runs: Runs) -> None:
    """Every dispatched job has run and left the queue."""

    async def empty() -> bool:
        return await dispatcher.pending() == 0

    await eventually(empty)


def holds(predicate: Callable[[], bool]) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return predicate()

    return check


class TestPgQueuerDispatcher(JobDispatcherContract):
    @pytest.fixture
    async def dispatched(self, queue_schema, runs):
        dispatcher = PgQueuerDispatcher(queue_schema.url, queue_schema.schema)
        async with working(queue_schema, runs):
            yield dispatcher, lambda: settled(dispatcher, runs)
        await dispatcher.close()


async def test_an_installed_queue_installs_again_without_change(queue_schema):
    assert await install_queue(queue_schema.url, queue_schema.schema) is False


async def test_a_stopping_worker_hands_its_job_back_to_another(queue_schema):
    runs, other = Runs(), Runs()
    runs.gates["job-1"] = asyncio.Event()  # never set: the first worker's run would wait forever
    dispatcher = PgQueuerDispatcher(queue_schema.url, queue_schema.schema)
    try:
        async with working(queue_schema, runs) as first:
            await dispatcher.dispatch("job-1")
            await eventually(holds(lambda: "job-1" in first.running), 10)
        assert await dispatcher.pending() == 1  # handed back, not lost
        async with working(queue_schema, other):
            await settled(dispatcher, other)
        assert other.started == ["job-1"]
    finally:
        await dispatcher.close()


async def test_the_scheduled_resume_dispatches_through_the_queue(queue_schema):
    runs = Runs()

    async def resume(dispatcher):
        await dispatcher.dispatch("left-behind")

    fast_resume = WorkerSettings(concurrency=10, heartbeat_timeout=4.0, poll_interval=0.5, shutdown_grace=0.5,
                                 resume_cron="* * * * * */1")
    dispatcher = PgQueuerDispatcher(queue_schema.url, queue_schema.schema)
    try:
        async with working(queue_schema, runs, settings=fast_resume, resume=resume):
            await eventually(holds(lambda: "left-behind" in runs.started), 10)
    finally:
        await dispatcher.close()


async def test_a_run_that_found_another_runner_is_looked_at_again_later(queue_schema):
    calls: list[str] = []

    async def run(job_id: str) -> bool:
        calls.append(job_id)
        return len(calls) > 1  # the first time another runner drove it

    dispatcher = PgQueuerDispatcher(queue_schema.url, queue_schema.schema)
    quick = WorkerSettings(concurrency=10, heartbeat_timeout=1.0, poll_interval=0.2, shutdown_grace=0.5)
    try:
        async with working(queue_schema, run, settings=quick):
            await dispatcher.dispatch("job-1")
            await eventually(holds(lambda: len(calls) == 2), 15)
            await settled(dispatcher, Runs())
        assert calls == ["job-1", "job-1"]
    finally:
        await dispatcher.close()
