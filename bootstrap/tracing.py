"""Tracing (VIDEOFORGE_TRACING=otlp; off by default): the tracer provider of the process, and the
adapters, clients and engine of the container wrapped or instrumented with it. OpenTelemetry is
imported only here and in adapters/otel, and only when tracing is on: the `otel` extra
(`pip install 'videoforge[otel]'`) is needed then and only then.

Exported with the OTLP exporter over HTTP/protobuf, configured by the standard variables
(OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, _HEADERS, _TIMEOUT,
_COMPRESSION, _CERTIFICATE; OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES; OTEL_TRACES_SAMPLER;
OTEL_BSP_*). OTEL_SDK_DISABLED=true turns it off whatever VIDEOFORGE_TRACING says. A host that
has set up OpenTelemetry itself (a tracer provider of the SDK already installed) keeps its own:
videoforge's spans go there."""

from __future__ import annotations

import os
import threading
from importlib import import_module
from typing import Any

from videoforge.bootstrap.catalog import ConfigurationError

OTEL = "videoforge.adapters.otel"
_lock = threading.Lock()
_installed: Any = None
_service = "videoforge"


def name_service(name: str) -> None:
    """The `service.name` this process's spans get unless OTEL_SERVICE_NAME (or
    OTEL_RESOURCE_ATTRIBUTES) says otherwise: `serve` is videoforge-api, `worker` videoforge-worker."""
    global _service
    _service = name


def tracing_mode(setting: str) -> str:
    """What VIDEOFORGE_TRACING comes to: `otlp`, unless OTEL_SDK_DISABLED=true says `off`."""
    disabled = os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true"
    return "off" if disabled else setting


def log_trace_ids(setting: str) -> Any:
    """What puts the current span's ids on log records: None with tracing off."""
    return _otel().current_trace_ids if tracing_mode(setting) == "otlp" else None


def _otel() -> Any:
    try:
        return import_module(OTEL)
    except ImportError as e:
        raise ConfigurationError("VIDEOFORGE_TRACING=otlp needs the otel extra: pip install 'videoforge[otel]' "
                                 f"({e.name} is missing)") from None


def otlp_tracer_provider() -> Any:
    """The process's tracer provider: the SDK's, exporting by OTLP over HTTP in batches, installed
    as the global one once per process (or the one a host installed before)."""
    global _installed
    with _lock:
        if _installed is not None:
            return _installed
        try:
            from opentelemetry import trace
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
            from opentelemetry.sdk.resources import Resource
            from opentelemetry.sdk.trace import TracerProvider
            from opentelemetry.sdk.trace.export import BatchSpanProcessor
        except ImportError as e:
            raise ConfigurationError("VIDEOFORGE_TRACING=otlp needs the otel extra: pip install 'videoforge[otel]' "
                                     f"({e.name} is missing)") from None
        protocol = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or os.environ.get("OTEL_EXPORTER_OTLP_PROTOCOL")
        if protocol not in (None, "", "http/protobuf"):
            raise ConfigurationError(f"OTEL_EXPORTER_OTLP_PROTOCOL={protocol}: videoforge exports traces over "
                                     "http/protobuf only")
        current = trace.get_tracer_provider()
        if isinstance(current, TracerProvider):
            _installed = current
            return current
        provider = TracerProvider(resource=Resource.create(default_service()))
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        trace.set_tracer_provider(provider)
        _installed = provider
        return provider


def default_service() -> dict[str, str]:
    """The process's service name, unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES names one."""
    named = os.environ.get("OTEL_SERVICE_NAME") or "service.name=" in os.environ.get("OTEL_RESOURCE_ATTRIBUTES", "")
    return {} if named else {"service.name": _service}


def traced_as(name: str, inner: Any, provider: Any, *args: Any) -> Any:
    """`inner` wrapped by adapters/otel's `name`, or `inner` itself with tracing off."""
    return inner if provider is None else getattr(_otel(), name)(inner, provider, *args)


def traced_registry(registry: Any, provider: Any) -> Any:
    return registry if provider is None else _otel().traced_providers(registry, provider)


def run_tracing(provider: Any) -> Any:
    """The RunObserver part of tracing: None with tracing off."""
    return None if provider is None else _otel().JobTraces(provider)


def instrumented_client(client: Any, provider: Any, redact: Any = None) -> Any:
    """The shared httpx client, with the httpx instrumentation (a client span per request to a
    provider, the W3C trace context sent along; its URL attributes redacted) when tracing is on."""
    if provider is not None:
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

        from videoforge.adapters.redact import Redactor

        hook = _otel().redact_span_url(redact or Redactor())
        HTTPXClientInstrumentor.instrument_client(client, tracer_provider=provider, request_hook=hook)
    return client


def instrumented_engine(engine: Any, provider: Any) -> Any:
    if engine is not None and provider is not None:
        _otel().traced_engine(engine.sync_engine, provider)
    return engine


def instrument_app(app: Any, provider: Any, redact: Any) -> None:
    """The FastAPI instrumentation on `serve`'s app: a server span per request (not /health and
    /metrics), continuing a caller's `traceparent`; URL attributes redacted; no span per body chunk
    sent or received (an SSE stream, a video download)."""
    if provider is None:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls="/health,/metrics",
                                       server_request_hook=_otel().redact_span_url(redact),
                                       exclude_spans=["receive", "send"])  # not a span per body chunk
