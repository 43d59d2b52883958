from __future__ import annotations

import pytest

from videoforge.application.ports.plans import PlanBook, PlanSource
from videoforge.domain import Cost, InvalidRequestError, Plan

STARTER = Plan("starter", 3, Cost("5"))
TEAM = Plan("team", 50, Cost("200.50"), concurrent_jobs=4)
UNLIMITED = Plan("unlimited", 0, Cost(0))


class PlanSourceContract:
    """`source_for(assigned, default)` returns a PlanSource where each user of `assigned` has that
    plan and anyone else `default`."""

    @pytest.fixture
    def source_for(self):
        raise NotImplementedError

    async def test_a_user_gets_their_plan_and_anyone_else_the_default(self, source_for):
        source: PlanSource = await source_for({"u1": TEAM}, STARTER)
        assert await source.plan_for("u1") == TEAM
        assert await source.plan_for("someone-new") == STARTER

    async def test_every_limit_comes_back_exactly(self, source_for):
        source = await source_for({"u1": TEAM, "u2": UNLIMITED}, STARTER)
        team, unlimited = await source.plan_for("u1"), await source.plan_for("u2")
        assert (team.video_calls_limit, team.monthly_cost_limit, team.concurrent_jobs) == (50, Cost("200.50"), 4)
        assert (unlimited.video_calls_limit, unlimited.monthly_cost_limit, unlimited.concurrent_jobs) == (0, Cost(0), 0)


class PlanBookContract(PlanSourceContract):
    """`book_for(plans, default)` returns a PlanBook of those plans (in that order), nobody assigned.
    The PlanSource contract runs on it too, through `assign`."""

    @pytest.fixture
    def book_for(self):
        raise NotImplementedError

    @pytest.fixture
    def source_for(self, book_for):
        async def make(assigned: dict[str, Plan], default: Plan) -> PlanSource:
            plans = [default, *[p for p in dict.fromkeys(assigned.values()) if p != default]]
            book = await book_for(plans, default)
            for user, plan in assigned.items():
                await book.assign(user, plan.name)
            return book

        return make

    async def test_lists_its_plans_in_order_with_the_default(self, book_for):
        book: PlanBook = await book_for([STARTER, TEAM, UNLIMITED], TEAM)
        assert await book.plans() == [STARTER, TEAM, UNLIMITED]
        assert book.default_plan == TEAM

    async def test_an_assignment_is_seen_by_the_next_question(self, book_for):
        book = await book_for([STARTER, TEAM], STARTER)
        assert await book.assignment("u1") is None
        assert await book.assign("u1", "team", by="admin-1") == TEAM
        assert await book.plan_for("u1") == TEAM and await book.assignment("u1") == TEAM
        await book.assign("u1", "team")  # again: idempotent
        await book.assign("u1", "starter")
        assert await book.plan_for("u1") == STARTER and await book.assignment("u1") == STARTER
        assert await book.plan_for("u2") == STARTER and await book.assignment("u2") is None

    async def test_an_unknown_plan_is_refused_naming_the_plans_there_are(self, book_for):
        book = await book_for([STARTER, TEAM], STARTER)
        with pytest.raises(InvalidRequestError) as caught:
            await book.assign("u1", "gold")
        assert caught.value.field == "plan" and caught.value.allowed == ("starter", "team")
        assert await book.assignment("u1") is None
