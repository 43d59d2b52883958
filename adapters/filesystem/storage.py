from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import mimetypes
import os
import time
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from videoforge.application.ports.storage import (
    InvalidKeyError,
    ObjectNotFoundError,
    Storage,
    StorageError,
    StorageLimitError,
)
from videoforge.domain.errors import InvalidRequestError
from videoforge.domain.keys import validate_key
from videoforge.domain.records import StoredObject

CHUNK = 1024 * 1024


log = logging.getLogger("videoforge.storage")

class FileSystemStorage(Storage):
    """Storage in a directory: one file per key under `root`.

    A save streams into a hidden temporary file in the key's directory (`.<name>.<random>.tmp`,
    never a valid key since keys cannot start with a dot), hashing and counting on the way, and
    `os.replace`s it into place: readers see the old object or the new one, never a half. The
    size, sha256 and content type go to a hidden sidecar `.<name>.meta.json`; `stat` trusts it
    only while the file's size and mtime still match, and otherwise hashes the file again.
    All file I/O runs in threads, off the event loop: one hop per block of at least 1 MiB (small
    chunks are joined first), the first creating the file and the last also committing it (fsync,
    rename, sidecar): a save of up to 1 MiB is one hop. `fsync` (the default) flushes each file
    to disk before it is moved into place; the container turns it off on the memory backend, whose
    records of the files end with the process anyway (two fsyncs a job, ~5 ms on this machine).
    """

    def __init__(self, root: str | os.PathLike[str], max_bytes: int | None = None, base_url: str | None = None,
                 fsync: bool = True):
        self._root = Path(root).resolve()
        self._fsync = fsync
        self.max_bytes = max_bytes
        self._base_url = base_url

    def local_path(self, key: str) -> Path:
        """The file behind `key`, read in place by readers that need a path (the PyAV probe, the
        local provider). Raises ObjectNotFoundError."""
        path = self._path(key)
        if not path.is_file():
            raise ObjectNotFoundError(key)
        return path

    def _path(self, key: str) -> Path:
        try:
            validate_key(key)
        except InvalidRequestError as e:
            raise InvalidKeyError(str(e)) from e
        path = (self._root / key).resolve()
        # A symlink inside the root could still lead out of it: the resolved path decides.
        if not path.is_relative_to(self._root) or path == self._root:
            raise InvalidKeyError(f"key: {key!r} leads outside the storage root")
        return path

    @staticmethod
    def _meta_path(path: Path) -> Path:
        return path.with_name(f".{path.name}.meta.json")

    async def save(self, key: str, chunks: AsyncIterable[bytes], content_type: str) -> StoredObject:
        path = self._path(key)
        temp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        digest = hashlib.sha256()
        size = 0
        handle: BinaryIO | None = None
        committed = False
        try:
            # An error of the stream itself (a broken download) propagates as it is: it is the
            # producer's, not the storage's. Nothing is kept either way.
            pending: bytes | None = None  # one block behind, so that the last one goes with the commit
            async for block in _blocks(chunks):
                size += len(block)
                if self.max_bytes is not None and size > self.max_bytes:
                    raise StorageLimitError(f"{key}: larger than the {self.max_bytes}-byte cap")
                if pending is not None:
                    handle = await _io(key, "write", _write, handle, temp, digest, pending)
                pending = block
            done = _Done(key, size, content_type, temp, path)
            stored = await _io(key, "write", self._commit, handle, digest, pending or b"", done)
            committed = True
        finally:
            # Also on cancellation: a save that did not finish leaves no temporary file.
            if not committed:
                await asyncio.shield(asyncio.to_thread(_abandon, handle, temp))
        return stored

    def _commit(self, handle: BinaryIO | None, digest, last: bytes, done: _Done) -> StoredObject:
        """The last thread hop of a save: the last block, flushed to disk, the file closed and
        moved into place, the sidecar written."""
        handle = _write(handle, done.temp, digest, last)
        stored = StoredObject(done.key, done.size, digest.hexdigest(), done.content_type)
        try:
            if self._fsync:
                _finish(handle)
        finally:
            handle.close()
        os.replace(done.temp, done.path)
        self._write_meta(done.path, stored)
        return stored

    def _write_meta(self, path: Path, stored: StoredObject) -> None:
        meta = self._meta_path(path)
        temp = meta.with_name(meta.name + ".tmp")
        stat = path.stat()
        record = {"size": stored.size, "sha256": stored.sha256, "content_type": stored.content_type,
                  "mtime_ns": stat.st_mtime_ns}
        try:
            temp.write_text(json.dumps(record), encoding="utf-8")
            os.replace(temp, meta)
        except OSError:
            # The sidecar is only a cache: without it `stat` hashes the file.
            with contextlib.suppress(OSError):
                temp.unlink()

    async def open(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        path = self._path(key)
        if start < 0 or (end is not None and end < start):
            raise ValueError(f"invalid byte range {start}-{end}")
        try:
            handle = await asyncio.to_thread(open, path, "rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise ObjectNotFoundError(key) from None
        except OSError as e:
            raise StorageError(f"{key}: cannot read the file: {e}") from e
        try:
            await asyncio.to_thread(handle.seek, start)
            remaining = None if end is None else end - start
            while remaining is None or remaining > 0:
                size = CHUNK if remaining is None else min(CHUNK, remaining)
                try:
                    chunk = await asyncio.to_thread(handle.read, size)
                except OSError as e:
                    raise StorageError(f"{key}: cannot read the file: {e}") from e
                if not chunk:
                    break
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk
        finally:
            handle.close()

    async def stat(self, key: str) -> StoredObject:
        path = self._path(key)
        try:
            return await asyncio.to_thread(self._stat, key, path)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise ObjectNotFoundError(key) from None
        except OSError as e:
            raise StorageError(f"{key}: cannot read the file: {e}") from e

    def _stat(self, key: str, path: Path) -> StoredObject:
        if not path.is_file():
            raise FileNotFoundError(key)
        stat = path.stat()
        try:
            meta = json.loads(self._meta_path(path).read_text(encoding="utf-8"))
            if meta["size"] == stat.st_size and meta["mtime_ns"] == stat.st_mtime_ns:
                return StoredObject(key, meta["size"], meta["sha256"], meta["content_type"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return StoredObject(key, stat.st_size, digest.hexdigest(), content_type)

    async def delete(self, key: str) -> None:
        path = self._path(key)
        try:
            await asyncio.to_thread(_unlink_all, path, self._meta_path(path))
        except OSError as e:
            raise StorageError(f"{key}: cannot delete the file: {e}") from e

    async def sweep(self, idle: timedelta) -> int:
        return await asyncio.to_thread(_sweep_temporary, self._root, time.time() - idle.total_seconds())

    async def direct_url(self, key: str) -> str | None:
        self._path(key)
        return None  # served from `open`

    async def url(self, key: str) -> str:
        path = self._path(key)
        if self._base_url is not None:
            return self._base_url.rstrip("/") + "/" + key
        return path.as_uri()


async def _io(key: str, what: str, function, *args):
    """`function(*args)` in a thread, its OSError as the port's StorageError."""
    try:
        return await asyncio.to_thread(function, *args)
    except OSError as e:
        raise StorageError(f"{key}: cannot {what} the file: {e}") from e


async def _blocks(chunks: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
    """The chunks joined into blocks of at least CHUNK bytes (the last may be shorter): one
    thread hop per block, however small the producer's chunks."""
    pending: list[bytes] = []
    size = 0
    async for chunk in chunks:
        pending.append(chunk)
        size += len(chunk)
        if size >= CHUNK:
            yield b"".join(pending)
            pending, size = [], 0
    if pending:
        yield b"".join(pending)


@dataclass(frozen=True, slots=True)
class _Done:
    key: str
    size: int
    content_type: str
    temp: Path
    path: Path


def _create(path: Path) -> BinaryIO:
    path.parent.mkdir(parents=True, exist_ok=True)
    return open(path, "xb")


def _write(handle: BinaryIO | None, temp: Path, digest, chunk: bytes) -> BinaryIO:
    """One block into the temporary file, created by the first (one thread hop for both)."""
    if handle is None:
        handle = _create(temp)
    try:
        handle.write(chunk)
    except BaseException:
        handle.close()
        raise
    digest.update(chunk)
    return handle


def _abandon(handle: BinaryIO | None, temp: Path) -> None:
    if handle is not None and not handle.closed:
        handle.close()
    _unlink_all(temp)


def _finish(handle: BinaryIO) -> None:
    handle.flush()
    os.fsync(handle.fileno())


def _unlink_all(*paths: Path) -> None:
    """Best effort: the clean-up after a failed save never hides the failure itself (a folder
    removed meanwhile makes the unlink fail too); what stays is swept later (`sweep`)."""
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError as e:
            log.warning("storage: could not remove the temporary file %s (%s); it will be swept", path.name, e)


def _sweep_temporary(root: Path, before: float) -> int:
    """Removes the hidden `.tmp` files under `root` last written before `before` (epoch seconds)."""
    removed = 0
    for folder, _, names in os.walk(root):
        for name in names:
            if not (name.startswith(".") and name.endswith(".tmp")):
                continue
            path = Path(folder) / name
            try:
                if path.stat().st_mtime < before:
                    path.unlink()
                    removed += 1
            except OSError:
                continue  # gone meanwhile, or not ours to remove: the next sweep tries again
    return removed
