"""The HTTP API wired to the container: `videoforge serve` runs `build_app` with uvicorn; a host's
own FastAPI app takes `router(settings)`."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from dependency_injector import providers
from fastapi import FastAPI

from videoforge.adapters.fal import FalWebhookError, FalWebhookVerifier
from videoforge.adapters.http import AdminPolicy, JwtVerifier, WebhookRejectedError, WebhookVerify, create_app
from videoforge.adapters.http.app import HostedApi, add_metrics, hosted_api
from videoforge.adapters.http.limits import BodyLimits
from videoforge.adapters.http.media_links import MediaLinks
from videoforge.adapters.http.schemas import PREFIX
from videoforge.adapters.plans import PlanResolver
from videoforge.adapters.redact import Redactor
from videoforge.adapters.wavespeed import WebhookVerificationError, WebhookVerifier
from videoforge.application.ports.plans import PlanSource
from videoforge.bootstrap.catalog import ConfigurationError
from videoforge.bootstrap.container import Container, build_container, use_cases_of
from videoforge.bootstrap.logs import secrets_of
from videoforge.bootstrap.plans import plan_source
from videoforge.bootstrap.queue import queue_dispatcher, serving_resources
from videoforge.bootstrap.settings import Settings
from videoforge.bootstrap.tracing import instrument_app
from videoforge.domain import MediaKind, ModelCatalog


def verifier_from(settings: Settings) -> JwtVerifier:
    secret = settings.jwt_secret.get_secret_value() if settings.jwt_secret else None
    if bool(secret) == bool(settings.jwks_url):
        raise ConfigurationError("set exactly one of VIDEOFORGE_JWT_SECRET or VIDEOFORGE_JWKS_URL for the HTTP API")
    try:
        return JwtVerifier(secret=secret, jwks_url=settings.jwks_url, audience=settings.jwt_audience,
                           issuer=settings.jwt_issuer)
    except ValueError as e:
        raise ConfigurationError(f"VIDEOFORGE_JWT_SECRET: {e}") from None


def build_app(settings: Settings | None = None, container: Container | None = None, *,
              resume_on_startup: bool = True) -> FastAPI:
    """The app over a container built from `settings`; its resources live as long as the app. With
    a queue configured, jobs are enqueued for the workers (which also resume them), not run here."""
    settings = settings or Settings()
    container = container or build_container(settings)
    app = create_app(use_cases_of(container), verifier_from(settings),
                     limits=body_limits(container.catalog(), settings.body_idle_timeout),
                     **api_options(settings, container, resume_on_startup))
    add_metrics(app, lambda: container.metrics().refresh(container.quota_guard()))
    instrument_app(app, container.tracer_provider(), Redactor(secrets_of(settings)))
    return app


def body_limits(catalog: ModelCatalog, idle_timeout: float = 30.0) -> BodyLimits:
    """The request body limits: an upload may be as large as the largest input any model takes."""
    largest = max(catalog.max_input_bytes(kind) for kind in MediaKind)
    return BodyLimits(upload_bytes=largest + BodyLimits.form_overhead, idle_timeout=idle_timeout)


def router(settings: Settings | None = None, container: Container | None = None, *,
           plans: PlanSource | PlanResolver | None = None, resume_on_startup: bool = True) -> HostedApi:
    """The API for a host's own FastAPI app: `api.include_in(app)` adds the routes (under
    /api/video), their error answers and the request limits of `videoforge serve` for those
    routes only (body sizes, the token before the body, idle bodies cut off after
    VIDEOFORGE_BODY_IDLE_TIMEOUT); enter `api.lifespan(app)` in the app's lifespan, which
    opens the container's resources, resumes unfinished jobs and closes every pool on shutdown.
    `plans`, like `open_container`'s, lets the host's billing decide each user's limits."""
    settings = settings or Settings()
    container = container or build_container(settings)
    if plans is not None:
        container.plan_source.override(providers.Object(plan_source(plans)))
    return hosted_api(use_cases_of(container), verifier_from(settings),
                      limits=body_limits(container.catalog(), settings.body_idle_timeout),
                      **api_options(settings, container, resume_on_startup))


def api_options(settings: Settings, container: Container, resume_on_startup: bool) -> dict[str, Any]:
    """How the API runs jobs, resumes them, checks webhooks and admins, and what it holds open."""
    dispatcher = queue_dispatcher(settings)
    return {"dispatcher": dispatcher, "resume_on_startup": resume_on_startup and dispatcher is None,
            "resume_every": settings.resume_interval, "webhooks": webhook_verifiers(container),
            "resources": lambda: serving_resources(container, dispatcher),
            "admin": AdminPolicy(settings.admin_subjects, settings.admin_claim or None),
            "media_links": media_links(settings), "console_token_url": settings.console_token_url}


def media_links(settings: Settings) -> MediaLinks:
    """The signer of media links: `VIDEOFORGE_MEDIA_LINK_SECRET`, else a key derived from the JWT
    secret (never the secret itself: a media link is no login token), else one of this process's own."""
    if settings.media_link_secret is not None:
        if len(settings.media_link_secret.get_secret_value().encode()) < 32:
            raise ConfigurationError("VIDEOFORGE_MEDIA_LINK_SECRET needs at least 32 bytes (e.g. 48 random, base64)")
        key: bytes | None = hashlib.sha256(settings.media_link_secret.get_secret_value().encode()).digest()
    elif settings.jwt_secret is not None:
        key = hmac.new(settings.jwt_secret.get_secret_value().encode(), b"videoforge media links",
                       hashlib.sha256).digest()
    else:
        key = None
    return MediaLinks(key, ttl=settings.media_link_ttl, base=PREFIX)


def webhook_verifiers(container: Container) -> dict[str, WebhookVerify]:
    """Provider name -> the check of its deliveries, for the providers configured to send them."""
    verifiers = {"wavespeed": wavespeed_webhook(container.wavespeed_webhooks()),
                 "fal": fal_webhook(container.fal_webhooks())}
    return {name: verify for name, verify in verifiers.items() if verify is not None}


def fal_webhook(verifier: FalWebhookVerifier | None) -> WebhookVerify | None:
    """fal's ED25519 signature check, in the HTTP API's terms."""
    if verifier is None:
        return None

    async def verify(headers: Mapping[str, str], body: bytes, query: Mapping[str, str]) -> str | None:
        try:
            return (await verifier.verify(headers, body, query)).provider_job_id
        except FalWebhookError as e:
            raise WebhookRejectedError(str(e)) from e

    return verify


def wavespeed_webhook(verifier: WebhookVerifier | None) -> WebhookVerify | None:
    """WaveSpeed's signature check, in the HTTP API's terms."""
    if verifier is None:
        return None

    async def verify(headers: Mapping[str, str], body: bytes, query: Mapping[str, str]) -> str | None:
        try:
            event = await verifier.verify(headers, body)
        except WebhookVerificationError as e:
            raise WebhookRejectedError(str(e)) from e
        return event.task_id if event is not None else None

    return verify
