from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """Time, so that tests can move it."""

    @abstractmethod
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...

    @abstractmethod
    def monotonic(self) -> float:
        """Seconds from an arbitrary origin that never goes back; for deadlines and timings."""
        ...

    @abstractmethod
    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` (a fake clock advances instead)."""
        ...
