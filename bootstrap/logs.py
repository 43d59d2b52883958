"""How `serve` and `worker` log (VIDEOFORGE_LOG_FORMAT, VIDEOFORGE_LOG_LEVEL): one handler on
stderr for every logger (uvicorn's too), text or JSON lines, redacted of every secret the
settings hold."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from urllib.parse import urlsplit

from videoforge.adapters.logs import JsonFormatter, Redactor, TextFormatter, TraceIds
from videoforge.bootstrap.settings import Settings

# Secrets read from the environment by libraries rather than by Settings (obstore's S3 credentials).
ENVIRONMENT_SECRETS = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "OTEL_EXPORTER_OTLP_HEADERS",
                       "OTEL_EXPORTER_OTLP_TRACES_HEADERS")


def secrets_of(settings: Settings) -> list[str]:
    """Every secret value this process knows: the keys and tokens of the providers, the JWT, webhook
    and callback secrets (a `whsec_` one also without its prefix), the database password."""
    held = (settings.wavespeed_api_key, settings.wavespeed_webhook_secret, settings.fal_key, settings.hf_token,
            settings.callback_secret, settings.jwt_secret, settings.media_link_secret)
    values = [secret.get_secret_value() for secret in held if secret is not None]
    values += [value.removeprefix("whsec_") for value in values if value.startswith("whsec_")]
    values += [os.environ[name] for name in ENVIRONMENT_SECRETS if os.environ.get(name)]
    with contextlib.suppress(ValueError):
        values.append(urlsplit(settings.database_url or "").password or "")
    return [value for value in values if value]


def log_formatter(settings: Settings, trace_ids: TraceIds | None = None) -> logging.Formatter:
    redact = Redactor(secrets_of(settings))
    return JsonFormatter(redact, trace_ids) if settings.log_format == "json" else TextFormatter(redact)


def configure_logging(settings: Settings, trace_ids: TraceIds | None = None, stream=None) -> logging.Handler:
    """Send every record of `settings.log_level` and above to `stream` (stderr) in the configured
    format; uvicorn's loggers lose their own handlers and go through it too. Returns the handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(log_formatter(settings, trace_ids))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(settings.log_level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi"):
        logger = logging.getLogger(name)  # uvicorn sets their levels again from its own log_level
        logger.handlers, logger.propagate, logger.disabled = [], True, False
        logger.setLevel(logging.NOTSET)
    if settings.log_level != "DEBUG":
        logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per provider request is too much
    return handler
