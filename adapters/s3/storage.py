from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import AsyncIterable, AsyncIterator, Awaitable
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import obstore
from obstore.exceptions import BaseError, NotFoundError
from obstore.store import S3Store

from videoforge.application.ports.storage import (
    InvalidKeyError,
    ObjectNotFoundError,
    StorageError,
    StorageLimitError,
)
from videoforge.domain.errors import InvalidRequestError
from videoforge.domain.keys import validate_key
from videoforge.domain.records import StoredObject

log = logging.getLogger("videoforge.storage")
T = TypeVar("T")

MiB = 1024 * 1024
# obstore raises FileNotFoundError for a missing object and its own errors (or OSError) for the rest
_MISSING = (NotFoundError, FileNotFoundError)
_FAILED = (BaseError, OSError)
_META = ".meta/"  # sidecars: never a valid key (a segment cannot start with "."), so never a user's object


class _Counted:
    """The chunks of a save, hashed and counted on their way to S3; it remembers why it stopped
    (over the cap, or the source's own error) so that save raises that, not obstore's wrapper."""

    def __init__(self, chunks: AsyncIterable[bytes], cap: int):
        self._chunks = chunks
        self._cap = cap
        self.sha256 = hashlib.sha256()
        self.size = 0
        self.error: BaseException | None = None

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._chunks:
                self.size += len(chunk)
                if self.size > self._cap:
                    raise StorageLimitError(f"object larger than the {self._cap}-byte limit")
                self.sha256.update(chunk)
                yield chunk
        except Exception as e:
            self.error = e
            raise


class S3Storage:
    """Storage in an S3-compatible bucket, under `prefix`. Saves stream as a multipart upload
    (`part_size` x `concurrency` bytes in memory at most, whatever the object's size) which is
    completed only when the whole stream arrived, and aborted otherwise: a failed save leaves no
    object, and a failed replacement the previous one. The size, sha256 and type of each object
    are kept in a small sidecar object (`.meta/<key>.json`) written after it. Credentials,
    endpoint and region come from the arguments or the usual AWS_* environment variables.

    No call waits on the object store for more than `timeout` seconds, retries included: one
    part of an upload, one chunk of a read, a stat, a delete. Past it the call raises
    StorageError (transient: a job resumed later saves again), so a store that stops answering
    never holds a save forever.

    `direct_url` gives a presigned GET valid `url_ttl` seconds when `presign` is on (downloads
    then bypass the API), else None (the API streams `open`). It is signed for
    `public_endpoint` when given (the address clients reach, where the service itself talks to
    an internal `endpoint`), else for `endpoint`. `url` is the object's lasting name,
    `s3://bucket/prefix/key`."""

    def __init__(self, bucket: str, *, prefix: str = "", endpoint: str | None = None, region: str | None = None,
                 max_bytes: int = 2 * 1024**3, part_size: int = 8 * MiB, concurrency: int = 4,
                 presign: bool = True, url_ttl: float = 300.0, timeout: float = 60.0,
                 public_endpoint: str | None = None):
        self._timeout = timeout
        self._store = self._client(bucket, prefix, endpoint, region)
        self._signer = self._client(bucket, prefix, public_endpoint, region) if public_endpoint else self._store
        self._name = f"s3://{bucket}/" + (prefix.strip("/") + "/" if prefix.strip("/") else "")
        self._max = max_bytes
        self._part_size = max(5 * MiB, part_size)  # S3's smallest part (but the last)
        self._concurrency = concurrency
        self._presign = presign
        self._ttl = timedelta(seconds=url_ttl)

    def _client(self, bucket: str, prefix: str, endpoint: str | None, region: str | None) -> S3Store:
        options = {"endpoint": endpoint} if endpoint else {}
        if region:
            options["region"] = region
        client = {"connect_timeout": timedelta(seconds=min(10.0, self._timeout)),
                  "timeout": timedelta(seconds=self._timeout)}
        if endpoint and endpoint.startswith("http://"):
            client["allow_http"] = True
        retry = {"max_retries": 5, "retry_timeout": timedelta(seconds=self._timeout),
                 "backoff": {"init_backoff": timedelta(milliseconds=100), "max_backoff": timedelta(seconds=5),
                             "base": 2}}
        return S3Store(bucket, prefix=prefix.strip("/") or None, client_options=client, retry_config=retry, **options)

    async def _bounded(self, call: Awaitable[T], what: str) -> T:
        """`call`, or StorageError once the store has not answered within the timeout."""
        try:
            async with asyncio.timeout(self._timeout):
                return await call
        except TimeoutError:
            raise StorageError(f"{what} failed: no answer from the object store within {self._timeout:g} s") from None

    async def save(self, key: str, chunks: AsyncIterable[bytes], content_type: str) -> StoredObject:
        self._key(key)
        counted = _Counted(chunks, self._max)
        # Python pushes each chunk in (an async iterator handed to obstore would leave the wait
        # for the source to obstore, outside the timeout of each call here)
        writer = obstore.open_writer_async(self._store, key, attributes={"Content-Type": content_type},
                                           buffer_size=self._part_size, max_concurrency=self._concurrency)
        try:
            async for chunk in counted:
                await self._bounded(writer.write(chunk), f"saving {key}")
            await self._bounded(writer.close(), f"saving {key}")
        except BaseException as e:
            await self._abort(writer, e, key)
            if counted.error is not None:
                raise counted.error from None
            if isinstance(e, _FAILED):
                raise StorageError(f"saving {key} failed: {_reason(e)}") from None
            raise
        stored = StoredObject(key, counted.size, counted.sha256.hexdigest(), content_type)
        await self._write_meta(stored)
        return stored

    async def _abort(self, writer: object, error: BaseException, key: str) -> None:
        """Abort the unfinished multipart upload (within the timeout too): its parts are dropped.
        One that cannot be aborted now is the bucket's lifecycle rule's to remove."""
        try:
            async with asyncio.timeout(self._timeout):
                await writer.__aexit__(type(error), error, error.__traceback__)
        except Exception as e:  # noqa: BLE001 (whatever it is, the save's own error is the one to raise)
            log.warning("the unfinished upload of %s was not aborted: %s", key, _reason(e))

    async def _write_meta(self, stored: StoredObject) -> None:
        meta = {"size": stored.size, "sha256": stored.sha256, "content_type": stored.content_type}
        try:
            await self._bounded(obstore.put_async(self._store, _META + stored.key + ".json", json.dumps(meta).encode(),
                                                  attributes={"Content-Type": "application/json"}),
                                f"saving {stored.key}")
        except (StorageError, *_FAILED) as e:
            await self.delete(stored.key)
            if isinstance(e, StorageError):
                raise
            raise StorageError(f"saving {stored.key} failed: {_reason(e)}") from None

    async def open(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        self._key(key)
        wanted = (start, end) if end is not None else {"offset": start}
        try:
            reading = obstore.get_async(self._store, key, options={"range": wanted})
            result = await self._bounded(reading, f"reading {key}")
            stream = result.stream(min_chunk_size=MiB)
            while True:
                try:
                    chunk = await self._bounded(anext(stream), f"reading {key}")
                except StopAsyncIteration:
                    return
                yield bytes(chunk)
        except _MISSING:
            raise ObjectNotFoundError(key) from None
        except _FAILED as e:
            raise StorageError(f"reading {key} failed: {_reason(e)}") from None

    async def stat(self, key: str) -> StoredObject:
        self._key(key)
        try:
            meta = json.loads(bytes(await self._bounded(self._get_all(_META + key + ".json"), f"reading {key}")))
        except _MISSING:
            raise ObjectNotFoundError(key) from None
        except _FAILED as e:
            raise StorageError(f"reading {key} failed: {_reason(e)}") from None
        return StoredObject(key, int(meta["size"]), meta["sha256"], meta["content_type"])

    async def _get_all(self, path: str) -> bytes:
        return bytes(await (await obstore.get_async(self._store, path)).bytes_async())

    async def delete(self, key: str) -> None:
        self._key(key)
        try:  # the sidecar first: an object without one is not reported as stored
            await self._bounded(obstore.delete_async(self._store, [_META + key + ".json", key]), f"deleting {key}")
        except _MISSING:
            return
        except _FAILED as e:
            raise StorageError(f"deleting {key} failed: {_reason(e)}") from None

    def local_path(self, key: str) -> Path | None:
        """None: nothing is kept on this machine, readers stream `open` (which raises
        ObjectNotFoundError for a missing key). No request is made here (this is called from a
        thread, where no timeout of ours would bound it)."""
        self._key(key)
        return None

    async def url(self, key: str) -> str:
        return self._name + self._key(key)

    async def sweep(self, idle: timedelta) -> int:
        """An unfinished multipart upload is aborted by the save itself; one a killed process left
        is the bucket's lifecycle rule's to remove (AbortIncompleteMultipartUpload)."""
        return 0

    async def direct_url(self, key: str) -> str | None:
        self._key(key)
        if not self._presign:
            return None
        try:
            return await self._bounded(obstore.sign_async(self._signer, "GET", key, self._ttl),
                                       f"signing a download of {key}")
        except _FAILED as e:
            raise StorageError(f"signing a download of {key} failed: {_reason(e)}") from None

    @staticmethod
    def _key(key: str) -> str:
        try:
            return validate_key(key)
        except InvalidRequestError as e:
            raise InvalidKeyError(str(e)) from None


def _reason(error: BaseException) -> str:
    """The error's kind and first line, without a URL's query (a signature) in it."""
    first = (str(error).splitlines() or [""])[0].split("?")[0]
    return f"{type(error).__name__}: {first[:200]}"
