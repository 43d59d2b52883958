"""What one request may cost before the app sees it: a pure ASGI middleware in front of the API.

- A body larger than its route's limit is refused with 413: at once when `Content-Length` says
  so, else as soon as the bytes received pass it (counted while streaming, never buffered here).
- A request with a body to a route that needs a token is refused with 401 before a byte of the
  body is read, when it carries no valid bearer token: nobody spools an upload or parses a JSON
  body for a caller who is not one (the route checks the token again, cheaply).
- A body that stops arriving is cut off with 408 after `idle_timeout` seconds without a byte.

So one request holds at most its route's limit (JSON bodies are read whole by FastAPI: at most
`json_bytes`; uploads stream to a temporary file, never to memory), whatever it declares.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from videoforge.adapters.http.auth import AuthError, JwtVerifier

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class BodyLimits:
    json_bytes: int = 16 * 1024 * 1024  # a job with a small inline image (base64) fits
    upload_bytes: int = 100 * 1024 * 1024 + 64 * 1024  # bootstrap: the largest input any model takes + the form
    webhook_bytes: int = 1024 * 1024
    idle_timeout: float = 30.0  # seconds without a byte of the body before it is cut off

    form_overhead: ClassVar[int] = 64 * 1024  # a multipart form's parts around the file

    def limit_for(self, path: str) -> int:
        if path.endswith("/uploads"):
            return self.upload_bytes
        if "/webhooks/" in path:
            return self.webhook_bytes
        return self.json_bytes


class _Refused(Exception):
    def __init__(self, status: int, error: str, message: str, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status, self.error, self.headers = status, error, dict(headers or {})


class RequestLimits:
    """The middleware: `RequestLimits(app, verifier, limits, protected_prefix="/api/video")`. With
    `only_under` (a host's app, where videoforge's routes sit beside the host's own), requests to
    other paths pass untouched: the host's routes keep their own limits."""

    def __init__(self, app: ASGIApp, verifier: JwtVerifier, limits: BodyLimits | None = None, *,
                 protected_prefix: str = "/api/video", only_under: str | None = None):
        self._app, self._verifier = app, verifier
        self._limits = limits or BodyLimits()
        self._prefix = protected_prefix
        self._only_under = only_under

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (self._only_under and not _under(scope.get("path", ""), self._only_under)):
            return await self._app(scope, receive, send)
        exchange = _Exchange(send)
        try:
            limit = self._admit(scope)
            await self._app(scope, self._bounded(receive, limit, exchange), exchange.send)
        except _Refused as refused:
            exchange.refused = exchange.refused or refused
        if exchange.refused is not None:
            if exchange.started:
                raise exchange.refused
            await _answer(send, exchange.refused)

    def _admit(self, scope: Scope) -> int:
        """The body limit of this request, once its declared length and its token are acceptable."""
        path = scope.get("path", "")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        limit = self._limits.limit_for(path)
        declared = headers.get("content-length", "")
        if declared and (not declared.isdigit() or len(declared) > 18 or int(declared) > limit):
            raise _Refused(413, "body_too_large", f"the body may be at most {limit} bytes on this route")
        has_body = bool(declared and int(declared)) or "transfer-encoding" in headers
        if has_body and path.startswith(self._prefix) and "/webhooks/" not in path:
            try:
                self._verifier.user_id(headers.get("authorization"))
            except AuthError as e:
                raise _Refused(401, "unauthorized", str(e), {"WWW-Authenticate": "Bearer"}) from None
        return limit

    def _bounded(self, receive: Receive, limit: int, exchange: _Exchange) -> Receive:
        """`receive` while the body arrives: counted and timed; after it (waiting for the client to
        go away while a response streams), as it is. A refusal is remembered on `exchange`: an app
        that catches the error while parsing the body (FastAPI answers 400) is answered for."""
        received, done = 0, False
        timeout = self._limits.idle_timeout

        async def bounded() -> Message:
            nonlocal received, done
            if done:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), timeout)
            except TimeoutError:
                raise exchange.refuse(408, "request_timeout", f"no byte of the body came for {timeout:g} s") from None
            done = message["type"] != "http.request" or not message.get("more_body", False)
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise exchange.refuse(413, "body_too_large", f"the body may be at most {limit} bytes on this route")
            return message

        return bounded


class _Exchange:
    """One request's answer: whether the app started it, and the refusal that replaces it."""

    def __init__(self, send: Send):
        self._send = send
        self.started = False
        self.refused: _Refused | None = None

    def refuse(self, status: int, error: str, message: str) -> _Refused:
        self.refused = _Refused(status, error, message)
        return self.refused

    async def send(self, message: Message) -> None:
        if self.refused is not None and not self.started:
            return  # the app's own answer to a body cut off (a parse error): ours goes instead
        self.started = self.started or message["type"] == "http.response.start"
        await self._send(message)


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix.rstrip("/") + "/")


async def _answer(send: Send, refused: _Refused) -> None:
    body = json.dumps({"error": refused.error, "message": str(refused), "field": None, "allowed": None}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               (b"connection", b"close"), *((k.lower().encode(), v.encode()) for k, v in refused.headers.items())]
    await send({"type": "http.response.start", "status": refused.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
