"""The browser console at `/console`: one HTML page, one script and one stylesheet shipped with
the package (no build step, nothing from a CDN), talking to the JSON API under /api/video with
the caller's bearer token (pasted in the page and kept in sessionStorage, or fetched from the
host's `token_url`). The page itself holds no data and needs no token; every answer it shows
comes from the API routes, which check the token as for any client."""

from __future__ import annotations

import html
from functools import cache
from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse, Response

CONSOLE = "/console"
_TYPES = {"console.js": "text/javascript; charset=utf-8", "console.css": "text/css; charset=utf-8"}
# The page runs only its own script and style; media may come from an object storage's signed
# URLs (the API redirects there), so https images and videos are allowed; nothing may frame it.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data: blob:; "
       "media-src 'self' https: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": CSP, "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff",
           "Cache-Control": "no-cache"}


@cache
def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("static", name).read_text(encoding="utf-8")


def console_router(*, token_url: str | None = None) -> APIRouter:
    """`GET /console` (the page) and its two files. `token_url`: a same-origin URL of the host that
    answers its logged-in user's bearer token as JSON (`{"token": ...}` or `{"access_token": ...}`);
    the page asks it first and falls back to a pasted token."""
    router = APIRouter(include_in_schema=False)
    page = _asset("index.html").replace("{{token_url}}", html.escape(token_url or "", quote=True))

    @router.get(CONSOLE)
    async def console_page() -> HTMLResponse:
        return HTMLResponse(page, headers=HEADERS)

    @router.get(CONSOLE + "/")
    async def console_slash() -> RedirectResponse:
        return RedirectResponse(CONSOLE, status_code=307)

    @router.get(CONSOLE + "/static/{name}")
    async def console_file(name: str) -> Response:
        if name not in _TYPES:
            return Response("not found", status_code=404, media_type="text/plain")
        return Response(_asset(name), media_type=_TYPES[name], headers=HEADERS)

    return router
