from __future__ import annotations

from collections.abc import Collection

from videoforge.adapters.fakes.faults import FaultInjector
from videoforge.application.ports.usage import UsageMeter
from videoforge.domain.money import Cost
from videoforge.domain.records import UsageRecord, UsageSummary


class InMemoryUsageMeter(FaultInjector, UsageMeter):
    def __init__(self) -> None:
        super().__init__()
        self.events: dict[str, UsageRecord] = {}

    async def record(self, record: UsageRecord) -> bool:
        self._maybe_fail("record")
        if record.job_id in self.events:
            return False
        self.events[record.job_id] = record
        return True

    async def records(self, user_id: str, period: str) -> list[UsageRecord]:
        self._maybe_fail("records")
        return sorted((r for r in self.events.values() if r.user_id == user_id and r.period == period),
                      key=lambda r: r.created_at)

    async def records_of(self, job_ids: Collection[str]) -> list[UsageRecord]:
        self._maybe_fail("records_of")
        return [self.events[j] for j in dict.fromkeys(job_ids) if j in self.events]

    async def summary(self, user_id: str, period: str) -> UsageSummary:
        self._maybe_fail("summary")
        mine = await self.records(user_id, period)
        cost = sum((r.cost for r in mine), Cost(0))
        return UsageSummary(user_id, period, video_calls=len(mine), video_cost=cost, total_calls=len(mine),
                            total_cost=cost)

    async def summaries(self, period: str, *, limit: int = 50, offset: int = 0) -> list[UsageSummary]:
        self._maybe_fail("summaries")
        users = sorted({r.user_id for r in self.events.values() if r.period == period})
        found = [await self.summary(user, period) for user in users]
        found.sort(key=lambda s: (-s.video_cost.usd, s.user_id))
        return found[offset:offset + limit]
