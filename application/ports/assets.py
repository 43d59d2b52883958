from __future__ import annotations

from abc import abstractmethod
from typing import Protocol

from videoforge.domain.records import Asset


class AssetLibraryError(Exception):
    """Base of every AssetLibrary error."""


class AssetNotFoundError(AssetLibraryError):
    pass


class AssetLibrary(Protocol):
    """The user's library of generated videos (legacy `content_assets`)."""

    @abstractmethod
    async def add(self, asset: Asset) -> Asset:
        """Record `asset`. Idempotent by job id: a second add for the same job returns the
        asset already recorded and adds nothing."""
        ...

    @abstractmethod
    async def get(self, asset_id: str) -> Asset:
        """Raises AssetNotFoundError."""
        ...

    @abstractmethod
    async def list(self, user_id: str, *, limit: int = 50, offset: int = 0,
                   source_module: str | None = None) -> list[Asset]:
        """The user's assets, newest first."""
        ...
