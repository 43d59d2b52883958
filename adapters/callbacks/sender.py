from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx
from standardwebhooks.webhooks import Webhook

from videoforge.adapters.safe_urls import UnsafeURLError, check_connected_peer, check_fetchable
from videoforge.application.ports.callbacks import CallbackError, CallbackSender
from videoforge.domain.errors import InvalidRequestError

ANY_TENANT = "*"


class SignedCallbackSender(CallbackSender):
    """POSTs over a shared httpx client, signed per Standard Webhooks (`webhook-id`,
    `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>` with the deployment's
    `whsec_` secret, by the `standardwebhooks` package). Only https URLs whose host resolves to
    public addresses are called, checked when the job is accepted, again before each POST and on
    the address actually connected to; redirects are not followed. `allowed_hosts` maps a tenant
    (user id, or `*` for everyone) to the hosts it may name; a tenant without an entry may name any
    public host. `allow_private` (tests against a receiver on loopback only) lifts the https and
    public checks."""

    def __init__(self, client: httpx.AsyncClient, secret: str | None, *,
                 allowed_hosts: Mapping[str, Collection[str]] | None = None, allow_private: bool = False,
                 timeout: float = 10.0):
        self._client = client
        self._webhook = Webhook(secret) if secret else None
        self._hosts = {tenant: {h.lower() for h in hosts} for tenant, hosts in (allowed_hosts or {}).items()}
        self._allow_private = allow_private
        self._timeout = timeout

    async def check(self, url: str, user_id: str) -> None:
        if self._webhook is None:
            raise InvalidRequestError("callback_url", "callbacks are not set up on this deployment "
                                                      "(VIDEOFORGE_CALLBACK_SECRET)")
        host = (urlsplit(url).hostname or "").lower()
        allowed = self._hosts.get(user_id, self._hosts.get(ANY_TENANT))
        if allowed is not None and host not in allowed:
            raise InvalidRequestError("callback_url", f"names a host ({host}) this tenant may not call back",
                                      value=host, allowed=sorted(allowed))
        try:
            await check_fetchable(url, allow_private=self._allow_private)
        except UnsafeURLError as e:
            raise InvalidRequestError("callback_url", f"cannot be called back: {e}", value=host) from None

    async def send(self, url: str, message_id: str, body: bytes, at: datetime) -> int:
        if self._webhook is None:
            raise CallbackError("callbacks are not set up on this deployment")
        at = at.astimezone(UTC)
        headers = {"content-type": "application/json", "webhook-id": message_id,
                   "webhook-timestamp": str(int(at.timestamp())),
                   "webhook-signature": self._webhook.sign(message_id, at, body.decode())}
        try:
            await check_fetchable(url, allow_private=self._allow_private)
            async with self._client.stream("POST", url, content=body, headers=headers, timeout=self._timeout,
                                           follow_redirects=False) as response:
                check_connected_peer(response, allow_private=self._allow_private)
                return response.status_code
        except UnsafeURLError as e:
            raise CallbackError(f"the callback URL cannot be called: {e}") from None
        except httpx.HTTPError as e:
            raise CallbackError(f"the receiver could not be reached: {type(e).__name__}") from None
