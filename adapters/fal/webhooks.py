"""Verifying fal's webhook deliveries (the HTTP API calls this; polling stays the fallback).

Protocol notes (sources: fal docs "Webhooks", "Verifying your webhook",
https://docs.fal.ai/model-apis/model-endpoints/webhooks, and the public verifiers written from it):

- A request submitted to the queue with `?fal_webhook=<url>` is POSTed to that URL when it ends:
  `{"request_id", "gateway_request_id", "status": "OK" | "ERROR", "payload", "error"}`. fal
  retries a delivery that did not get a 2xx, 10 times over 2 hours.
- Every delivery carries `X-Fal-Webhook-Request-Id`, `X-Fal-Webhook-User-Id`,
  `X-Fal-Webhook-Timestamp` (Unix seconds) and `X-Fal-Webhook-Signature` (hex). The signed
  message is `request id \\n user id \\n timestamp \\n sha256(raw body) as hex`, signed with
  ED25519 by one of the keys fal publishes as a JWKS (`{"keys": [{"kty": "OKP", "crv":
  "Ed25519", "x": base64url}]}`) at https://rest.alpha.fal.ai/.well-known/jwks.json; fal's
  examples cache it for 24 hours and allow a timestamp 5 minutes either way.

Here: the JWKS is fetched through the caller's client from a configurable URL (https and a
public host unless private URLs are allowed for tests), kept `jwks_ttl` seconds, at most
`max_keys` keys, and fetched again at most once a minute when no cached key verifies a
delivery (fal rotated its keys). A delivery outside the window is refused as old; the same
signed delivery seen again is refused as a replay (a fresh delivery for the same request,
which fal signs anew, passes, and changes nothing for a finished job). The body's request id
must be the header's. The app of the request (the first two segments of the model id) is not
in the delivery: the adapter puts it in the webhook URL (`?app=owner/app`), and the provider
job id is rebuilt from it, as `FalVideoProvider` makes it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from videoforge.adapters.safe_urls import UnsafeURLError, check_fetchable

FAL_JWKS_URL = "https://rest.alpha.fal.ai/.well-known/jwks.json"
MAX_AGE_SECONDS = 300
_HEADERS = ("x-fal-webhook-request-id", "x-fal-webhook-user-id", "x-fal-webhook-timestamp", "x-fal-webhook-signature")
_APP = re.compile(r"^[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}$")


class FalWebhookError(Exception):
    """The delivery is not from fal, too old, replayed, or not a request's end: refuse it."""


@dataclass(frozen=True, slots=True)
class FalWebhookEvent:
    """A verified delivery: the provider job id ("owner/app/request id") and whether it went well."""

    provider_job_id: str
    ok: bool


def signed_message(request_id: str, user_id: str, timestamp: str, body: bytes) -> bytes:
    return "\n".join((request_id, user_id, timestamp, hashlib.sha256(body).hexdigest())).encode()


class _Seen:
    """Deliveries already accepted, forgotten once a replay would be refused as old anyway; bounded."""

    def __init__(self, ttl: float, limit: int):
        self._until: dict[str, float] = {}
        self._ttl, self._limit = ttl, limit

    def first_time(self, key: str, now: float) -> bool:
        for old in [k for k, until in self._until.items() if until <= now]:
            del self._until[old]
        if key in self._until:
            return False
        if len(self._until) >= self._limit:
            del self._until[min(self._until, key=self._until.__getitem__)]
        self._until[key] = now + self._ttl
        return True


class FalWebhookVerifier:
    def __init__(self, client: httpx.AsyncClient, jwks_url: str = FAL_JWKS_URL, *, max_age: float = MAX_AGE_SECONDS,
                 jwks_ttl: float = 24 * 3600, refetch_after: float = 60.0, max_keys: int = 16,
                 remembered: int = 100_000, allow_private_urls: bool = False,
                 clock: Callable[[], float] = time.time):
        self._client = client
        self._jwks_url = jwks_url
        self._max_age = max_age
        self._jwks_ttl, self._refetch_after, self._max_keys = jwks_ttl, refetch_after, max_keys
        self._allow_private = allow_private_urls
        self._clock = clock
        self._keys: list[Ed25519PublicKey] = []
        self._fetched_at: float | None = None
        self._seen = _Seen(2 * max_age, remembered)

    async def verify(self, headers: Mapping[str, str], body: bytes, query: Mapping[str, str]) -> FalWebhookEvent:
        """The event of a genuine, fresh delivery; FalWebhookError for anything else."""
        lower = {k.lower(): v for k, v in headers.items()}
        request_id, user_id, timestamp, signature = (lower.get(name, "") for name in _HEADERS)
        if not (request_id and timestamp and signature):
            raise FalWebhookError("unsigned: the X-Fal-Webhook-Request-Id, -Timestamp and -Signature headers are "
                                  "required")
        self._check_age(timestamp)
        message = signed_message(request_id, user_id, timestamp, body)
        if not await self._signed(message, _hex(signature)):
            raise FalWebhookError("the fal webhook signature does not match fal's published keys")
        event = _event(request_id, body, query.get("app", ""))
        if not self._seen.first_time(f"{request_id}:{timestamp}:{signature.lower()}", self._clock()):
            raise FalWebhookError("this delivery was already received (a replay); refused")
        return event

    def _check_age(self, timestamp: str) -> None:
        try:
            sent_at = int(timestamp)
        except ValueError:
            raise FalWebhookError("X-Fal-Webhook-Timestamp is not a Unix time") from None
        if abs(self._clock() - sent_at) > self._max_age:
            raise FalWebhookError(f"the delivery is more than {self._max_age:g} s from now (old or replayed); refused")

    async def _signed(self, message: bytes, signature: bytes) -> bool:
        if _verifies(await self._current_keys(), message, signature):
            return True
        if self._fetched_at is not None and self._clock() - self._fetched_at < self._refetch_after:
            return False
        return _verifies(await self._fetch(), message, signature)  # fal may have rotated its keys

    async def _current_keys(self) -> list[Ed25519PublicKey]:
        if self._fetched_at is None or self._clock() - self._fetched_at > self._jwks_ttl:
            return await self._fetch()
        return self._keys

    async def _fetch(self) -> list[Ed25519PublicKey]:
        try:
            await check_fetchable(self._jwks_url, allow_private=self._allow_private)
            response = await self._client.get(self._jwks_url, headers={"Accept": "application/json"})
            data = response.json() if response.status_code == 200 else None
        except (UnsafeURLError, httpx.HTTPError, ValueError) as e:
            raise FalWebhookError(f"fal's signing keys could not be read ({type(e).__name__}); refused") from e
        if response.status_code != 200:
            raise FalWebhookError(f"fal's signing keys could not be read (HTTP {response.status_code}); refused")
        keys = _keys_of(data)[: self._max_keys]
        if not keys:
            raise FalWebhookError("fal's key set holds no ED25519 key; refused")
        self._keys, self._fetched_at = keys, self._clock()
        return keys


def _hex(signature: str) -> bytes:
    try:
        raw = bytes.fromhex(signature.strip())
    except ValueError:
        raise FalWebhookError("X-Fal-Webhook-Signature is not hex") from None
    if len(raw) != 64:
        raise FalWebhookError("X-Fal-Webhook-Signature is not an ED25519 signature")
    return raw


def _verifies(keys: list[Ed25519PublicKey], message: bytes, signature: bytes) -> bool:
    for key in keys:
        try:
            key.verify(signature, message)
            return True
        except InvalidSignature:
            continue
    return False


def _keys_of(data: object) -> list[Ed25519PublicKey]:
    found = data.get("keys") if isinstance(data, dict) else None
    keys = []
    for jwk in found if isinstance(found, list) else ():
        if not (isinstance(jwk, dict) and jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519"):
            continue
        try:
            x = str(jwk.get("x", ""))
            keys.append(Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))))
        except (ValueError, binascii.Error):
            continue
    return keys


def _event(request_id: str, body: bytes, app: str) -> FalWebhookEvent:
    try:
        data = json.loads(body)
    except ValueError:
        raise FalWebhookError("the fal webhook body is not JSON") from None
    if not isinstance(data, dict) or data.get("request_id") != request_id:
        raise FalWebhookError("the fal webhook body is not the signed request's")
    if not _APP.match(app):
        raise FalWebhookError("the webhook URL names no fal app (?app=owner/app)")
    return FalWebhookEvent(f"{app}/{request_id}", ok=data.get("status") == "OK")
