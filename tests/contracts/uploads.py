from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from tests.contracts.builders import T0, later
from videoforge.application.ports.uploads import UploadRegistry
from videoforge.domain import Cost, MediaKind, Plan, QuotaExceededError
from videoforge.domain.quota import UploadUsage
from videoforge.domain.uploads import UploadRecord

ROOMY = Plan("roomy", 0, Cost(0))


def upload(upload_id: str, user_id: str = "u1", size: int = 100, at=T0) -> UploadRecord:
    return UploadRecord(upload_id, user_id, MediaKind.IMAGE, "image/png", size, f"uploads/{user_id}/{upload_id}", at,
                        at)


class UploadRegistryContract:
    @pytest.fixture
    def uploads(self) -> UploadRegistry:
        raise NotImplementedError

    async def test_uploads_are_recorded_and_counted_per_user(self, uploads):
        await uploads.add(upload("a"), ROOMY)
        await uploads.add(upload("b", size=250), ROOMY)
        await uploads.add(upload("c", user_id="u2", size=7), ROOMY)
        assert await uploads.usage("u1") == UploadUsage(2, 350)
        assert await uploads.usage("u2") == UploadUsage(1, 7)
        assert await uploads.usage("nobody") == UploadUsage(0, 0)

    async def test_a_plan_refuses_an_upload_past_its_count_or_bytes_and_records_nothing(self, uploads):
        plan = Plan("small", 0, Cost(0), upload_bytes_limit=300, upload_count_limit=2)
        await uploads.add(upload("a", size=200), plan)
        with pytest.raises(QuotaExceededError) as too_big:
            await uploads.add(upload("b", size=101), plan)
        assert too_big.value.error_type == "upload_bytes_limit" and "upload_bytes_limit" in str(too_big.value)
        await uploads.add(upload("c", size=100), plan)
        with pytest.raises(QuotaExceededError) as too_many:
            await uploads.add(upload("d", size=1), plan)
        assert too_many.value.error_type == "upload_count_limit"
        assert too_many.value.usage_info["upload_count_limit"] == 2
        assert await uploads.usage("u1") == UploadUsage(2, 300)
        assert await uploads.use("u1", "b", T0) is None and await uploads.use("u1", "d", T0) is None

    async def test_concurrent_uploads_never_pass_the_limit_together(self, uploads):
        plan = Plan("three", 0, Cost(0), upload_count_limit=3)

        async def one(i: int) -> bool:
            try:
                await uploads.add(upload(f"up{i}"), plan)
                return True
            except QuotaExceededError:
                return False

        results = await asyncio.gather(*(one(i) for i in range(8)))
        assert sum(results) == 3
        assert (await uploads.usage("u1")).count == 3

    async def test_use_marks_the_users_own_upload_used(self, uploads):
        await uploads.add(upload("a"), ROOMY)
        assert await uploads.use("u2", "a", later(5)) is None  # not hers
        used = await uploads.use("u1", "a", later(5))
        assert used is not None and used.last_used_at == later(5) and used.key == "uploads/u1/a"
        assert (await uploads.use("u1", "a", later(3))).last_used_at == later(5)  # never goes back

    async def test_unused_uploads_expire_unless_used_meanwhile(self, uploads):
        await uploads.add(upload("old"), ROOMY)
        await uploads.add(upload("fresh", at=later(100)), ROOMY)
        await uploads.add(upload("revived"), ROOMY)
        cutoff = later(50)
        assert [r.id for r in await uploads.unused_since(cutoff)] == ["old", "revived"]
        await uploads.use("u1", "revived", later(60))  # used after the list was read
        assert await uploads.expire("revived", cutoff) is False
        assert await uploads.expire("fresh", cutoff) is False
        assert await uploads.expire("old", cutoff) is True
        expiring = await uploads.use("u1", "old", later(70))  # too late: no longer usable
        assert expiring.expiring and expiring.last_used_at == T0
        # a deletion that did not finish is listed again, whatever the cutoff
        assert [r.id for r in await uploads.unused_since(T0 - timedelta(days=1))] == ["old"]
        assert await uploads.expire("old", T0 - timedelta(days=1)) is True
        await uploads.remove("old")
        await uploads.remove("old")
        assert await uploads.use("u1", "old", later(80)) is None
        assert await uploads.usage("u1") == UploadUsage(2, 200)
        assert await uploads.expire("gone", cutoff) is False
