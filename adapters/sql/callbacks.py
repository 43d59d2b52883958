from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from videoforge.adapters.sql.database import Database
from videoforge.adapters.sql.schema import callback_deliveries
from videoforge.application.ports.callbacks import CallbackDeliveries, CallbackDeliveriesError
from videoforge.domain.callbacks import CallbackDelivery, DeliveryState


class SqlCallbackDeliveries(CallbackDeliveries):
    """`callback_deliveries`, keyed by job id: the insert that claims a delivery succeeds once."""

    def __init__(self, engine: AsyncEngine | Database):
        self._db = Database.of(engine)

    async def claim(self, delivery: CallbackDelivery) -> bool:
        try:
            async with self._db.transaction(CallbackDeliveriesError, f"claiming the callback of job {delivery.job_id}",
                                            conflicts=True) as conn:
                await conn.execute(callback_deliveries.insert().values(**_row(delivery)))
        except IntegrityError:
            return False
        return True

    async def save(self, delivery: CallbackDelivery) -> None:
        row = _row(delivery)
        del row["job_id"]
        async with self._db.transaction(CallbackDeliveriesError, f"recording the callback of job {delivery.job_id}") \
                as conn:
            await conn.execute(update(callback_deliveries).where(callback_deliveries.c.job_id == delivery.job_id)
                               .values(**row))

    async def get(self, job_id: str) -> CallbackDelivery | None:
        async with self._db.transaction(CallbackDeliveriesError, f"reading the callback of job {job_id}",
                                        write=False) as conn:
            r = (await conn.execute(select(callback_deliveries).where(callback_deliveries.c.job_id == job_id))).first()
        if r is None:
            return None
        return CallbackDelivery(r.job_id, r.url, r.message_id, DeliveryState(r.state), r.created_at, r.updated_at,
                                r.attempts, r.last_status, r.last_error)


def _row(d: CallbackDelivery) -> dict[str, Any]:
    return {"job_id": d.job_id, "url": d.url, "message_id": d.message_id, "state": d.state.value,
            "attempts": d.attempts, "last_status": d.last_status, "last_error": d.last_error,
            "created_at": d.created_at, "updated_at": d.updated_at}
