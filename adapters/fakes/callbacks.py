from __future__ import annotations

import asyncio

from videoforge.adapters.fakes.faults import FaultInjector
from videoforge.application.ports.callbacks import CallbackDeliveries
from videoforge.domain.callbacks import CallbackDelivery


class InMemoryCallbackDeliveries(FaultInjector, CallbackDeliveries):
    def __init__(self) -> None:
        super().__init__()
        self.deliveries: dict[str, CallbackDelivery] = {}
        self._lock = asyncio.Lock()

    async def claim(self, delivery: CallbackDelivery) -> bool:
        self._maybe_fail("claim")
        async with self._lock:
            if delivery.job_id in self.deliveries:
                return False
            self.deliveries[delivery.job_id] = delivery
            return True

    async def save(self, delivery: CallbackDelivery) -> None:
        self._maybe_fail("save")
        self.deliveries[delivery.job_id] = delivery

    async def get(self, job_id: str) -> CallbackDelivery | None:
        self._maybe_fail("get")
        return self.deliveries.get(job_id)
