from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from videoforge.application.ports.media import MediaSource
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


def direct_path(source: MediaSource) -> Path | None:
    """A file that already holds the source's bytes: an input given by path, or a stored object
    whose storage keeps it in a file on this machine."""
    if isinstance(source, InputSource) and source.media.path is not None:
        path = Path(source.media.path)
        if not path.is_file():
            raise FileNotFoundError(2, "No such file", str(path))
        return path
    if isinstance(source, StoredSource):
        return source.storage.local_path(source.stored.key)
    return None


@contextlib.asynccontextmanager
async def local_file(source: MediaSource, directory: str | os.PathLike[str] | None = None,
                     target: Path | None = None) -> AsyncIterator[Path]:
    """The source as a file on disk, for libraries that read paths (FFmpeg). Uses the file
    itself when there is one; otherwise streams the source into `target` (kept) or into a
    temporary file in `directory` (removed on exit). Never holds the whole source in memory."""
    if target is None:
        path = await asyncio.to_thread(direct_path, source)
        if path is not None:
            yield path
            return
    if target is not None:
        spooled, keep = target, True
        handle = await asyncio.to_thread(open, spooled, "wb")
    else:
        fd, name = await asyncio.to_thread(tempfile.mkstemp, suffix=_suffix(source), dir=directory)
        spooled, keep = Path(name), False
        handle = os.fdopen(fd, "wb")
    try:
        try:
            async for chunk in source.chunks():
                await asyncio.to_thread(handle.write, chunk)
        finally:
            handle.close()
        yield spooled
    finally:
        if not keep:
            with contextlib.suppress(FileNotFoundError):
                await asyncio.shield(asyncio.to_thread(spooled.unlink))


def _suffix(source: MediaSource) -> str:
    # FFmpeg probes the content, not the name; a suffix only helps people reading /tmp.
    name = source.filename or ""
    suffix = Path(name).suffix
    return suffix if suffix[1:].isalnum() and len(suffix) <= 6 else ""
