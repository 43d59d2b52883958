from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from videoforge.adapters.sql.database import Database
from videoforge.adapters.sql.schema import uploads
from videoforge.application.ports.uploads import UploadRegistry, UploadRegistryError
from videoforge.domain.media import MediaKind
from videoforge.domain.quota import Plan, UploadUsage
from videoforge.domain.uploads import UploadRecord

U = uploads.c


def _record(row: Any) -> UploadRecord:
    return UploadRecord(row.id, row.user_id, MediaKind(row.kind), row.content_type, row.size, row.storage_key,
                        row.created_at, row.last_used_at, row.expiring)


class SqlUploadRegistry(UploadRegistry):
    """`uploads`, one row per kept upload. Adding one is atomic per user: the transaction first takes
    the user's lock (a transaction-scoped advisory lock on PostgreSQL; on SQLite the write
    transaction itself, BEGIN IMMEDIATE, holds the database's single write lock), then sums the
    user's uploads, asks the plan and inserts."""

    def __init__(self, engine: AsyncEngine | Database):
        self._db = Database.of(engine)

    def _transaction(self, what: str, **options: Any):
        return self._db.transaction(UploadRegistryError, what, **options)

    async def add(self, record: UploadRecord, plan: Plan) -> None:
        async with self._transaction(f"recording upload {record.id} of user {record.user_id}") as conn:
            if self._db.postgres:
                await conn.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(
                    "videoforge.uploads:" + record.user_id, 0))))
            plan.admit_upload(await self._usage(conn, record.user_id), record.size)  # raises QuotaExceededError
            await conn.execute(uploads.insert().values(
                id=record.id, user_id=record.user_id, kind=record.kind.value, content_type=record.content_type,
                size=record.size, storage_key=record.key, created_at=record.created_at,
                last_used_at=record.last_used_at, expiring=record.expiring))

    @staticmethod
    async def _usage(conn: AsyncConnection, user_id: str) -> UploadUsage:
        count, size = (await conn.execute(select(func.count(), func.sum(U.size)).where(U.user_id == user_id))).one()
        return UploadUsage(count or 0, int(size or 0))

    async def usage(self, user_id: str) -> UploadUsage:
        async with self._transaction(f"counting the uploads of user {user_id}", write=False) as conn:
            return await self._usage(conn, user_id)

    async def use(self, user_id: str, upload_id: str, at: datetime) -> UploadRecord | None:
        mine = (U.id == upload_id) & (U.user_id == user_id)
        async with self._transaction(f"using upload {upload_id}") as conn:
            await conn.execute(update(uploads).where(mine, U.expiring.is_(False), U.last_used_at < at)
                               .values(last_used_at=at))
            row = (await conn.execute(select(uploads).where(mine))).first()
        return None if row is None else _record(row)

    async def unused_since(self, cutoff: datetime, limit: int = 500) -> list[UploadRecord]:
        async with self._transaction("listing unused uploads", write=False) as conn:
            rows = (await conn.execute(select(uploads).where(or_(U.expiring.is_(True), U.last_used_at < cutoff))
                                       .order_by(U.last_used_at, U.id).limit(limit))).all()
        return [_record(row) for row in rows]

    async def expire(self, upload_id: str, cutoff: datetime) -> bool:
        async with self._transaction(f"expiring upload {upload_id}") as conn:
            result = await conn.execute(update(uploads).where(
                U.id == upload_id, or_(U.expiring.is_(True), U.last_used_at < cutoff)).values(expiring=True))
        return result.rowcount == 1

    async def remove(self, upload_id: str) -> None:
        async with self._transaction(f"forgetting upload {upload_id}") as conn:
            await conn.execute(delete(uploads).where(U.id == upload_id))
