"""BoundedTransport against a real HTTP server on loopback: no more requests in flight than its
limit, a slot held by a streamed response until it is closed, every request answered."""

from __future__ import annotations

import asyncio
import contextlib

import httpx

from videoforge.adapters.bounded_transport import BoundedTransport


class CountingServer:
    """Answers every request after `delay` seconds; remembers the most requests it held at once."""

    def __init__(self, delay: float):
        self.delay, self.now, self.most = delay, 0, 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await reader.readuntil(b"\r\n\r\n"):
            self.now += 1
            self.most = max(self.most, self.now)
            await asyncio.sleep(self.delay)
            self.now -= 1
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            await writer.drain()


async def serving(delay: float) -> tuple[CountingServer, asyncio.Server, str]:
    counting = CountingServer(delay)
    server = await asyncio.start_server(counting.handle, "127.0.0.1", 0)
    return counting, server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/"


async def test_no_more_requests_in_flight_than_the_limit():
    counting, server, url = await serving(0.02)
    limits = httpx.Limits(max_connections=10)
    async with server, httpx.AsyncClient(transport=BoundedTransport(httpx.AsyncHTTPTransport(limits=limits), 3)) as c:
        answers = await asyncio.gather(*(c.get(url) for _ in range(30)))
    assert [a.text for a in answers] == ["ok"] * 30
    assert counting.most == 3


async def test_a_streamed_response_holds_its_slot_until_closed():
    _, server, url = await serving(0.0)
    async with server, httpx.AsyncClient(transport=BoundedTransport(httpx.AsyncHTTPTransport(), 1)) as client:
        async with client.stream("GET", url) as first:
            waiting = asyncio.create_task(client.get(url))
            await asyncio.sleep(0.1)
            assert not waiting.done()
            await first.aread()
        assert (await asyncio.wait_for(waiting, 5)).text == "ok"


async def test_a_failed_request_gives_its_slot_back():
    transport = BoundedTransport(httpx.AsyncHTTPTransport(), 1)
    async with httpx.AsyncClient(transport=transport, timeout=2) as client:
        for _ in range(3):  # nothing listens on port 9 of loopback
            with contextlib.suppress(httpx.ConnectError):
                await client.get("http://127.0.0.1:9/")
        _, server, url = await serving(0.0)
        async with server:
            assert (await client.get(url)).text == "ok"
