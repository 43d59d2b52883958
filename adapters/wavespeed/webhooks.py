"""Verifying WaveSpeed's webhook deliveries (the HTTP API calls this; polling stays the fallback).

WaveSpeed signs `"{webhook-id}.{webhook-timestamp}.{raw body}"` with HMAC-SHA256, keyed by the
webhook secret *without* its `whsec_` prefix and *not* base64-decoded (unlike Standard
Webhooks), and sends `webhook-signature: v3,<hex>`. Deliveries older than 300 s are refused and
a `webhook-id` seen before is ignored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from abc import abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from videoforge.adapters.wavespeed.protocol import output_of, status_of
from videoforge.application.ports.provider import ProviderStatus

MAX_AGE_SECONDS = 300
SECRET_PREFIX = "whsec_"


class WebhookVerificationError(Exception):
    """The delivery is not from WaveSpeed, or too old to trust: answer 400/401 and ignore it."""


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """A verified delivery: which task, and where it stands."""

    webhook_id: str
    task_id: str
    raw_status: str
    status: ProviderStatus
    outputs: tuple[str, ...]
    model: str | None = None


class WebhookDedupe(Protocol):
    """Remembers delivery ids, so a repeated delivery is handled once (e.g. a table or Redis)."""

    @abstractmethod
    async def first_time(self, webhook_id: str, ttl: float) -> bool:
        """True the first time `webhook_id` is seen within `ttl` seconds, False after."""
        ...


class InMemoryWebhookDedupe(WebhookDedupe):
    """Per process; enough for one API process. Ids are forgotten once a replay would be too old anyway."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._seen: dict[str, float] = {}
        self._clock = clock

    async def first_time(self, webhook_id: str, ttl: float) -> bool:
        now = self._clock()
        for key in [k for k, until in self._seen.items() if until <= now]:
            del self._seen[key]
        if webhook_id in self._seen:
            return False
        self._seen[webhook_id] = now + ttl
        return True


def signature(secret: str, webhook_id: str, timestamp: str, body: bytes) -> str:
    """The hex HMAC WaveSpeed puts after `v3,`."""
    key = secret.removeprefix(SECRET_PREFIX).encode()
    return hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


class WebhookVerifier:
    def __init__(self, secret: str, dedupe: WebhookDedupe | None = None, *, max_age: float = MAX_AGE_SECONDS,
                 clock: Callable[[], float] = time.time):
        if not secret:
            raise ValueError("a webhook secret is required")
        self._secret = secret
        self._dedupe = dedupe or InMemoryWebhookDedupe()
        self._max_age = max_age
        self._clock = clock

    async def verify(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent | None:
        """The event of a genuine delivery, or None when this delivery was already handled.
        Raises WebhookVerificationError for a missing or wrong signature, a stale or future
        timestamp, or a body that is not a task."""
        lower = {k.lower(): v for k, v in headers.items()}
        webhook_id, timestamp, signatures = (lower.get(n, "") for n in
                                             ("webhook-id", "webhook-timestamp", "webhook-signature"))
        if not (webhook_id and timestamp and signatures):
            raise WebhookVerificationError("the webhook-id, webhook-timestamp and webhook-signature headers are "
                                           "required")
        try:
            sent_at = int(timestamp)
        except ValueError:
            raise WebhookVerificationError("webhook-timestamp is not a Unix time") from None
        if abs(self._clock() - sent_at) > self._max_age:
            raise WebhookVerificationError(f"the delivery is more than {self._max_age:g} s from now; refused")
        expected = signature(self._secret, webhook_id, timestamp, body)
        given = [part.split(",", 1)[1] for part in signatures.split() if part.startswith("v3,")]
        if not any(hmac.compare_digest(expected, candidate) for candidate in given):
            raise WebhookVerificationError("the webhook signature does not match")
        event = _event(webhook_id, body)
        if not await self._dedupe.first_time(webhook_id, 2 * self._max_age):
            return None
        return event


async def verify_webhook(headers: Mapping[str, str], body: bytes, secret: str,
                         dedupe: WebhookDedupe | None = None, *, now: float | None = None) -> WebhookEvent | None:
    """One-call form of WebhookVerifier.verify (pass a shared `dedupe` to catch repeats)."""
    verifier = WebhookVerifier(secret, dedupe, clock=(lambda: now) if now is not None else time.time)
    return await verifier.verify(headers, body)


def _event(webhook_id: str, body: bytes) -> WebhookEvent:
    try:
        data: Any = json.loads(body)
    except ValueError:
        raise WebhookVerificationError("the webhook body is not JSON") from None
    if isinstance(data, dict) and isinstance(data.get("data"), dict) and "id" not in data:
        data = data["data"]  # tolerate the {code, message, data} envelope too
    if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not data["id"]:
        raise WebhookVerificationError("the webhook body names no task id")
    outputs = data.get("outputs")
    first = output_of(outputs)
    rest = tuple(o for o in outputs[1:] if isinstance(o, str)) if isinstance(outputs, list) else ()
    return WebhookEvent(webhook_id=webhook_id, task_id=data["id"], raw_status=str(data.get("status") or ""),
                        status=status_of(data), outputs=((first,) if first else ()) + rest,
                        model=data.get("model") if isinstance(data.get("model"), str) else None)
