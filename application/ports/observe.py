from __future__ import annotations

from abc import abstractmethod
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from videoforge.domain.job import VideoJob


class RunWatch(Protocol):
    """One run as an observer follows it."""

    @abstractmethod
    def ended(self, job: VideoJob) -> None:
        """The run is over and left the job so (finished, or waiting for another look)."""
        ...


class RunObserver(Protocol):
    """Watches each run of a job from outside the pipeline: what operators see of it (the job and
    user on the run's log records, the run's trace span in the trace the job was created in). It
    decides nothing and changes nothing; RunJob enters `run(job)` once it has read the job."""

    @abstractmethod
    def run(self, job: VideoJob) -> AbstractAsyncContextManager[RunWatch]:
        ...


class _Unwatched:
    def ended(self, job: VideoJob) -> None:
        pass


class Unobserved:
    """The observer of a RunJob given none: sees nothing."""

    @asynccontextmanager
    async def run(self, job: VideoJob) -> AsyncIterator[RunWatch]:
        yield _Unwatched()
