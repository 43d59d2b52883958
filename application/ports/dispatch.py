from __future__ import annotations

from abc import abstractmethod
from typing import Protocol


class JobDispatcher(Protocol):
    """Makes sure `RunJob(job_id)` runs somewhere, at least once.

    Dispatching is deduplicated by job id: a job already waiting or running is not run a second
    time alongside itself. A run that fails leaves the job where it was (the periodic resume is the
    backstop) and does not stop the dispatcher; a job dispatched again after its run ended runs
    again (RunJob is idempotent). The in-process adapter runs the job in the serving process."""

    @abstractmethod
    async def dispatch(self, job_id: str) -> None:
        """Have the job run at least once, unless it is already waiting or running."""
        ...
