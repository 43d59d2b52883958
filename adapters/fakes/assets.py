from __future__ import annotations

from videoforge.adapters.fakes.faults import FaultInjector
from videoforge.application.ports.assets import AssetLibrary, AssetNotFoundError
from videoforge.domain.records import Asset


class InMemoryAssetLibrary(FaultInjector, AssetLibrary):
    def __init__(self) -> None:
        super().__init__()
        self.assets: dict[str, Asset] = {}

    async def add(self, asset: Asset) -> Asset:
        self._maybe_fail("add")
        existing = next((a for a in self.assets.values() if a.job_id == asset.job_id), None)
        if existing is not None:
            return existing
        self.assets[asset.id] = asset
        return asset

    async def get(self, asset_id: str) -> Asset:
        self._maybe_fail("get")
        try:
            return self.assets[asset_id]
        except KeyError:
            raise AssetNotFoundError(f"no asset {asset_id}") from None

    async def list(self, user_id: str, *, limit: int = 50, offset: int = 0,
                   source_module: str | None = None) -> list[Asset]:
        self._maybe_fail("list")
        mine = [a for a in self.assets.values()
                if a.user_id == user_id and (source_module is None or a.source_module == source_module)]
        mine.sort(key=lambda a: (a.created_at, a.id), reverse=True)
        return mine[offset:offset + limit]
