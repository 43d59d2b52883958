from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from videoforge.application.ports.assets import AssetLibrary, AssetNotFoundError
from videoforge.application.ports.clock import Clock
from videoforge.application.ports.plans import PlanSource
from videoforge.application.ports.quota import QuotaGuard
from videoforge.application.ports.storage import ObjectNotFoundError, Storage
from videoforge.application.ports.uploads import UploadRegistry
from videoforge.application.ports.usage import UsageMeter
from videoforge.application.use_cases.submit import new_id
from videoforge.domain import (
    Asset,
    Cost,
    InvalidRequestError,
    MediaInput,
    MediaKind,
    ModelCatalog,
    QuotaCheck,
    StoredObject,
    UsageRecord,
    UsageSummary,
)
from videoforge.domain.keys import legacy_upload_key, upload_key
from videoforge.domain.quota import billing_period
from videoforge.domain.request import source_module as check_source_module
from videoforge.domain.text import exact_id
from videoforge.domain.uploads import UploadRecord


class GetAsset:
    """A user's asset; another user's is not found, never shown."""

    def __init__(self, assets: AssetLibrary):
        self._assets = assets

    async def __call__(self, asset_id: str, user_id: str) -> Asset:
        asset = await self._assets.get(exact_id("asset_id", asset_id))
        if asset.user_id != user_id:
            raise AssetNotFoundError(f"no asset {asset_id}")
        return asset


class ListAssets:
    def __init__(self, assets: AssetLibrary):
        self._assets = assets

    async def __call__(self, user_id: str, *, limit: int = 50, offset: int = 0,
                       source_module: str | None = None) -> list[Asset]:
        if source_module is not None:
            check_source_module(source_module)
        return await self._assets.list(user_id, limit=limit, offset=offset, source_module=source_module)


@dataclass(frozen=True, slots=True)
class AssetFile:
    key: str
    size: int
    content_type: str
    start: int
    end: int  # exclusive
    chunks: AsyncIterator[bytes] | None  # None when `redirect` is given
    redirect: str | None = None  # a short-lived URL the client downloads the file from itself


class OpenAssetFile:
    """The bytes of a user's video (or its thumbnail), whole or a byte range."""

    def __init__(self, assets: AssetLibrary, storage: Storage):
        self._get = GetAsset(assets)
        self._storage = storage

    async def __call__(self, asset_id: str, user_id: str, *, thumbnail: bool = False, start: int = 0,
                       end: int | None = None) -> AssetFile:
        asset = await self._get(asset_id, user_id)
        key = asset.thumbnail_key if thumbnail else asset.storage_key
        if key is None:
            raise AssetNotFoundError(f"asset {asset_id} has no thumbnail")
        stat = await self._storage.stat(key)
        end = stat.size if end is None else min(end, stat.size)
        if start < 0 or start >= stat.size or end <= start:
            raise InvalidRequestError("range", f"starts past the end of a {stat.size}-byte file", value=start)
        if (direct := await self._storage.direct_url(key)) is not None:
            return AssetFile(key, stat.size, stat.content_type, start, end, None, redirect=direct)
        return AssetFile(key, stat.size, stat.content_type, start, end, self._storage.open(key, start, end))


class StoredVideo:
    """A stored video as legacy callers had it: a file on this machine (the storage's own, where
    it keeps files) and, on demand, its whole bytes."""

    def __init__(self, storage: Storage):
        self._storage = storage

    async def local_path(self, key: str) -> Path | None:
        return await asyncio.to_thread(self._storage.local_path, key)

    def read_now(self, key: str) -> bytes:
        """All the bytes of `key`, read at once. Blocking, for synchronous legacy code: the
        storage's file where there is one, else its stream read on a loop of its own in a
        helper thread (the caller's loop waits, as the legacy code's did)."""
        path = self._storage.local_path(key)
        if path is not None:
            return path.read_bytes()

        async def collect() -> bytes:
            return b"".join([chunk async for chunk in self._storage.open(key)])

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="videoforge-read") as pool:
            return pool.submit(asyncio.run, collect()).result()


@dataclass(frozen=True, slots=True)
class Upload:
    id: str
    kind: MediaKind
    content_type: str
    size: int


class SaveUpload:
    """Keeps an input file (image, audio, video) for a later request, within the catalog's
    largest limit for its kind and the user's plan (`upload_count_limit`, `upload_bytes_limit`:
    the stream is cut off as soon as it passes the room left); the request then refers to it by
    id. A refused upload leaves nothing behind: no file, no record."""

    def __init__(self, storage: Storage, catalog: ModelCatalog, uploads: UploadRegistry, plans: PlanSource,
                 clock: Clock):
        self._storage = storage
        self._catalog = catalog
        self._uploads = uploads
        self._plans = plans
        self._clock = clock

    async def __call__(self, user_id: str, kind: MediaKind | str, chunks: AsyncIterable[bytes],
                       content_type: str) -> Upload:
        kind = MediaKind(kind)
        plan = await self._plans.plan_for(user_id)
        usage = await self._uploads.usage(user_id)
        plan.admit_upload(usage, 0)  # no room for one more file at all: refused before reading a byte
        stored = await self._storage.save(upload_key(user_id, upload_id := new_id()),
                                          self._capped(chunks, kind, plan.upload_room(usage),
                                                       lambda size: plan.admit_upload(usage, size)),
                                          content_type)
        try:
            if stored.size == 0:
                raise InvalidRequestError(kind.value, "the file is empty")
            now = self._clock.now()
            await self._uploads.add(UploadRecord(upload_id, user_id, kind, content_type, stored.size, stored.key,
                                                 now, now), plan)
        except BaseException:
            await asyncio.shield(self._storage.delete(stored.key))
            raise
        return Upload(upload_id, kind, content_type, stored.size)

    def _capped(self, chunks: AsyncIterable[bytes], kind: MediaKind, room: int | None,
                refuse: Callable[[int], None]) -> AsyncIterator[bytes]:
        limit = self._catalog.max_input_bytes(kind)

        async def capped() -> AsyncIterator[bytes]:
            total = 0
            async for chunk in chunks:
                total += len(chunk)
                if total > limit:
                    raise InvalidRequestError(kind.value, f"is larger than {limit} bytes, the most any model takes")
                if room is not None and total > room:
                    refuse(total)  # the plan's upload_bytes_limit, named
                yield chunk

        return capped()


class LoadInput:
    """An input for a request from an upload (marked used now: it is kept while used), or from
    one of the user's assets (a video to enhance or extend)."""

    def __init__(self, storage: Storage, assets: AssetLibrary, uploads: UploadRegistry, clock: Clock):
        self._storage = storage
        self._get_asset = GetAsset(assets)
        self._uploads = uploads
        self._clock = clock

    async def __call__(self, user_id: str, kind: MediaKind, *, upload_id: str | None = None,
                       asset_id: str | None = None) -> MediaInput:
        if asset_id is not None:
            key = (await self._get_asset(asset_id, user_id)).storage_key
            stat = await self._storage.stat(key)
        elif upload_id is not None:
            upload_id = exact_id(f"{kind.value}.upload_id", upload_id)
            key, stat = await self._upload(user_id, kind, upload_id)
        else:
            raise InvalidRequestError(kind.value, "give an upload_id or an asset_id")
        path = await asyncio.to_thread(self._storage.local_path, key)
        if path is not None:  # the stored file itself, read as a stream by probes and providers
            media = MediaInput.from_path(kind, str(path), stat.content_type, stat.size)
        else:
            data = b"".join([chunk async for chunk in self._storage.open(key)])  # no file here (memory)
            media = MediaInput.from_bytes(kind, data, stat.content_type, key.rsplit("/", 1)[-1])
        return replace(media, asset_id=asset_id, upload_id=upload_id)

    async def _upload(self, user_id: str, kind: MediaKind, upload_id: str) -> tuple[str, StoredObject]:
        """The user's upload, marked used; or (uploads of an older release, without a record) its
        file where this release keeps it or where that one did, when only this user can have
        written there."""
        record = await self._uploads.use(user_id, upload_id, self._clock.now())
        if record is not None and record.expiring:
            raise InvalidRequestError(kind.value, f"upload {upload_id!r} expired unused; upload the file again",
                                      value=upload_id)
        keys = [record.key] if record is not None else [upload_key(user_id, upload_id),
                                                          legacy_upload_key(user_id, upload_id)]
        for key in keys:
            if key is None:
                continue
            try:
                return key, await self._storage.stat(key)
            except ObjectNotFoundError:
                continue
        raise InvalidRequestError(kind.value, f"no such upload {upload_id!r}", value=upload_id)


@dataclass(frozen=True, slots=True)
class UsageReport:
    summary: UsageSummary
    quota: QuotaCheck
    videos: list[UsageRecord]  # the period's billed videos, oldest first


class GetUsage:
    """A user's usage this billing period, with the plan's limits."""

    def __init__(self, usage: UsageMeter, quota: QuotaGuard, clock: Clock):
        self._usage = usage
        self._quota = quota
        self._clock = clock

    async def __call__(self, user_id: str) -> UsageReport:
        period = billing_period(self._clock.now())
        return UsageReport(await self._usage.summary(user_id, period),
                           await self._quota.check(user_id, Cost(0), period),
                           await self._usage.records(user_id, period))
