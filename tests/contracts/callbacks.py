from __future__ import annotations

import asyncio

import pytest

from tests.contracts.builders import T0, later
from videoforge.application.ports.callbacks import CallbackDeliveries
from videoforge.domain.callbacks import CallbackDelivery, DeliveryState


def delivery(job_id: str = "job-1") -> CallbackDelivery:
    return CallbackDelivery(job_id, "https://hooks.example.com/videos?x=1", f"msg_{job_id}", DeliveryState.PENDING,
                            T0, T0)


class CallbackDeliveriesContract:
    @pytest.fixture
    def deliveries(self) -> CallbackDeliveries:
        raise NotImplementedError

    async def test_a_job_is_claimed_once_however_many_runners_try(self, deliveries):
        results = await asyncio.gather(*(deliveries.claim(delivery()) for _ in range(5)))
        assert sorted(results) == [False] * 4 + [True]
        assert await deliveries.get("job-1") == delivery()
        assert await deliveries.get("job-2") is None

    async def test_attempts_are_recorded(self, deliveries):
        await deliveries.claim(delivery())
        failed = delivery().attempted(500, "the receiver answered HTTP 500", later(1), last=False)
        await deliveries.save(failed)
        assert await deliveries.get("job-1") == failed
        done = failed.attempted(204, None, later(2), last=False)
        await deliveries.save(done)
        back = await deliveries.get("job-1")
        assert back == done and back.state is DeliveryState.DELIVERED and back.attempts == 2
        assert back.last_error is None and back.updated_at == later(2)
