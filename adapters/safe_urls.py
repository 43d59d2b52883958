"""The outbound download guard shared by the provider adapters (WaveSpeed, fal): https-only public hosts,
the connected peer checked again after connecting (DNS rebinding)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urljoin, urlsplit


class UnsafeURLError(ValueError):
    """A URL we will not fetch: not https, or a host on a private, loopback or link-local network."""


async def check_fetchable(url: str, *, allow_private: bool) -> None:
    """Refuse URLs that could make us fetch from inside our own network (SSRF).

    Only https is followed, and every address the host resolves to must be public. With
    `allow_private` (tests against an emulator on loopback only) plain http and private
    addresses are let through. The HTTP client resolves the name again when it connects, so
    `check_connected_peer` checks the address actually reached as well (DNS rebinding).
    """
    parts = urlsplit(url)
    allowed = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in allowed:
        raise UnsafeURLError(f"only {' and '.join(allowed)} URLs are fetched, not {parts.scheme or 'no scheme'}")
    host = parts.hostname
    if not host:
        raise UnsafeURLError("the URL has no host")
    if allow_private:
        return
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)
    except OSError as e:
        raise UnsafeURLError(f"the host {host} cannot be resolved: {e}") from e
    for info in infos:
        _require_public(host, info[4][0])


def check_connected_peer(response, *, allow_private: bool) -> None:
    """Refuse a response whose connection reached a non-public address, whatever the name
    resolved to when it was checked (a rebinding DNS answer). Call before reading the body."""
    if allow_private:
        return
    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    if not peer:
        raise UnsafeURLError("the address the download connected to cannot be checked")
    _require_public(response.request.url.host, peer[0])


async def open_checked(url: str, send: Callable[[str], Awaitable[Any]], *, allow_private: bool,
                       max_redirects: int) -> Any:
    """The response of a GET of `url` (headers read, body not yet), redirects followed by hand so
    that every hop is checked before it is fetched and after it has connected. `send(url)` opens
    one streamed request without following redirects. A refused hop, a redirect without a
    location or more than `max_redirects` redirects raise UnsafeURLError."""
    for _ in range(max_redirects + 1):
        await check_fetchable(url, allow_private=allow_private)
        response = await send(url)
        try:
            check_connected_peer(response, allow_private=allow_private)
        except UnsafeURLError:
            await response.aclose()
            raise
        if not response.is_redirect:
            return response
        location = response.headers.get("location")
        await response.aclose()
        if not location:
            raise UnsafeURLError("it redirected nowhere")
        url = urljoin(url, location)
    raise UnsafeURLError(f"it redirected more than {max_redirects} times")


def _require_public(host: str, ip: str) -> None:
    address = ipaddress.ip_address(ip.split("%", 1)[0])
    if not address.is_global or address.is_multicast:
        raise UnsafeURLError(f"the host {host} resolves to a non-public address ({address})")
