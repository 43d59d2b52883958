"""videoforge's own spans, through the OpenTelemetry API and the tracer provider it is given.

The trace context crosses processes on the job's row: `TracedJobs.add` records the W3C
`traceparent` of the span current where the job is created (the API request's, or the CLI's
`videoforge.job.create`) as `VideoJob.trace_context`; `JobTraces.run` (the RunObserver) opens each
run's `videoforge.job.run` span as a child of it, in any process that reads the job, and links the
span current there (a webhook's request, say) when that is another trace. The steps' spans are
children of the run's: `videoforge.provider.submit`, `.poll` (one per poll), `.download`,
`.cancel`, `videoforge.storage.save`, `videoforge.callback.send`.

Attributes name the job, provider, model, operation, statuses, progress, sizes and error codes;
never a prompt, an input, a URL's query, a key or an exception's text (a provider's words may
quote what it was sent): a failed call's span has the error's type only."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from opentelemetry import trace
from opentelemetry.trace import Link, Span, SpanKind, Status, StatusCode, TracerProvider
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from videoforge.adapters.redact import Redactor
from videoforge.application.ports.provider import ProviderOutput, ProviderStatus, ProviderTask
from videoforge.domain.job import VideoJob

TRACER = "videoforge"
_W3C = TraceContextTextMapPropagator()
_JOB: ContextVar[str | None] = ContextVar("videoforge_traced_job", default=None)
_URL_ATTRIBUTES = ("http.url", "url.full", "http.target", "url.query")


def current_trace_ids() -> tuple[str, str] | None:
    """The current span's trace and span ids (hex), for log records; None outside a span."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")


def job_attributes(job: VideoJob) -> dict[str, Any]:
    return {"videoforge.job.id": job.id, "videoforge.job.status": job.status.value,
            "videoforge.job.progress": job.progress, "videoforge.provider": job.provider,
            "videoforge.model": job.model, "videoforge.operation": job.request.operation.value}


class _Spans:
    def __init__(self, provider: TracerProvider):
        self._tracer = provider.get_tracer(TRACER)

    @contextmanager
    def span(self, name: str, kind: SpanKind = SpanKind.INTERNAL, **attributes: Any) -> Iterator[Span]:
        """A span under the current one, the run's job id among its attributes; an error leaves
        its type (never its text) on the span and goes on."""
        with self._tracer.start_as_current_span(name, kind=kind, attributes=_named(attributes), record_exception=False,
                                                set_status_on_exception=False) as span:
            try:
                yield span
            except BaseException as e:
                failed(span, e)
                raise

    def start(self, name: str, kind: SpanKind = SpanKind.INTERNAL, **attributes: Any) -> Span:
        """A span under the current one, not made current; the caller ends it."""
        return self._tracer.start_span(name, kind=kind, attributes=_named(attributes), record_exception=False,
                                       set_status_on_exception=False)


def _named(attributes: dict[str, Any]) -> dict[str, Any]:
    job_id = _JOB.get()
    values = {"videoforge.job.id": job_id} if job_id else {}
    return values | {f"videoforge.{k}": v for k, v in attributes.items() if v is not None}


def failed(span: Span, error: BaseException) -> None:
    span.set_attribute("error.type", type(error).__name__)
    span.set_status(Status(StatusCode.ERROR, type(error).__name__))


class _RunWatch:
    def __init__(self, span: Span):
        self._span = span

    def ended(self, job: VideoJob) -> None:
        self._span.set_attributes({"videoforge.job.status": job.status.value, "videoforge.job.progress": job.progress})
        if job.error is not None:
            self._span.set_attribute("videoforge.job.error_code", job.error.code)
            self._span.set_status(Status(StatusCode.ERROR, job.error.code))


class JobTraces(_Spans):
    """The RunObserver of tracing: each run of a job is a `videoforge.job.run` span in the job's trace."""

    @asynccontextmanager
    async def run(self, job: VideoJob) -> AsyncIterator[_RunWatch]:
        parent = _W3C.extract({"traceparent": job.trace_context}) if job.trace_context else None
        here = trace.get_current_span().get_span_context()
        origin = trace.get_current_span(parent).get_span_context() if parent is not None else None
        links = [Link(here)] if here.is_valid and origin is not None and here.trace_id != origin.trace_id else []
        token = _JOB.set(job.id)
        try:
            with self._tracer.start_as_current_span(
                    "videoforge.job.run", context=parent, links=links, attributes=job_attributes(job),
                    record_exception=False, set_status_on_exception=False) as span:
                try:
                    yield _RunWatch(span)
                except BaseException as e:
                    failed(span, e)
                    raise
        finally:
            _JOB.reset(token)


class _Proxy:
    def __init__(self, inner: Any, provider: TracerProvider):
        self._inner = inner
        self._spans = _Spans(provider)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class TracedJobs(_Proxy):
    """The job repository as SubmitVideo sees it: a new job is recorded in a `videoforge.job.create`
    span (under the request's, when there is one) and carries that span's trace context."""

    async def add(self, job: VideoJob) -> VideoJob:
        with self._spans.span("videoforge.job.create", **{"job.id": job.id, "provider": job.provider,
                                                          "model": job.model}):
            carrier: dict[str, str] = {}
            _W3C.inject(carrier)
            return await self._inner.add(replace(job, trace_context=carrier.get("traceparent")))


class TracedProvider(_Proxy):
    """`name`: the provider's name in the registry."""

    def __init__(self, inner: Any, provider: TracerProvider, name: str):
        super().__init__(inner, provider)
        self._name = name

    async def submit(self, task: ProviderTask) -> str:
        with self._spans.span("videoforge.provider.submit", SpanKind.CLIENT, provider=self._name,
                              model=task.spec.model, **{"job.id": task.job_id}) as span:
            task_id = await self._inner.submit(task)
            span.set_attribute("videoforge.provider.task_id", task_id)
            return task_id

    async def poll(self, provider_job_id: str) -> ProviderStatus:
        with self._spans.span("videoforge.provider.poll", SpanKind.CLIENT, provider=self._name,
                              **{"provider.task_id": provider_job_id}) as span:
            status = await self._inner.poll(provider_job_id)
            span.set_attribute("videoforge.provider.state", status.state.value)
            if status.progress is not None:
                span.set_attribute("videoforge.provider.progress", status.progress)
            if status.error_code is not None:
                span.set_attribute("videoforge.provider.error_code", str(status.error_code))
            return status

    async def stream_output(self, output: ProviderOutput) -> AsyncIterator[bytes]:
        """The download's span is not made current: a generator's consumer (the save) runs between
        its chunks, and its own spans are not the download's children."""
        span = self._spans.start("videoforge.provider.download", SpanKind.CLIENT, provider=self._name,
                                 **{"provider.output_host": urlsplit(output.url).hostname})
        size = 0
        try:
            async for chunk in self._inner.stream_output(output):
                size += len(chunk)
                yield chunk
        except Exception as e:
            failed(span, e)
            raise
        finally:
            span.set_attribute("videoforge.download.bytes", size)
            span.end()

    async def cancel(self, provider_job_id: str) -> bool:
        with self._spans.span("videoforge.provider.cancel", SpanKind.CLIENT, provider=self._name,
                              **{"provider.task_id": provider_job_id}) as span:
            accepted = await self._inner.cancel(provider_job_id)
            span.set_attribute("videoforge.provider.cancel_accepted", accepted)
            return accepted


class TracedStorage(_Proxy):
    async def save(self, key: str, chunks: Any, content_type: str) -> Any:
        with self._spans.span("videoforge.storage.save", **{"storage.content_type": content_type}) as span:
            stored = await self._inner.save(key, chunks, content_type)
            span.set_attribute("videoforge.storage.bytes", stored.size)
            return stored


class TracedCallbacks(_Proxy):
    async def send(self, url: str, message_id: str, body: bytes, at: datetime) -> int:
        with self._spans.span("videoforge.callback.send", SpanKind.CLIENT, **{
                "callback.host": urlsplit(url).hostname, "callback.message_id": message_id}) as span:
            status = await self._inner.send(url, message_id, body, at)
            span.set_attribute("http.response.status_code", status)
            if status >= 400:
                span.set_status(Status(StatusCode.ERROR, f"HTTP {status}"))
            return status


def traced_providers(registry: Mapping[str, object], provider: TracerProvider) -> dict[str, object]:
    return {name: TracedProvider(p, provider, name) for name, p in registry.items()}


def redact_span_url(redact: Redactor) -> Any:
    """A request hook for the HTTP instrumentations: the span's URL attributes redacted as log
    lines are (a presigned URL's signature, a token in a query), whatever else they kept."""

    def hook(span: Span, *_: Any) -> None:
        attributes = getattr(span, "attributes", None) or {}
        for name in _URL_ATTRIBUTES:
            value = attributes.get(name)
            if isinstance(value, str):
                span.set_attribute(name, redact(value))

    return hook


def traced_engine(engine: Any, provider: TracerProvider) -> Any:
    """The SQLAlchemy instrumentation on this engine alone (no global patching of create_engine):
    a span per statement, its SQL with placeholders, never the values."""
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    from opentelemetry.metrics import NoOpMeterProvider

    counter = NoOpMeterProvider().get_meter(TRACER).create_up_down_counter("db.client.connections.usage")
    return EngineTracer(provider.get_tracer("opentelemetry.instrumentation.sqlalchemy"), engine, counter)

