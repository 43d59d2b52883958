from __future__ import annotations

import hashlib
from collections.abc import AsyncIterable, AsyncIterator
from datetime import timedelta
from pathlib import Path

from videoforge.adapters.fakes.faults import FaultInjector
from videoforge.application.ports.storage import InvalidKeyError, ObjectNotFoundError, Storage, StorageLimitError
from videoforge.domain.errors import InvalidRequestError
from videoforge.domain.keys import validate_key
from videoforge.domain.records import StoredObject


class InMemoryStorage(FaultInjector, Storage):
    """Storage in a dict. `objects` maps key -> bytes, for tests to look at.
    The fault point "save_chunk" fails a save midway through its stream."""

    fault_points = ("save_chunk",)

    def __init__(self, max_bytes: int | None = None, base_url: str = "memory://"):
        super().__init__()
        self.objects: dict[str, bytes] = {}
        self._meta: dict[str, StoredObject] = {}
        self.max_bytes = max_bytes
        self._base_url = base_url

    @staticmethod
    def _key(key: str) -> str:
        try:
            return validate_key(key)
        except InvalidRequestError as e:
            raise InvalidKeyError(str(e)) from e

    async def save(self, key: str, chunks: AsyncIterable[bytes], content_type: str) -> StoredObject:
        self._key(key)
        self._maybe_fail("save")
        buffer = bytearray()
        digest = hashlib.sha256()
        # An error from the stream itself (a broken download) propagates as it is: it is the
        # producer's, not the storage's. Nothing is kept either way.
        async for chunk in chunks:
            buffer += chunk
            digest.update(chunk)
            if self.max_bytes is not None and len(buffer) > self.max_bytes:
                raise StorageLimitError(f"{key}: larger than the {self.max_bytes}-byte cap")
            self._maybe_fail("save_chunk")
        stored = StoredObject(key, len(buffer), digest.hexdigest(), content_type)
        self.objects[key] = bytes(buffer)
        self._meta[key] = stored
        return stored

    async def open(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        self._key(key)
        self._maybe_fail("open")
        if key not in self.objects:
            raise ObjectNotFoundError(key)
        data = self.objects[key][start:end]
        for i in range(0, len(data), 65536):
            yield data[i:i + 65536]

    async def stat(self, key: str) -> StoredObject:
        self._key(key)
        self._maybe_fail("stat")
        if key not in self._meta:
            raise ObjectNotFoundError(key)
        return self._meta[key]

    async def delete(self, key: str) -> None:
        self._key(key)
        self._maybe_fail("delete")
        self.objects.pop(key, None)
        self._meta.pop(key, None)

    async def sweep(self, idle: timedelta) -> int:
        self._maybe_fail("sweep")
        return 0  # an unfinished save keeps nothing here

    def local_path(self, key: str) -> Path | None:
        self._key(key)
        if key not in self._meta:
            raise ObjectNotFoundError(key)
        return None  # kept in memory: readers stream it

    async def direct_url(self, key: str) -> str | None:
        self._key(key)
        return None  # served from `open`

    async def url(self, key: str) -> str:
        self._key(key)
        return self._base_url + key
