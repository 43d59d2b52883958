"""Building the WaveSpeed adapter and its one shared HTTP client from the settings."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from pydantic import SecretStr

from videoforge.adapters.bounded_transport import BoundedTransport
from videoforge.adapters.wavespeed import WaveSpeedVideoProvider, WebhookVerifier
from videoforge.bootstrap.catalog import ConfigurationError
from videoforge.bootstrap.settings import Settings


def http_client(connect_timeout: float, read_timeout: float, max_connections: int) -> httpx.AsyncClient:
    """The pooled client every WaveSpeed (and fal) request of the process goes through. It carries
    no API key: the adapter adds it to API requests, so it never reaches upload or output hosts.
    At most `max_connections` requests are in flight, over as many connections; the others wait
    their turn in `BoundedTransport`, which costs nothing per waiting request (httpcore's own pool
    queue re-examines every waiting request each time a connection frees: BENCHMARKS.md)."""
    limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections,
                          keepalive_expiry=30.0)
    return httpx.AsyncClient(
        transport=BoundedTransport(httpx.AsyncHTTPTransport(limits=limits), max_connections),
        timeout=httpx.Timeout(read_timeout, connect=connect_timeout, pool=max(read_timeout, 60.0)),
        follow_redirects=False,
    )


async def closed_on_shutdown(client: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """A container resource whose only job is to close the shared client on shutdown. (The
    client itself is a Singleton: an async Resource would hand its users a future.)"""
    try:
        yield client
    finally:
        await client.aclose()


def wavespeed_provider(client: httpx.AsyncClient, api_key: SecretStr, base_url: str, read_attempts: int,
                       allow_private_urls: bool, webhook_url: str | None) -> WaveSpeedVideoProvider:
    # The submit waits as long as the client's read timeout; a status read at most 30 s.
    poll_timeout = min(30.0, client.timeout.read or 30.0)
    return WaveSpeedVideoProvider(client, api_key.get_secret_value(), base_url, read_attempts=read_attempts,
                                  submit_timeout=None, poll_timeout=poll_timeout,
                                  allow_private_urls=allow_private_urls, webhook_url=webhook_url)


def webhook_verifier(secret: SecretStr | None) -> WebhookVerifier | None:
    """What the HTTP API checks WaveSpeed's deliveries with; None when no secret is configured."""
    return WebhookVerifier(secret.get_secret_value()) if secret else None


def wavespeed_config(settings: Settings) -> dict:
    """The container's `wavespeed` section (the key stays a SecretStr until the adapter is built)."""
    if not (settings.wavespeed_base_url.startswith("https://") or settings.allow_private_urls):
        raise ConfigurationError("VIDEOFORGE_WAVESPEED_BASE_URL must be an https URL (the API key travels with "
                                 f"every request), not {settings.wavespeed_base_url!r}")
    webhook = settings.wavespeed_webhook_url
    if webhook and not (webhook.startswith("https://") or settings.allow_private_urls):
        raise ConfigurationError(f"VIDEOFORGE_WAVESPEED_WEBHOOK_URL must be a public https URL, not {webhook!r}")
    return {
        "webhook_secret": settings.wavespeed_webhook_secret,
        "api_key": settings.wavespeed_api_key, "base_url": settings.wavespeed_base_url,
        "webhook_url": settings.wavespeed_webhook_url, "connect_timeout": settings.wavespeed_connect_timeout,
        "read_timeout": settings.wavespeed_read_timeout, "max_connections": settings.wavespeed_max_connections,
        "read_attempts": settings.wavespeed_read_attempts,
    }
