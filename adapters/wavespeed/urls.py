from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit


class UnsafeURLError(ValueError):
    """A URL we will not fetch: not https, or a host on a private, loopback or link-local network."""


async def check_fetchable(url: str, *, allow_private: bool) -> None:
    """Refuse URLs that could make us fetch from inside our own network (SSRF).

    Only https is followed, and every address the host resolves to must be public. With
    `allow_private` (tests against an emulator on loopback only) plain http and private
    addresses are let through. The name is resolved again by the HTTP client when it connects,
    so this does not stop a DNS server that changes its answer in between (rebinding); it stops
    URLs that plainly point inside.
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
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if not address.is_global or address.is_multicast:
            raise UnsafeURLError(f"the host {host} resolves to a non-public address ({address})")
