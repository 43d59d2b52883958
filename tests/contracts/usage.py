from __future__ import annotations

import asyncio

import pytest

from tests.contracts.builders import later, usage
from videoforge.application.ports.usage import UsageMeter
from videoforge.domain import Cost


class UsageMeterContract:
    @pytest.fixture
    def meter(self) -> UsageMeter:
        raise NotImplementedError

    async def test_records_add_up_in_the_summary(self, meter):
        assert await meter.record(usage(cost="0.20"))
        assert await meter.record(usage(cost="0.05", at=later(1)))
        summary = await meter.summary("u1", "2026-01")
        assert (summary.video_calls, summary.video_cost) == (2, Cost("0.25"))
        assert (summary.total_calls, summary.total_cost) == (2, Cost("0.25"))

    async def test_a_job_is_counted_once_however_often_recorded(self, meter):
        record = usage(job_id="job-1")
        results = await asyncio.gather(*(meter.record(record) for _ in range(5)))
        assert sorted(results) == [False] * 4 + [True]
        assert (await meter.summary("u1", "2026-01")).video_calls == 1

    async def test_periods_and_users_are_apart(self, meter):
        await meter.record(usage("u1", period="2026-01"))
        await meter.record(usage("u1", period="2026-02"))
        await meter.record(usage("u2", period="2026-01"))
        assert (await meter.summary("u1", "2026-01")).video_calls == 1
        assert (await meter.summary("u3", "2026-01")).video_calls == 0

    async def test_records_read_back_exactly(self, meter):
        record = usage(cost="0.123456")
        await meter.record(record)
        assert await meter.records("u1", "2026-01") == [record]

    async def test_records_are_read_by_job_whatever_the_user_or_period(self, meter):
        a = usage("u1", job_id="job-a", period="2026-01")
        b = usage("u2", job_id="job-b", period="2026-02")
        await meter.record(a)
        await meter.record(b)
        await meter.record(usage("u1", job_id="job-c"))
        found = await meter.records_of(["job-b", "job-a", "job-missing", "job-a"])
        assert sorted(found, key=lambda r: r.job_id) == [a, b]
        assert await meter.records_of([]) == []

    async def test_summaries_list_every_user_of_the_period_largest_spend_first(self, meter):
        await meter.record(usage("u1", job_id="a1", cost="0.10"))
        await meter.record(usage("u2", job_id="b1", cost="0.30"))
        await meter.record(usage("u3", job_id="c1", cost="0.10"))
        await meter.record(usage("u1", job_id="a2", cost="0.05", at=later(1)))
        await meter.record(usage("u4", job_id="d1", cost="9.00", period="2026-02"))
        found = await meter.summaries("2026-01")
        assert [(s.user_id, s.video_calls, s.video_cost) for s in found] == [
            ("u2", 1, Cost("0.30")), ("u1", 2, Cost("0.15")), ("u3", 1, Cost("0.10"))]
        assert [s.user_id for s in await meter.summaries("2026-01", limit=1, offset=1)] == ["u1"]
        assert await meter.summaries("2025-12") == []
