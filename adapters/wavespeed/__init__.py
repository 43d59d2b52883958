"""WaveSpeed AI (api.wavespeed.ai, REST v3) as a VideoProvider, over httpx."""

from videoforge.adapters.safe_urls import UnsafeURLError, check_fetchable
from videoforge.adapters.wavespeed.models import WIRE_FORMATS, WireFormat
from videoforge.adapters.wavespeed.provider import REFUSAL_STATUSES, WaveSpeedVideoProvider
from videoforge.adapters.wavespeed.webhooks import (
    InMemoryWebhookDedupe,
    WebhookDedupe,
    WebhookEvent,
    WebhookVerificationError,
    WebhookVerifier,
    signature,
    verify_webhook,
)

__all__ = [
    "REFUSAL_STATUSES", "InMemoryWebhookDedupe", "UnsafeURLError",
    "WIRE_FORMATS", "WaveSpeedVideoProvider", "WebhookDedupe", "WebhookEvent", "WebhookVerificationError",
    "WebhookVerifier", "WireFormat",
    "check_fetchable", "signature", "verify_webhook",
]
