"""A job's reservation exactly as the quota adapter keeps it. The QuotaGuard port has no lookup
by job (nothing in production needs one), so tests read the store itself: the in-memory fake's
dictionary, or the `quota_reservations` table through the SQL adapter's own engine."""

from __future__ import annotations

from sqlalchemy import select

from videoforge.adapters.fakes import InMemoryQuotaGuard
from videoforge.adapters.sql.quota import SqlQuotaGuard, _reservation
from videoforge.adapters.sql.schema import quota_reservations
from videoforge.application.ports.quota import QuotaGuard
from videoforge.domain.quota import Reservation


async def reservation_of(quota: QuotaGuard, job_id: str) -> Reservation | None:
    if isinstance(quota, InMemoryQuotaGuard):
        return quota.reservations.get(job_id)
    if isinstance(quota, SqlQuotaGuard):
        async with quota._db.engine.connect() as conn:
            row = (await conn.execute(select(quota_reservations).where(quota_reservations.c.job_id == job_id))).first()
        return _reservation(row) if row is not None else None
    raise TypeError(f"no way to read the reservations of {type(quota).__name__}")
