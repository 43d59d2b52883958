"""A blocking facade for synchronous backends (Django, Flask, scripts): the same pipeline, on an
event loop of its own in a background thread, like fal-client's and replicate's `run()`."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from contextlib import AsyncExitStack
from typing import Any, TypeVar

from videoforge.adapters.plans import PlanResolver
from videoforge.application.ports.plans import PlanSource
from videoforge.application.progress import ProgressCallback
from videoforge.application.results import VideoResult
from videoforge.bootstrap.container import Container
from videoforge.bootstrap.runtime import open_container
from videoforge.bootstrap.settings import Settings
from videoforge.domain import VideoJob, VideoRequest

T = TypeVar("T")


class VideoForge:
    """The container opened once, on its own event loop in a daemon thread; each method blocks
    the calling thread until its answer. Safe to share between threads (a web server's workers):
    the calls run concurrently on the one loop. Progress callbacks run on that loop's thread.
    Close it (or use `with`) to stop running jobs and close every pool."""

    def __init__(self, settings: Settings | None = None, *, container: Container | None = None,
                 plans: PlanSource | PlanResolver | None = None):
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="videoforge-loop", daemon=True)
        self._thread.start()
        self._stack = AsyncExitStack()
        try:
            self.container: Container = self._call(self._stack.enter_async_context(
                open_container(settings, container, plans=plans)))
        except BaseException:
            self._stop_loop()
            raise

    def _call(self, work: Coroutine[Any, Any, T]) -> T:
        if self._loop.is_closed():
            work.close()
            raise RuntimeError("this VideoForge is closed")
        return asyncio.run_coroutine_threadsafe(work, self._loop).result()

    def generate(self, request: VideoRequest | None = None, /, *, progress: ProgressCallback | None = None,
                 **fields: Any) -> VideoResult:
        """Run a request to its video (`VideoRequest` or its fields: operation, user_id, prompt...)."""
        return self._call(self.container.generate_video()(request or VideoRequest(**fields), progress))

    def submit(self, request: VideoRequest | None = None, /, **fields: Any) -> VideoJob:
        """Record and reserve a job and return it at once; `run(job.id)` or a worker drives it."""
        return self._call(self.container.submit_video()(request or VideoRequest(**fields)))

    def run(self, job_id: str) -> VideoJob:
        return self._call(self.container.run_job()(job_id))

    def get_job(self, job_id: str, user_id: str) -> VideoJob:
        return self._call(self.container.get_job()(job_id, user_id))

    def estimate(self, request: VideoRequest | None = None, /, **fields: Any) -> Any:
        """The price and whether the user's plan allows it now; nothing reserved."""
        return self._call(self.container.estimate_cost()(request or VideoRequest(**fields)))

    def close(self) -> None:
        if self._loop.is_closed():
            return
        try:
            self._call(self._stack.aclose())
        finally:
            self._stop_loop()

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.run_until_complete(self._loop.shutdown_asyncgens())
        self._loop.close()

    def __enter__(self) -> VideoForge:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def generate(request: VideoRequest | None = None, /, *, settings: Settings | None = None,
             progress: ProgressCallback | None = None, **fields: Any) -> VideoResult:
    """One video, blocking: opens videoforge, runs the request, closes everything. For many
    calls keep one `VideoForge` open instead."""
    with VideoForge(settings) as forge:
        return forge.generate(request, progress=progress, **fields)
