from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

from videoforge.application.ports.storage import Storage
from videoforge.domain.media import MediaInput
from videoforge.domain.records import StoredObject

CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class InputSource:
    """A request's input file as a MediaSource (bytes in memory or a local path)."""

    media: MediaInput

    @property
    def content_type(self) -> str:
        return self.media.content_type

    @property
    def size(self) -> int | None:
        return self.media.size

    @property
    def filename(self) -> str | None:
        return self.media.filename

    async def chunks(self) -> AsyncIterator[bytes]:
        if not self.media.kept:
            raise FileNotFoundError(f"the {self.media.kind.value} input was given in memory and not kept")
        if self.media.data is not None:
            for i in range(0, len(self.media.data), CHUNK):
                yield self.media.data[i:i + CHUNK]
            return
        handle = await asyncio.to_thread(open, self.media.path, "rb")
        try:
            while chunk := await asyncio.to_thread(handle.read, CHUNK):
                yield chunk
        finally:
            handle.close()


@dataclass(frozen=True, slots=True)
class StoredSource:
    """An object in Storage as a MediaSource."""

    storage: Storage
    stored: StoredObject

    @property
    def content_type(self) -> str:
        return self.stored.content_type

    @property
    def size(self) -> int | None:
        return self.stored.size

    @property
    def filename(self) -> str | None:
        return self.stored.key.rsplit("/", 1)[-1]

    def chunks(self) -> AsyncIterator[bytes]:
        return self.storage.open(self.stored.key)


async def one_chunk(data: bytes) -> AsyncIterator[bytes]:
    yield data
