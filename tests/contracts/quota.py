from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

import pytest

from videoforge.application.ports.quota import QuotaGuard, QuotaGuardError
from videoforge.domain import Cost, Plan, QuotaExceededError

PERIOD = "2026-01"
TEN_VIDEOS = Plan("ten", 10, Cost("25"))
TWO_DOLLARS = Plan("two-dollars", 0, Cost("2"))


class QuotaGuardContract:
    """`quota_for(plan)` returns a QuotaGuard where user "u1" has `plan`."""

    @pytest.fixture
    def quota_for(self):
        raise NotImplementedError

    async def test_reservations_count_against_the_call_limit(self, quota_for):
        quota: QuotaGuard = await quota_for(Plan("two", 2, Cost("0")))
        await quota.reserve("u1", "j1", Cost("1"), PERIOD)
        await quota.reserve("u1", "j2", Cost("1"), PERIOD)
        with pytest.raises(QuotaExceededError) as caught:
            await quota.reserve("u1", "j3", Cost("1"), PERIOD)
        info = caught.value.usage_info
        assert caught.value.error_type == "video_limit"
        assert (info["current_calls"], info["limit"], info["requested_cost"]) == (2, 2, Decimal("1"))
        assert [r.job_id for r in await quota.held()] == ["j1", "j2"]

    async def test_cost_limit_counts_reserved_money(self, quota_for):
        quota = await quota_for(TWO_DOLLARS)
        await quota.reserve("u1", "j1", Cost("1.50"), PERIOD)
        with pytest.raises(QuotaExceededError) as caught:
            await quota.reserve("u1", "j2", Cost("0.51"), PERIOD)
        assert caught.value.error_type == "cost_limit"
        assert caught.value.usage_info["current_cost"] == Decimal("1.5")
        await quota.reserve("u1", "j3", Cost("0.50"), PERIOD)  # exactly up to the limit is fine

    async def test_reserve_is_idempotent_by_job(self, quota_for):
        quota = await quota_for(Plan("one", 1, Cost("0")))
        first = await quota.reserve("u1", "j1", Cost("1"), PERIOD)
        assert await quota.reserve("u1", "j1", Cost("1"), PERIOD) == first

    async def test_release_frees_and_settle_keeps_counting(self, quota_for):
        quota = await quota_for(Plan("one", 1, Cost("0")))
        await quota.reserve("u1", "j1", Cost("1"), PERIOD)
        await quota.release("j1")
        await quota.release("j1")
        await quota.reserve("u1", "j2", Cost("1"), PERIOD)
        settled = await quota.settle("j2", Cost("0.80"))
        assert settled.actual == Cost("0.80")
        assert await quota.settle("j2", Cost("0.80")) == settled
        assert await quota.release("j2") == settled  # releasing a settled one changes nothing
        with pytest.raises(QuotaExceededError):
            await quota.reserve("u1", "j3", Cost("1"), PERIOD)

    async def test_settled_cost_is_the_actual_cost(self, quota_for):
        quota = await quota_for(TWO_DOLLARS)
        await quota.reserve("u1", "j1", Cost("1.50"), PERIOD)
        await quota.settle("j1", Cost("0.50"))
        await quota.reserve("u1", "j2", Cost("1.50"), PERIOD)  # 0.50 used + 1.50 = 2.00

    async def test_settling_a_released_reservation_is_an_error(self, quota_for):
        quota = await quota_for(TEN_VIDEOS)
        await quota.reserve("u1", "j1", Cost("1"), PERIOD)
        await quota.release("j1")
        with pytest.raises(QuotaGuardError):
            await quota.settle("j1", Cost("1"))

    async def test_held_lists_what_is_neither_settled_nor_released(self, quota_for):
        quota = await quota_for(TEN_VIDEOS)
        reserved = [await quota.reserve("u1", job_id, Cost("1"), PERIOD) for job_id in ("j1", "j2", "j3", "j4")]
        await quota.settle("j2", Cost("1"))
        await quota.release("j3")
        held = await quota.held()
        assert [r.job_id for r in held] == ["j1", "j4"]
        assert held == [reserved[0], reserved[3]] and held[0].created_at.tzinfo is not None
        assert held[0].created_at <= held[1].created_at

    async def test_release_of_unknown_job_is_none(self, quota_for):
        quota = await quota_for(TEN_VIDEOS)
        assert await quota.release("nope") is None

    async def test_periods_are_apart(self, quota_for):
        quota = await quota_for(Plan("one", 1, Cost("0")))
        await quota.reserve("u1", "j1", Cost("1"), "2026-01")
        await quota.reserve("u1", "j2", Cost("1"), "2026-02")

    async def test_check_reserves_nothing(self, quota_for):
        quota = await quota_for(Plan("one", 1, Cost("0")))
        assert (await quota.check("u1", Cost("1"), PERIOD)).allowed
        assert (await quota.check("u1", Cost("1"), PERIOD)).allowed
        await quota.reserve("u1", "j1", Cost("1"), PERIOD)
        check = await quota.check("u1", Cost("1"), PERIOD)
        assert not check.allowed and check.usage_info["error_type"] == "video_limit"

    async def test_concurrent_reservations_never_exceed_the_call_limit(self, quota_for):
        quota = await quota_for(TEN_VIDEOS)
        results = await asyncio.gather(
            *(quota.reserve("u1", uuid.uuid4().hex, Cost("0.10"), PERIOD) for _ in range(200)),
            return_exceptions=True)
        assert sum(not isinstance(r, Exception) for r in results) == 10
        assert all(isinstance(r, QuotaExceededError) for r in results if isinstance(r, Exception))

    async def test_concurrent_reservations_never_exceed_the_cost_limit(self, quota_for):
        quota = await quota_for(TWO_DOLLARS)
        results = await asyncio.gather(
            *(quota.reserve("u1", uuid.uuid4().hex, Cost("0.30"), PERIOD) for _ in range(50)),
            return_exceptions=True)
        granted = [r for r in results if not isinstance(r, Exception)]
        assert len(granted) == 6  # 6 x 0.30 = 1.80 <= 2.00 < 2.10
        assert sum((r.amount for r in granted), Cost(0)) <= Cost("2")

    async def test_reprice_holds_the_new_amount_when_the_plan_admits_it_without_the_old(self, quota_for):
        quota = await quota_for(TWO_DOLLARS)
        await quota.reserve("u1", "j1", Cost("1.50"), PERIOD)
        repriced = await quota.reprice("j1", Cost("2.00"))  # $2 plan: the old $1.50 is not counted twice
        assert repriced.amount == Cost("2.00") and [r.amount for r in await quota.held()] == [Cost("2.00")]
        with pytest.raises(QuotaExceededError):
            await quota.reserve("u1", "j2", Cost("0.01"), PERIOD)

    async def test_a_reprice_the_plan_refuses_keeps_the_old_amount(self, quota_for):
        quota = await quota_for(TWO_DOLLARS)
        await quota.reserve("u1", "j1", Cost("1.00"), PERIOD)
        await quota.reserve("u1", "j2", Cost("0.50"), PERIOD)
        with pytest.raises(QuotaExceededError):
            await quota.reprice("j1", Cost("1.60"))
        assert {r.job_id: r.amount for r in await quota.held()} == {"j1": Cost("1.00"), "j2": Cost("0.50")}

    async def test_only_a_held_reservation_is_repriced(self, quota_for):
        from videoforge.application.ports.quota import ReservationNotFoundError

        quota = await quota_for(TWO_DOLLARS)
        with pytest.raises(ReservationNotFoundError):
            await quota.reprice("nope", Cost("1"))
        await quota.reserve("u1", "j1", Cost("1"), PERIOD)
        await quota.release("j1")
        with pytest.raises(QuotaGuardError):
            await quota.reprice("j1", Cost("1"))
