from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("videoforge.http.runner")


class BackgroundRunner:
    """The in-process JobDispatcher: runs jobs in the serving process, each at most once at a time,
    and stops them on shutdown (a stopped job is left where it was and finished by ResumeJobs on
    the next start)."""

    def __init__(self, run: Callable[[str], Awaitable[object]]):
        self._run = run
        self._tasks: dict[str, asyncio.Task] = {}

    async def dispatch(self, job_id: str) -> None:
        self.start(job_id)

    def start(self, job_id: str) -> None:
        if job_id in self._tasks:
            return
        task = asyncio.create_task(self._guarded(job_id), name=f"videoforge-job-{job_id}")
        self._tasks[job_id] = task
        task.add_done_callback(lambda _: self._tasks.pop(job_id, None))

    def spawn(self, coroutine: Awaitable[object], name: str) -> None:
        async def guarded() -> None:
            try:
                await coroutine
            except Exception:
                log.exception("%s failed", name)

        task = asyncio.create_task(guarded(), name=name)
        self._tasks[name] = task
        task.add_done_callback(lambda _: self._tasks.pop(name, None))

    async def _guarded(self, job_id: str) -> None:
        try:
            await self._run(job_id)
        except Exception as e:  # noqa: BLE001 - the job keeps its state; resume finishes it
            log.warning("job %s stopped: %s", job_id, e)

    @property
    def running(self) -> int:
        return len(self._tasks)

    @property
    def job_ids(self) -> frozenset[str]:
        return frozenset(self._tasks)

    async def wait(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)

    async def stop(self) -> None:
        for task in list(self._tasks.values()):
            task.cancel()
        await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)
