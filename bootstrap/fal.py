"""Building the fal adapter from the settings: fal directly (FAL_KEY) or through Hugging Face's
router (HF_TOKEN), which is what the legacy `provider="huggingface"` meant."""

from __future__ import annotations

from collections.abc import Iterable

import httpx
from pydantic import SecretStr

from videoforge.adapters.fal import FalStorage, FalVideoProvider, FalWebhookVerifier, direct_route, router_route
from videoforge.adapters.fal.provider import FAL_QUEUE, HF_ROUTER_QUEUE
from videoforge.bootstrap.catalog import ConfigurationError
from videoforge.bootstrap.settings import Settings
from videoforge.domain import ModelCatalog

# Other names of the providers, as requests may spell them (`provider=`).
ALWAYS = {"fal-ai": "fal", "fal.ai": "fal"}
# The legacy backend's `provider="huggingface"` was fal reached through Hugging Face: these names
# mean fal only when it is reached that way, so a caller never pays another account by surprise.
THROUGH_HUGGING_FACE = {"huggingface": "fal", "hugging_face": "fal", "hf": "fal"}


def fal_route_name(settings: Settings) -> str | None:
    """"direct", "huggingface", or None when neither FAL_KEY nor HF_TOKEN is set."""
    if settings.fal_route == "direct" and not settings.fal_key:
        raise ConfigurationError("VIDEOFORGE_FAL_ROUTE=direct needs FAL_KEY")
    if settings.fal_route == "huggingface" and not settings.hf_token:
        raise ConfigurationError("VIDEOFORGE_FAL_ROUTE=huggingface needs HF_TOKEN")
    if settings.fal_route:
        return settings.fal_route
    return "direct" if settings.fal_key else "huggingface" if settings.hf_token else None


def fal_config(settings: Settings) -> dict:
    """The container's `fal` section (the credential stays a SecretStr until the adapter is built)."""
    route = fal_route_name(settings)
    queue = settings.fal_queue_url or (HF_ROUTER_QUEUE if route == "huggingface" else FAL_QUEUE)
    if route and not (queue.startswith("https://") or settings.allow_private_urls):
        raise ConfigurationError(f"VIDEOFORGE_FAL_QUEUE_URL must be an https URL (the credential travels with "
                                 f"every request), not {queue!r}")
    credential = settings.fal_key if route == "direct" else settings.hf_token if route else None
    for name, url in (("VIDEOFORGE_FAL_WEBHOOK_URL", settings.fal_webhook_url),
                      ("VIDEOFORGE_FAL_JWKS_URL", settings.fal_jwks_url),
                      ("VIDEOFORGE_FAL_REST_URL", settings.fal_rest_url)):
        if url and not (url.startswith("https://") or settings.allow_private_urls):
            raise ConfigurationError(f"{name} must be a public https URL, not {url!r}")
    # fal delivers to a webhook only on its own queue: through Hugging Face's router none is asked for
    webhook = settings.fal_webhook_url if route == "direct" else None
    return {"route": route, "queue": queue, "credential": credential, "webhook_url": webhook,
            "jwks_url": settings.fal_jwks_url, "rest_url": settings.fal_rest_url,
            "inline_max": settings.fal_inline_max}


def provider_spellings(settings: Settings) -> dict[str, str]:
    return ALWAYS | (THROUGH_HUGGING_FACE if fal_route_name(settings) == "huggingface" else {})


def fal_provider(client: httpx.AsyncClient, route: str, queue: str, credential: SecretStr,
                 allow_private_urls: bool, webhook_url: str | None, rest_url: str,
                 inline_max: int) -> FalVideoProvider:
    """fal's storage takes a fal key only: through Hugging Face's router every input goes inline."""
    secret = credential.get_secret_value()
    direct = route == "direct"
    way = direct_route(secret, queue) if direct else router_route(secret, queue)
    storage = FalStorage(client, secret, rest_url, allow_private_urls=allow_private_urls) if direct else None
    return FalVideoProvider(client, way, allow_private_urls=allow_private_urls, webhook_url=webhook_url,
                            storage=storage, inline_max=inline_max)


def fal_webhook_verifier(client: httpx.AsyncClient, route: str | None, jwks_url: str,
                         allow_private_urls: bool) -> FalWebhookVerifier | None:
    """What the HTTP API checks fal's deliveries with (fal's published keys); None without fal."""
    return FalWebhookVerifier(client, jwks_url, allow_private_urls=allow_private_urls) if route else None


def check_family_providers(catalog: ModelCatalog, pairs: Iterable[tuple[str, str]], setting: str) -> None:
    """Refuse, at start, a (family, provider) of a setting where the provider offers no model of the family."""
    for family, provider in pairs:
        offering = sorted({s.provider for s in catalog if s.family == family})
        if not offering:
            known = sorted({s.family for s in catalog if s.family})
            raise ConfigurationError(f"{setting}: unknown family {family!r} (known: "
                                     f"{', '.join(known)})")
        if provider not in offering:
            raise ConfigurationError(f"{setting}: {family} is not offered on {provider!r} "
                                     f"(offered on: {', '.join(offering)})")
