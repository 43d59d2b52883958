"""Inputs sent to fal: uploaded to fal's storage (CDN) or inline as base64 data URIs, both streamed.

Protocol notes (sources: fal-js `libs/client/src/storage.ts` as shipped in `@fal-ai/client`
(`initiateUpload`, `initiateMultipartUpload`, `multipartUpload`, `upload`); fal-client (Python)
`fal_client/client.py` (`REST_URL`, `MULTIPART_THRESHOLD`, `MULTIPART_CHUNK_SIZE`,
`AsyncMultipartUpload`); fal docs "Files" / "fal CDN" (data URIs are accepted by every file field
but "can impact request performance" for large files); huggingface_hub
`inference/_providers/fal_ai.py` and huggingface.js `providers/fal-ai.ts` (through the router,
files go as data URIs: `_as_url`, `preparePayloadAsync`)):

- Initiate: `POST {rest}/storage/upload/initiate?storage_type=fal-cdn-v3`, header
  `Authorization: Key <FAL_KEY>`, JSON `{"content_type", "file_name"}`; fal answers
  `{"upload_url", "file_url"}`. rest = https://rest.alpha.fal.ai (fal-client's REST_URL; newer
  fal-js builds use https://rest.fal.ai: a setting here).
- Upload: `PUT {upload_url}` with the bytes and their `Content-Type`, no credential (the URL is
  signed); the model is then given `file_url`.
- Big files (fal-js: above 90 MiB; fal-client: 100 MiB): `POST {rest}/storage/upload/initiate-
  multipart?storage_type=fal-cdn-v3` (same body, same answer), then parts of 10 MiB, numbered
  from 1, each `PUT {upload_url path}/{n}{upload_url query}` answering `{"partNumber", "etag"}`
  (fal-client reads the `ETag` header: either is taken), then `POST {upload_url path}/complete
  {query}` with `{"parts": [{"partNumber", "etag"}, ...]}`; the file is at `file_url`.
- fal's storage takes a fal key only: through Hugging Face's router (HF_TOKEN) nothing is
  uploaded and every input goes inline as a data URI, as huggingface_hub does.

Here: every read of an input is a stream from its MediaSource (a request's file or a stored
object): a single upload streams the bytes with their length; a multipart upload holds one part
at a time; a data URI is base64-encoded chunk by chunk into the streamed JSON body, its length
known beforehand. Nothing reads an input whole. An upload URL is PUT to only when it is https on
a public host (the tests' opt-in aside). Any failure before the submission is sent created
nothing at fal's queue: it is a refusal (retryable when it may work later).
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from videoforge.adapters.safe_urls import UnsafeURLError, check_fetchable
from videoforge.application.ports.media import MediaSource
from videoforge.application.ports.provider import ProviderRejectedError
from videoforge.domain.job import ErrorCode

FAL_REST = "https://rest.alpha.fal.ai"
MULTIPART_ABOVE = 90 * 1024 * 1024  # fal-js: 94371840 bytes
PART_SIZE = 10 * 1024 * 1024
_STORAGE_TYPE = {"storage_type": "fal-cdn-v3"}


class FalStorage:
    """fal's file storage over one caller-owned httpx.AsyncClient: `upload(source)` is the URL a
    model reads the source from."""

    def __init__(self, client: httpx.AsyncClient, fal_key: str, rest: str = FAL_REST, *,
                 allow_private_urls: bool = False, multipart_above: int = MULTIPART_ABOVE,
                 part_size: int = PART_SIZE):
        if not fal_key:
            raise ValueError("fal's storage needs a fal key (FAL_KEY)")
        self._client, self._rest = client, rest.rstrip("/")
        self._authorization = f"Key {fal_key}"
        self._allow_private = allow_private_urls
        self._multipart_above, self._part_size = multipart_above, part_size

    async def upload(self, source: MediaSource) -> str:
        multipart = source.size is None or source.size > self._multipart_above
        target = await self._initiate(source, "initiate-multipart" if multipart else "initiate")
        upload_url, file_url = target.get("upload_url"), target.get("file_url")
        if not isinstance(upload_url, str) or not isinstance(file_url, str):
            raise _refused("fal's storage answered the upload request without its URLs", retryable=True)
        await self._check(upload_url)
        if multipart:
            await self._multipart(upload_url, source)
        else:
            headers = {"Content-Type": source.content_type, "Content-Length": str(source.size)}
            await self._send("PUT", upload_url, "uploading an input", content=_read(source), headers=headers)
        return file_url

    async def _initiate(self, source: MediaSource, step: str) -> Mapping[str, Any]:
        body = {"content_type": source.content_type, "file_name": _file_name(source)}
        headers = {"Authorization": self._authorization, "Accept": "application/json"}
        response = await self._send("POST", f"{self._rest}/storage/upload/{step}", "starting an input upload",
                                    params=_STORAGE_TYPE, json=body, headers=headers)
        return json_object(response)

    async def _multipart(self, upload_url: str, source: MediaSource) -> None:
        parts = []
        async for number, data in _parts(_read(source), self._part_size):
            headers = {"Content-Type": source.content_type, "Content-Length": str(len(data))}
            response = await self._send("PUT", _beside(upload_url, str(number)), f"uploading part {number} of an input",
                                        content=_once(data), headers=headers)
            del data  # the request may live on in a reference cycle until a collection; its part must not
            etag = json_object(response).get("etag") or response.headers.get("etag")
            if not etag:
                raise _refused(f"fal's storage took part {number} of an input without its etag", retryable=True)
            parts.append({"partNumber": number, "etag": etag})
        await self._send("POST", _beside(upload_url, "complete"), "completing an input upload", json={"parts": parts})

    async def _check(self, url: str) -> None:
        try:
            await check_fetchable(url, allow_private=self._allow_private)
        except UnsafeURLError as e:
            raise _refused(f"fal's storage gave an upload URL that is refused: {e}") from e

    async def _send(self, method: str, url: str, what: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self._client.request(method, url, **kwargs)
        except httpx.TransportError as e:
            raise _refused(f"fal's storage could not be reached {what} ({type(e).__name__})", retryable=True) from e
        if response.status_code >= 400:
            retryable = response.status_code in (408, 429) or response.status_code >= 500
            raise _refused(f"fal's storage answered HTTP {response.status_code} {what}", retryable=retryable,
                           provider_code=response.status_code)
        return response


async def data_uri_body(fields: Mapping[str, Any], files: Mapping[str, MediaSource]) -> tuple[AsyncIterator[bytes],
                                                                                              int | None]:
    """The JSON object of `fields` plus one base64 data URI per file (field name -> source), as a
    stream of bytes and its length (None when a source's size is unknown)."""
    head = json.dumps(dict(fields))
    prefixes = {name: f"{json.dumps(name)}: {json.dumps(f'data:{source.content_type};base64,')[:-1]}"
                for name, source in files.items()}
    opening = head[:-1] + (", " if fields and files else "")
    sizes = [source.size for source in files.values()]
    length = None
    if all(size is not None for size in sizes):
        length = (len(opening.encode()) + sum(len(p.encode()) + 4 * math.ceil(size / 3) + 1
                                               for p, size in zip(prefixes.values(), sizes, strict=True))
                  + 2 * max(len(files) - 1, 0) + 1)

    async def stream() -> AsyncIterator[bytes]:
        yield opening.encode()
        for i, (name, source) in enumerate(files.items()):
            yield (", " if i else "").encode() + prefixes[name].encode()
            async for piece in _base64(_read(source)):
                yield piece
            yield b'"'
        yield b"}"

    return stream(), length


async def _read(source: MediaSource) -> AsyncIterator[bytes]:
    try:
        async for chunk in source.chunks():
            yield chunk
    except OSError as e:
        raise _refused(f"an input could not be read ({e.strerror or e})", code=ErrorCode.INVALID_PARAMETER) from e


async def _base64(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    rest = b""
    async for chunk in chunks:
        data = rest + chunk
        cut = len(data) - len(data) % 3
        rest = data[cut:]
        if cut:
            yield base64.b64encode(data[:cut])
    if rest:
        yield base64.b64encode(rest)


async def _once(data: bytes) -> AsyncIterator[bytes]:
    """One part as a stream: released as soon as it is sent, whatever keeps the request object."""
    yield data


async def _parts(chunks: AsyncIterator[bytes], size: int) -> AsyncIterator[tuple[int, bytes]]:
    """The stream cut into parts of `size` bytes (the last shorter), numbered from 1; one held at a time."""
    buffer, number = bytearray(), 0
    async for chunk in chunks:
        buffer += chunk
        while len(buffer) >= size:
            number += 1
            with memoryview(buffer) as view:
                part = bytes(view[:size])
            del buffer[:size]
            yield number, part
            del part
    if buffer or number == 0:
        yield number + 1, bytes(buffer)


def _beside(upload_url: str, segment: str) -> str:
    """`{upload_url path}/{segment}{upload_url query}`, as fal-js builds part and completion URLs."""
    parts = urlsplit(upload_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/" + segment))


def _file_name(source: MediaSource) -> str:
    name = (source.filename or "").rsplit("/", 1)[-1]
    if name and all(c.isalnum() or c in "._-" for c in name) and len(name) <= 100:
        return name
    subtype = source.content_type.partition("/")[2]
    return f"input.{subtype.split(';')[0].split('+')[0] or 'bin'}"


def json_object(response: httpx.Response) -> dict[str, Any]:
    """The JSON object fal answered, or {} for anything else (no body, not JSON, not an object)."""
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _refused(message: str, *, retryable: bool = False, provider_code: int | None = None,
             code: ErrorCode | None = None) -> ProviderRejectedError:
    if code is None:
        code = ErrorCode.PROVIDER_UNAVAILABLE if retryable else ErrorCode.PROVIDER_REJECTED
    return ProviderRejectedError(f"{message}; nothing was submitted", code=code, retryable=retryable,
                                 provider_code=provider_code)
