"""The request limits in front of the API (adapters/http/limits.py): a body is refused by its
declared length or as soon as its bytes pass the route's limit, a body to a protected route is
not read for a caller without a valid token, a body that stops arriving is cut off. The bound
of one request's body in memory is its route's limit (architecture.md)."""

from __future__ import annotations

import asyncio
import time

import httpx
import jwt
import pytest

from videoforge.adapters.http.auth import JwtVerifier
from videoforge.adapters.http.limits import BodyLimits, RequestLimits

SECRET = "limits-test-secret-of-at-least-32-bytes"
TOKEN = {"Authorization": "Bearer " + jwt.encode({"sub": "u1", "exp": int(time.time()) + 3600}, SECRET,
                                                  algorithm="HS256")}


class Recorder:
    """A stand-in API: reads the whole body and says how many bytes it got."""

    def __init__(self) -> None:
        self.read = 0
        self.calls = 0

    async def __call__(self, scope, receive, send) -> None:
        self.calls += 1
        while True:
            message = await receive()
            self.read += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = str(self.read).encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"%d" % len(body))]})
        await send({"type": "http.response.body", "body": body})


@pytest.fixture
def app():
    inner = Recorder()
    limits = BodyLimits(json_bytes=1000, upload_bytes=5000, webhook_bytes=100, idle_timeout=0.2)
    return inner, RequestLimits(inner, JwtVerifier(secret=SECRET), limits)


async def call(app, method, path, **kwargs) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://vf.test") as client:
        return await client.request(method, path, **kwargs)


async def chunked(*parts: bytes, pause: float = 0.0):
    for part in parts:
        if pause:
            await asyncio.sleep(pause)
        yield part


async def test_a_declared_length_over_the_limit_is_413_before_anything_is_read(app):
    inner, limited = app
    answer = await call(limited, "POST", "/api/video/jobs", content=b"x" * 1001, headers=TOKEN)
    assert answer.status_code == 413 and answer.json()["error"] == "body_too_large"
    assert inner.calls == 0
    assert (await call(limited, "POST", "/api/video/jobs", content=b"x" * 1000, headers=TOKEN)).text == "1000"
    inner.read = 0
    assert (await call(limited, "POST", "/api/video/uploads", content=b"x" * 5000, headers=TOKEN)).text == "5000"
    huge = await call(limited, "POST", "/api/video/jobs", headers=TOKEN | {"Content-Length": "9" * 5000})
    assert huge.status_code in (400, 413)


async def test_a_body_without_a_length_is_cut_off_once_it_passes_the_limit(app):
    inner, limited = app
    answer = await call(limited, "POST", "/api/video/jobs", content=chunked(*[b"y" * 400] * 10), headers=TOKEN)
    assert answer.status_code == 413 and inner.read <= 1000


async def test_a_body_is_not_read_for_a_caller_without_a_valid_token(app):
    inner, limited = app
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        answer = await call(limited, "POST", "/api/video/uploads", content=b"x" * 4000, headers=headers)
        assert answer.status_code == 401 and answer.json()["error"] == "unauthorized"
    assert inner.calls == 0 and inner.read == 0
    webhook = await call(limited, "POST", "/api/video/webhooks/wavespeed", content=b"{}")  # signed, not a token
    assert webhook.status_code == 200
    assert (await call(limited, "POST", "/api/video/webhooks/wavespeed", content=b"x" * 101)).status_code == 413


async def test_a_body_that_stops_arriving_is_cut_off(app):
    _, limited = app
    answer = await call(limited, "POST", "/api/video/jobs", content=chunked(b"a" * 10, b"b" * 10, pause=0.5),
                        headers=TOKEN)
    assert answer.status_code == 408 and answer.json()["error"] == "request_timeout"


async def test_requests_without_a_body_pass_untouched(app):
    _, limited = app
    assert (await call(limited, "GET", "/api/video/jobs")).status_code == 200  # the route checks its own token
    assert (await call(limited, "GET", "/health")).text == "0"


async def test_a_fastapi_route_parsing_the_body_answers_with_the_refusal_not_its_own_400():
    """FastAPI turns any error while reading a body into "400: error parsing the body": the limit's
    own answer (408, 413) replaces it."""
    from fastapi import FastAPI

    api = FastAPI()

    @api.post("/api/video/jobs")
    async def create(body: dict) -> dict:
        return body

    limited = RequestLimits(api, JwtVerifier(secret=SECRET), BodyLimits(json_bytes=1000, idle_timeout=0.2))
    headers = TOKEN | {"Content-Type": "application/json"}
    idle = await call(limited, "POST", "/api/video/jobs", content=chunked(b"{", b"}", pause=0.5), headers=headers)
    assert idle.status_code == 408 and idle.json()["error"] == "request_timeout"
    big = await call(limited, "POST", "/api/video/jobs", content=chunked(b"{", *[b" " * 400] * 5, b"}"),
                     headers=headers)
    assert big.status_code == 413 and big.json()["error"] == "body_too_large"
    fine = await call(limited, "POST", "/api/video/jobs", content=chunked(b'{"a"', b": 1}"), headers=headers)
    assert fine.status_code == 200 and fine.json() == {"a": 1}
