from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine

from videoforge.adapters.sql.database import Database
from videoforge.adapters.sql.schema import content_assets
from videoforge.application.ports.assets import AssetLibrary, AssetLibraryError, AssetNotFoundError
from videoforge.domain.records import Asset


def _row(asset: Asset) -> dict[str, Any]:
    return {
        "id": asset.id, "user_id": asset.user_id, "job_id": asset.job_id, "asset_type": asset.asset_type,
        "source_module": asset.source_module, "filename": asset.filename, "file_path": asset.storage_key,
        "file_url": asset.file_url, "file_size": asset.file_size, "mime_type": asset.mime_type,
        "sha256": asset.sha256, "operation": asset.operation, "title": asset.title, "prompt": asset.prompt,
        "tags": list(asset.tags), "asset_metadata": asset.metadata, "provider": asset.provider,
        "model": asset.model, "cost": asset.cost, "generation_time": asset.generation_time,
        "duration": asset.duration, "width": asset.width, "height": asset.height, "fps": asset.fps,
        "codec": asset.codec, "has_audio": asset.has_audio, "thumbnail_key": asset.thumbnail_key,
        "parent_asset_ids": list(asset.parent_asset_ids), "created_at": asset.created_at,
    }


def _asset(row: Any) -> Asset:
    return Asset(
        id=row.id, user_id=row.user_id, job_id=row.job_id, source_module=row.source_module,
        storage_key=row.file_path, file_url=row.file_url, filename=row.filename, file_size=row.file_size,
        sha256=row.sha256, mime_type=row.mime_type, operation=row.operation, provider=row.provider,
        model=row.model, cost=row.cost, created_at=row.created_at, asset_type=row.asset_type, prompt=row.prompt,
        duration=row.duration, width=row.width, height=row.height, fps=row.fps, codec=row.codec,
        has_audio=row.has_audio, thumbnail_key=row.thumbnail_key, generation_time=row.generation_time,
        parent_asset_ids=tuple(row.parent_asset_ids or ()), title=row.title, tags=tuple(row.tags or ()),
        metadata=dict(row.asset_metadata or {}),
    )


_BY_ID = select(content_assets).where(content_assets.c.id == bindparam("asset"))


class SqlAssetLibrary(AssetLibrary):
    """The library in `content_assets` (legacy column names), one row per job (job_id UNIQUE)."""

    def __init__(self, engine: AsyncEngine | Database):
        self._db = Database.of(engine)
        self._add = self._db.upsert(content_assets).on_conflict_do_nothing()  # built once

    def _transaction(self, what: str, **options: Any):
        return self._db.transaction(AssetLibraryError, what, **options)

    async def add(self, asset: Asset) -> Asset:
        # ON CONFLICT DO NOTHING rather than a failed insert: inside a unit of work (the delivery
        # of a job) a unique conflict must not abort the shared transaction.
        async with self._transaction(f"adding the asset of job {asset.job_id}") as conn:
            added = await conn.execute(self._add, _row(asset))
        if added.rowcount == 1:
            return asset
        existing = await self._find_by_job(asset.job_id)  # a retried step: the job's asset counts
        if existing is None:
            raise AssetLibraryError(f"adding the asset of job {asset.job_id}: asset id {asset.id} is taken")
        return existing

    async def get(self, asset_id: str) -> Asset:
        row = await self._one(_BY_ID, f"reading asset {asset_id}", {"asset": asset_id})
        if row is None:
            raise AssetNotFoundError(f"no asset {asset_id}")
        return _asset(row)

    async def _find_by_job(self, job_id: str) -> Asset | None:
        row = await self._one(select(content_assets).where(content_assets.c.job_id == job_id),
                              f"reading the asset of job {job_id}")
        return _asset(row) if row is not None else None

    async def list(self, user_id: str, *, limit: int = 50, offset: int = 0,
                   source_module: str | None = None) -> list[Asset]:
        query = select(content_assets).where(content_assets.c.user_id == user_id)
        if source_module is not None:
            query = query.where(content_assets.c.source_module == source_module)
        query = query.order_by(content_assets.c.created_at.desc(), content_assets.c.id.desc()).limit(limit)
        async with self._transaction(f"listing the assets of user {user_id}", write=False) as conn:
            rows = (await conn.execute(query.offset(offset))).all()
        return [_asset(row) for row in rows]

    async def _one(self, query: Any, what: str, parameters: dict[str, Any] | None = None) -> Any:
        async with self._transaction(what, write=False) as conn:
            return (await conn.execute(query, parameters)).first()
