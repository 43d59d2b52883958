from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from videoforge.application.ports.clock import Clock


class FakeClock(Clock):
    """Time that moves only when told, or when someone sleeps (instantly)."""

    def __init__(self, start: datetime | None = None):
        self._now = start or datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
        self._mono = 0.0
        self.slept: list[float] = []

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
        self._mono += seconds

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(seconds)
        await asyncio.sleep(0)  # let other tasks run, as a real sleep would
