from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable

from videoforge.domain.job import VideoJob

ProgressCallback = Callable[[float, str], Awaitable[None] | None]
"""Called with (percent, message), as the legacy callers expect: 5 accepted, 10 submitted,
20-80 provider working, 90 saving, 100 done. May be sync or async."""

ACCEPTED, SUBMITTED, WORKING_FROM, WORKING_TO, SAVING, DONE = 5, 10, 20, 80, 90, 100

log = logging.getLogger("videoforge.progress")


def working_percent(fraction: float) -> int:
    """20..80 for a provider's progress fraction (0..1)."""
    fraction = min(max(fraction, 0.0), 1.0)
    return int(WORKING_FROM + (WORKING_TO - WORKING_FROM) * fraction)


def queued_percent(position: int) -> int:
    """10..19 for a task waiting in its provider's queue at `position` (0 is next): submitted, not
    yet working, and nearer 20 the nearer the front."""
    return max(SUBMITTED, WORKING_FROM - 1 - max(position, 0))


def queued_message(position: int | None) -> str:
    if position is None:
        return "waiting in the provider's queue"
    if position <= 0:
        return "next in the provider's queue"
    return f"waiting in the provider's queue (position {position + 1})"


def working_message(detail: str | None, elapsed: float) -> str:
    """What a job shows while its provider works: the provider's own latest word when it gives one."""
    if detail:
        return f"Video generation in progress: {detail}"
    return f"Video generation in progress... ({elapsed:.0f}s)"


async def notify(callback: ProgressCallback | None, percent: float, message: str) -> None:
    """Report progress; a failing callback is logged and never stops a paid job."""
    if callback is None:
        return
    try:
        result = callback(percent, message)
        if inspect.isawaitable(result):
            await result
    except Exception:
        log.exception("progress callback failed at %s%%", percent)


class ProgressReporter:
    """Shows a caller a job's progress each time it rises, with the job's own message: 10 when
    submitted, 20-80 as the provider works, 90 when saving, 100 when done."""

    def __init__(self, callback: ProgressCallback | None, shown: int = 0):
        self._callback = callback
        self._shown = shown

    async def show(self, job: VideoJob) -> None:
        if job.progress > self._shown:
            self._shown = job.progress
            await notify(self._callback, job.progress, job.message)
