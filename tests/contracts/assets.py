from __future__ import annotations

import pytest

from tests.contracts.builders import asset, later
from videoforge.application.ports.assets import AssetLibrary, AssetNotFoundError


class AssetLibraryContract:
    @pytest.fixture
    def assets(self) -> AssetLibrary:
        raise NotImplementedError

    async def test_added_asset_reads_back_whole(self, assets):
        original = asset()
        assert await assets.add(original) == original
        assert await assets.get(original.id) == original

    async def test_adding_for_the_same_job_again_returns_the_first(self, assets):
        first = asset(job_id="job-1")
        await assets.add(first)
        again = await assets.add(asset(job_id="job-1"))
        assert again == first
        assert [a.id for a in await assets.list("u1")] == [first.id]

    async def test_missing_asset_is_not_found(self, assets):
        with pytest.raises(AssetNotFoundError):
            await assets.get("nope")

    async def test_list_is_the_users_newest_first_and_filters_by_source(self, assets):
        old = await assets.add(asset(created_at=later(1), source_module="story_writer"))
        new = await assets.add(asset(created_at=later(2)))
        await assets.add(asset("u2"))
        assert [a.id for a in await assets.list("u1")] == [new.id, old.id]
        assert [a.id for a in await assets.list("u1", source_module="story_writer")] == [old.id]
        assert [a.id for a in await assets.list("u1", limit=1, offset=1)] == [old.id]
