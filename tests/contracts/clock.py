from __future__ import annotations

import pytest

from videoforge.application.ports.clock import Clock


class ClockContract:
    @pytest.fixture
    def clock(self) -> Clock:
        raise NotImplementedError

    async def test_now_is_aware_utc(self, clock):
        assert clock.now().utcoffset().total_seconds() == 0

    async def test_sleep_moves_monotonic_time_forward(self, clock):
        before, wall = clock.monotonic(), clock.now()
        await clock.sleep(0.01)
        assert clock.monotonic() - before >= 0.009 and clock.now() >= wall
