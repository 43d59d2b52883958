"""Where jobs run: in the serving process (the default), or dispatched through the PostgreSQL
queue to `videoforge worker` processes (VIDEOFORGE_QUEUE=pgqueuer)."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.engine import make_url

from videoforge.adapters.pgqueuer import (
    PgQueuerDispatcher,
    PgQueuerWorker,
    QueueNotInstalledError,
    WorkerSettings,
    install_queue,
)
from videoforge.application.ports import JobDispatcher
from videoforge.bootstrap.catalog import ConfigurationError
from videoforge.bootstrap.container import Container, use_cases_of
from videoforge.bootstrap.runtime import open_container
from videoforge.bootstrap.settings import Settings
from videoforge.domain.job import Step

__all__ = ["QueueNotInstalledError", "install_configured_queue", "queue_dispatcher", "run_worker", "serving_resources",
           "uses_queue", "worker_settings"]


def uses_queue(settings: Settings) -> bool:
    """Whether jobs go through the PostgreSQL queue; refuses a queue over anything but PostgreSQL."""
    if settings.queue == "in-process":
        return False
    if settings.backend != "sql" or make_url(settings.database_url).get_backend_name() != "postgresql":
        raise ConfigurationError("VIDEOFORGE_QUEUE=pgqueuer needs a PostgreSQL VIDEOFORGE_DATABASE_URL "
                                 "(postgresql+asyncpg://...); with SQLite, jobs run in-process "
                                 "(VIDEOFORGE_QUEUE=in-process, the default)")
    return True


def queue_dispatcher(settings: Settings) -> PgQueuerDispatcher | None:
    """The queue's dispatcher when one is configured, else None (jobs run in the serving process)."""
    return PgQueuerDispatcher(settings.database_url, settings.db_schema) if uses_queue(settings) else None


async def install_configured_queue(settings: Settings) -> bool | None:
    """`db upgrade`'s part for the queue: its tables in videoforge's schema; None without a queue."""
    if not uses_queue(settings):
        return None
    return await install_queue(settings.database_url, settings.db_schema)


@asynccontextmanager
async def serving_resources(container: Container, dispatcher: JobDispatcher | None) -> AsyncIterator[None]:
    """What `serve` holds for its lifetime: the container's resources and the queue's connections."""
    async with open_container(container=container):
        try:
            yield
        finally:
            if isinstance(dispatcher, PgQueuerDispatcher):
                await dispatcher.close()


def worker_settings(settings: Settings, concurrency: int | None = None) -> WorkerSettings:
    return WorkerSettings(concurrency=concurrency or settings.worker_concurrency,
                          heartbeat_timeout=settings.queue_heartbeat_timeout,
                          poll_interval=settings.queue_poll_interval,
                          shutdown_grace=settings.worker_shutdown_grace)


async def run_worker(settings: Settings, concurrency: int | None = None) -> None:
    """`videoforge worker`: run queued jobs until SIGTERM or SIGINT (a second one hands back at once)."""
    if not uses_queue(settings):
        raise ConfigurationError("videoforge worker runs the jobs of a queue: set VIDEOFORGE_QUEUE=pgqueuer "
                                 "(and a PostgreSQL VIDEOFORGE_DATABASE_URL)")
    async with open_container(settings) as container:
        use_cases = use_cases_of(container)

        async def resume(dispatcher: JobDispatcher) -> None:
            await use_cases.resume_jobs(dispatcher=dispatcher)()

        async def run(job_id: str) -> bool:
            """Whether the job is finished; False when another runner drives it now."""
            return (await use_cases.run_job(watch_others=False)(job_id)).next_step is Step.NONE

        worker = PgQueuerWorker(settings.database_url, settings.db_schema, run, resume=resume,
                                settings=worker_settings(settings, concurrency))
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, worker.stop)
        try:
            await worker.run()
        finally:
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(signum)
