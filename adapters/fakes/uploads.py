from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime

from videoforge.adapters.fakes.faults import FaultInjector
from videoforge.application.ports.uploads import UploadRegistry
from videoforge.domain.quota import Plan, UploadUsage
from videoforge.domain.uploads import UploadRecord


class InMemoryUploadRegistry(FaultInjector, UploadRegistry):
    def __init__(self) -> None:
        super().__init__()
        self.records: dict[str, UploadRecord] = {}
        self._lock = asyncio.Lock()

    async def add(self, record: UploadRecord, plan: Plan) -> None:
        self._maybe_fail("add")
        async with self._lock:
            usage = self._usage(record.user_id)
            await asyncio.sleep(0)  # where a real registry reads, inside its lock
            plan.admit_upload(usage, record.size)
            self.records[record.id] = record

    def _usage(self, user_id: str) -> UploadUsage:
        mine = [r for r in self.records.values() if r.user_id == user_id]
        return UploadUsage(len(mine), sum(r.size for r in mine))

    async def usage(self, user_id: str) -> UploadUsage:
        self._maybe_fail("usage")
        return self._usage(user_id)

    async def use(self, user_id: str, upload_id: str, at: datetime) -> UploadRecord | None:
        self._maybe_fail("use")
        found = self.records.get(upload_id)
        if found is None or found.user_id != user_id:
            return None
        if not found.expiring:
            found = self.records[upload_id] = replace(found, last_used_at=max(found.last_used_at, at))
        return found

    async def unused_since(self, cutoff: datetime, limit: int = 500) -> list[UploadRecord]:
        self._maybe_fail("unused_since")
        found = [r for r in self.records.values() if r.expiring or r.unused_since(cutoff)]
        return sorted(found, key=lambda r: (r.last_used_at, r.id))[:limit]

    async def expire(self, upload_id: str, cutoff: datetime) -> bool:
        self._maybe_fail("expire")
        found = self.records.get(upload_id)
        if found is None or not (found.expiring or found.unused_since(cutoff)):
            return False
        self.records[upload_id] = replace(found, expiring=True)
        return True

    async def remove(self, upload_id: str) -> None:
        self._maybe_fail("remove")
        self.records.pop(upload_id, None)
