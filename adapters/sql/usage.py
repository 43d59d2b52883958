from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from videoforge.adapters.sql.database import Database
from videoforge.adapters.sql.schema import api_usage_logs, usage_summaries
from videoforge.application.ports.usage import UsageMeter, UsageMeterError
from videoforge.domain.money import ZERO
from videoforge.domain.records import UsageRecord, UsageSummary

_BATCH = 500  # job ids per query (well under every driver's parameter limit)
LEGACY_PROVIDER = "video"  # the legacy APIProvider value of every video generation


class SqlUsageMeter(UsageMeter):
    """One `api_usage_logs` row per completed job (job_id UNIQUE) and the per-period totals in
    `usage_summaries`, written in the same transaction: a job is counted once, or not at all."""

    def __init__(self, engine: AsyncEngine | Database):
        self._db = Database.of(engine)
        # Built once: SQLAlchemy then only looks up their compiled form.
        self._add_log = self._db.upsert(api_usage_logs).on_conflict_do_nothing()
        s = usage_summaries.c
        cost, now = bindparam("cost_added", type_=s.video_cost.type), bindparam("now", type_=s.updated_at.type)
        self._add_to_totals = self._db.upsert(usage_summaries).on_conflict_do_update(
            index_elements=[s.user_id, s.billing_period],
            set_={"video_calls": s.video_calls + 1, "video_cost": s.video_cost + cost,
                  "total_calls": s.total_calls + 1, "total_cost": s.total_cost + cost, "updated_at": now})

    async def record(self, record: UsageRecord) -> bool:
        # ON CONFLICT DO NOTHING rather than a failed insert: inside a unit of work (the delivery
        # of a job) a unique conflict must not abort the shared transaction.
        async with self._db.transaction(UsageMeterError, f"recording the usage of job {record.job_id}") as conn:
            added = await conn.execute(self._add_log, {
                "job_id": record.job_id, "user_id": record.user_id, "provider": LEGACY_PROVIDER,
                "actual_provider_name": record.provider, "model_used": record.model, "operation": record.operation,
                "source_module": record.source_module, "cost_total": record.cost,
                "billed_seconds": record.billed_seconds, "response_time": record.response_time,
                "request_size": record.request_size, "response_size": record.response_size,
                "timestamp": record.created_at, "billing_period": record.period})
            if added.rowcount == 1:
                await self._add_to_summary(conn, record)
                return True
        if await self._counted(record.job_id):  # uq_api_usage_logs_job_id: this job was counted already
            return False
        raise UsageMeterError(f"recording the usage of job {record.job_id} was refused by the database")

    async def _counted(self, job_id: str) -> bool:
        async with self._db.transaction(UsageMeterError, f"reading the usage of job {job_id}") as conn:
            found = await conn.execute(select(api_usage_logs.c.job_id).where(api_usage_logs.c.job_id == job_id))
            return found.first() is not None

    async def _add_to_summary(self, conn: AsyncConnection, record: UsageRecord) -> None:
        now = datetime.now(UTC)
        await conn.execute(self._add_to_totals, {
            "user_id": record.user_id, "billing_period": record.period, "video_calls": 1, "video_cost": record.cost,
            "total_calls": 1, "total_cost": record.cost, "created_at": now, "updated_at": now,
            "cost_added": record.cost, "now": now})

    async def summary(self, user_id: str, period: str) -> UsageSummary:
        async with self._db.transaction(UsageMeterError, f"reading the usage of user {user_id}",
                                        write=False) as conn:
            row = (await conn.execute(select(usage_summaries).where(
                usage_summaries.c.user_id == user_id, usage_summaries.c.billing_period == period))).first()
        if row is None:
            return UsageSummary(user_id, period, 0, ZERO, 0, ZERO)
        return UsageSummary(user_id, period, row.video_calls, row.video_cost, row.total_calls, row.total_cost)

    async def summaries(self, period: str, *, limit: int = 50, offset: int = 0) -> list[UsageSummary]:
        s = usage_summaries.c
        async with self._db.transaction(UsageMeterError, f"reading the usage of period {period}",
                                        write=False) as conn:
            rows = (await conn.execute(select(usage_summaries).where(s.billing_period == period)
                                       .order_by(s.video_cost.desc(), s.user_id).limit(limit).offset(offset))).all()
        return [UsageSummary(r.user_id, period, r.video_calls, r.video_cost, r.total_calls, r.total_cost)
                for r in rows]

    async def records(self, user_id: str, period: str) -> list[UsageRecord]:
        async with self._db.transaction(UsageMeterError, f"reading the usage of user {user_id}",
                                        write=False) as conn:
            rows = (await conn.execute(select(api_usage_logs).where(
                api_usage_logs.c.user_id == user_id, api_usage_logs.c.billing_period == period)
                .order_by(api_usage_logs.c.timestamp, api_usage_logs.c.id))).all()
        return [_record(row) for row in rows]

    async def records_of(self, job_ids: Collection[str]) -> list[UsageRecord]:
        wanted = list(dict.fromkeys(job_ids))
        found: list[UsageRecord] = []
        async with self._db.transaction(UsageMeterError, "reading the usage of jobs", write=False) as conn:
            for start in range(0, len(wanted), _BATCH):
                rows = (await conn.execute(select(api_usage_logs).where(
                    api_usage_logs.c.job_id.in_(wanted[start:start + _BATCH])))).all()
                found.extend(_record(row) for row in rows)
        return found


def _record(row: Any) -> UsageRecord:
    return UsageRecord(
        job_id=row.job_id, user_id=row.user_id, period=row.billing_period, provider=row.actual_provider_name,
        model=row.model_used, operation=row.operation, cost=row.cost_total, billed_seconds=row.billed_seconds,
        response_time=row.response_time, created_at=row.timestamp, source_module=row.source_module,
        request_size=row.request_size, response_size=row.response_size)
