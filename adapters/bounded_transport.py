"""An httpx transport that lets at most `limit` requests be in flight at once; the others wait
their turn on a semaphore.

httpcore's connection pool re-examines every waiting request against every connection each
time one frees (encode/httpcore#1035), so hundreds of jobs polling through one pool spend
most of the event loop in that bookkeeping. Waiting here instead costs nothing per request;
the pool below only ever sees as many requests as it has connections."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import httpx


class BoundedTransport(httpx.AsyncBaseTransport):
    def __init__(self, transport: httpx.AsyncBaseTransport, limit: int):
        self._transport = transport
        self._slots = asyncio.Semaphore(limit)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await self._slots.acquire()
        try:
            response = await self._transport.handle_async_request(request)
        except BaseException:
            self._slots.release()
            raise
        # The slot is held until the body is read or the response closed (a streamed download).
        response.stream = _ReleasingStream(response.stream, self._slots.release)
        return response

    async def aclose(self) -> None:
        await self._transport.aclose()


class _ReleasingStream(httpx.AsyncByteStream):
    def __init__(self, stream: httpx.AsyncByteStream, release: Callable[[], None]):
        self._stream, self._release = stream, release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            release, self._release = self._release, None
            if release is not None:
                release()
