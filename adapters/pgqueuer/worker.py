from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

import asyncpg
from pgqueuer import PgQueuer, RetryRequested
from pgqueuer.db import AsyncpgPoolDriver
from pgqueuer.models import Job, Schedule

from videoforge.adapters.pgqueuer.dispatcher import (
    RUN_JOB,
    PgQueuerDispatcher,
    QueueNotInstalledError,
    asyncpg_dsn,
    queries_over,
    queue_settings,
)

log = logging.getLogger("videoforge.worker")

RESUME = "videoforge_resume"


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    """concurrency: jobs one worker holds at once; heartbeat_timeout: a job whose worker has not
    beaten for that long is picked again by another worker (the delay after a crash); poll_interval:
    the longest wait between two looks at the queue when no notification comes; shutdown_grace:
    how long a stopping worker lets its jobs finish before handing them back to the queue;
    resume_cron: when the backstop resume runs (one worker at a time)."""

    concurrency: int = 200
    heartbeat_timeout: float = 10.0
    poll_interval: float = 2.0
    shutdown_grace: float = 30.0
    resume_cron: str = "* * * * *"

    @property
    def batch_size(self) -> int:
        return max(1, min(100, self.concurrency // 2))  # pgqueuer wants concurrency >= 2 batches


RunJobById = Callable[[str], Awaitable[bool | None]]  # False: another runner drives the job now
Resume = Callable[[PgQueuerDispatcher], Awaitable[object]]


class PgQueuerWorker:
    """Runs the jobs dispatched by PgQueuerDispatcher: each with `run(job_id)`, up to `concurrency`
    at once, while pgqueuer beats their heartbeats; a job whose worker dies (even `kill -9`) is
    picked again by another worker's dequeue once its heartbeat is stale. Every `resume_cron`
    one worker runs `resume(dispatcher)`, the backstop that dispatches every unfinished job.

    `stop()` (SIGTERM): take no more jobs, let those held finish for `shutdown_grace` seconds,
    then stop them and hand them back to the queue, where another worker picks them up at once.
    A failing run is logged and leaves its job as it is (the resume retries it). A run that
    returns False found another runner driving the job (a late heartbeat let two workers pick
    it): the job goes back to the queue for another look after `heartbeat_timeout`, so that it
    is finished even if that other runner dies, without holding a slot to watch it meanwhile."""

    def __init__(self, url: str, schema: str, run: RunJobById, resume: Resume | None = None,
                 settings: WorkerSettings | None = None):
        self._dsn = asyncpg_dsn(url)
        self._schema = schema
        self._run = run
        self._resume = resume
        self.settings = settings or WorkerSettings()
        self._queuer: PgQueuer | None = None
        self._handing_back = asyncio.Event()
        self._stopping = False
        self.running: set[str] = set()

    async def run(self) -> None:
        """Work until `stop()`; raises QueueNotInstalledError when the queue's tables are missing."""
        async with asyncpg.create_pool(self._dsn, min_size=2, max_size=3) as pool:
            queuer = self._queuer_over(pool)
            s = self.settings
            try:
                await queuer.run(dequeue_timeout=timedelta(seconds=s.poll_interval), batch_size=s.batch_size,
                                 max_concurrent_tasks=s.concurrency,
                                 heartbeat_timeout=timedelta(seconds=s.heartbeat_timeout))
            except RuntimeError as e:
                if "upgrade" in str(e) or "install" in str(e):
                    raise QueueNotInstalledError(f"the job queue is not installed: run `videoforge db upgrade` "
                                                 f"with VIDEOFORGE_QUEUE=pgqueuer ({e})") from None
                raise

    def _queuer_over(self, pool: asyncpg.Pool) -> PgQueuer:
        queuer = PgQueuer(AsyncpgPoolDriver(pool), channel=queue_settings(self._schema).channel,
                          queries=queries_over(pool, self._schema))
        queuer.entrypoint(RUN_JOB)(self._run_job)
        if self._resume is not None:
            dispatcher = PgQueuerDispatcher(None, self._schema, pool=pool)
            queuer.schedule(RESUME, self.settings.resume_cron)(self._scheduled_resume(dispatcher))
        self._queuer = queuer
        if self._stopping:
            queuer.shutdown.set()
        return queuer

    def _scheduled_resume(self, dispatcher: PgQueuerDispatcher) -> Callable[[Schedule], Awaitable[None]]:
        async def resume(_: Schedule) -> None:
            await self._resume(dispatcher)

        return resume

    async def _run_job(self, job: Job) -> None:
        job_id = (job.payload or b"").decode()
        self.running.add(job_id)
        run = asyncio.create_task(self._run(job_id), name=f"videoforge-job-{job_id}")
        handback = asyncio.create_task(self._handing_back.wait())
        try:
            await asyncio.wait({run, handback}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            handback.cancel()
            self.running.discard(job_id)
            if not run.done():
                run.cancel()
                await asyncio.gather(run, return_exceptions=True)
        if not run.cancelled() and run.exception() is None:
            if run.result() is False:
                raise RetryRequested(timedelta(seconds=self.settings.heartbeat_timeout),
                                     reason="another runner drives it: look again later")
            return
        if run.cancelled():
            raise RetryRequested(reason="the worker stopped: handed back")
        log.warning("job %s stopped: %s", job_id, run.exception())

    def stop(self) -> None:
        """Take no more jobs; hand back those still running after the grace period. Called again,
        hand them back now."""
        if self._stopping:
            self._handing_back.set()
            return
        self._stopping = True
        if self._queuer is not None:
            self._queuer.shutdown.set()
        asyncio.get_running_loop().call_later(self.settings.shutdown_grace, self._handing_back.set)
