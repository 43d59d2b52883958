"""Calling the caller back when a job ends: what a callback URL may be, and one delivery's record."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlsplit

from videoforge.domain.errors import InvalidRequestError

CALLBACK_URL_MAX = 2048


def callback_url(url: str) -> str:
    """A web URL with a host and no credentials in it. That it is https, public and allowed for the
    tenant is checked by the callback sender (adapters/callbacks), where names are resolved, before
    the job is accepted."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http"):
        raise InvalidRequestError("callback_url", "must be an https URL", value=url[:200], allowed=["https://..."])
    if not parts.hostname or parts.username or parts.password:
        raise InvalidRequestError("callback_url", "must name a host and carry no credentials", value=parts.hostname)
    return url.strip()


class DeliveryState(StrEnum):
    PENDING = "pending"  # claimed, being sent (or its sender stopped)
    DELIVERED = "delivered"  # the receiver answered 2xx
    FAILED = "failed"  # the retries ran out


@dataclass(frozen=True, slots=True)
class CallbackDelivery:
    """The one delivery of a finished job to its callback URL, and how its attempts went."""

    job_id: str
    url: str
    message_id: str  # the Standard Webhooks `webhook-id`, the same for every attempt
    state: DeliveryState
    created_at: datetime
    updated_at: datetime
    attempts: int = 0
    last_status: int | None = None  # the receiver's HTTP status, None when it was not reached
    last_error: str | None = None

    def attempted(self, status: int | None, error: str | None, now: datetime, *, last: bool) -> CallbackDelivery:
        ok = status is not None and 200 <= status < 300
        state = DeliveryState.DELIVERED if ok else DeliveryState.FAILED if last else DeliveryState.PENDING
        return replace(self, state=state, attempts=self.attempts + 1, last_status=status,
                       last_error=None if ok else error, updated_at=now)
