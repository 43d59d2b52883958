from __future__ import annotations

from abc import abstractmethod
from collections.abc import AsyncIterable, AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Protocol

from videoforge.domain.records import StoredObject


class StorageError(Exception):
    """Base of every Storage error."""


class InvalidKeyError(StorageError):
    """The key is not allowed (`..`, absolute, characters outside the safe set)."""


class ObjectNotFoundError(StorageError):
    pass


class StorageLimitError(StorageError):
    """The object is larger than the configured cap; nothing was kept."""


class Storage(Protocol):
    """Where the videos and thumbnails live. Keys look like `videos/<user>/<yyyy>/<mm>/<job>.mp4`."""

    @abstractmethod
    async def save(self, key: str, chunks: AsyncIterable[bytes], content_type: str) -> StoredObject:
        """Stream `chunks` into `key` and return its size and sha256. All or nothing: a failure
        midway leaves no object. Saving the same key again replaces it (so a retry is safe).
        Raises InvalidKeyError, StorageLimitError, StorageError."""
        ...

    @abstractmethod
    def open(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """The bytes of `key` from `start` to `end` (exclusive) as a stream.
        Raises ObjectNotFoundError."""
        ...

    @abstractmethod
    async def stat(self, key: str) -> StoredObject:
        """Size, checksum and type of `key`. Raises ObjectNotFoundError."""
        ...

    @abstractmethod
    async def delete(self, key: str) -> None:
        """Remove `key`; removing a missing key is not an error."""
        ...

    @abstractmethod
    def local_path(self, key: str) -> Path | None:
        """A file on this machine holding the bytes of `key`, for readers that need a path
        (FFmpeg), or None for a storage that keeps no files here (memory, object storage); the
        caller then streams `open`. Blocking: call it off the event loop. Raises
        ObjectNotFoundError (a storage keeping nothing here may answer None without looking: its
        `open` raises it then)."""
        ...

    @abstractmethod
    async def url(self, key: str) -> str:
        """A lasting URL or path naming `key` (kept in the asset record)."""
        ...

    @abstractmethod
    async def sweep(self, idle: timedelta) -> int:
        """Remove what saves that never finished left behind (a process killed mid-save): the
        temporary files untouched for longer than `idle` (a save in progress keeps writing to its
        own). Returns how many were removed; a storage that leaves nothing behind returns 0."""
        ...

    @abstractmethod
    async def direct_url(self, key: str) -> str | None:
        """A short-lived URL from which a client downloads `key` itself (object storage set to
        presign downloads), or None: the bytes are served from `open`."""
        ...
