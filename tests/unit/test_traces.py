"""Traces of one job through the HTTP API on the fakes, in an in-memory exporter: the request's
server span (continuing the caller's `traceparent`), the job's creation under it, the run under
the creation, and a span per provider call, the download and the save under the run; attributes
name the job, provider and model, never the prompt or a token."""

from __future__ import annotations

import httpx
import pytest
from dependency_injector import providers
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from tests.unit.test_http_api import SECRET, TEXT_JOB, U1, finish
from videoforge.adapters.fakes import Outcome
from videoforge.bootstrap import Settings
from videoforge.bootstrap.http import build_app

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER = f"00-{CALLER_TRACE}-00f067aa0ba902b7-01"


def memory_tracing() -> tuple[TracerProvider, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider, exporter


@pytest.fixture
async def traced_api(harness):
    provider, exporter = memory_tracing()
    harness.container.tracer_provider.override(providers.Object(provider))
    app = build_app(Settings(jwt_secret=SECRET), harness.container, resume_on_startup=False)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        client.app = app
        yield client, exporter
    harness.container.tracer_provider.reset_override()


def by_name(spans) -> dict[str, list]:
    named: dict[str, list] = {}
    for span in spans:
        named.setdefault(span.name, []).append(span)
    return named


async def test_one_jobs_spans_from_the_request_to_the_save(traced_api, harness):
    api, exporter = traced_api
    harness.provider.script(Outcome.succeed(after_polls=2))
    created = await api.post("/api/video/jobs", json=TEXT_JOB, headers=U1 | {"traceparent": CALLER})
    assert created.status_code == 202
    await finish(api)
    job_id = created.json()["task_id"]
    spans = exporter.get_finished_spans()
    named = by_name(spans)

    assert {s.context.trace_id for s in spans if s.name.startswith("videoforge.")} == {int(CALLER_TRACE, 16)}
    [server] = [s for s in spans if s.kind is SpanKind.SERVER and s.attributes.get("http.method") == "POST"]
    [create] = named["videoforge.job.create"]
    [run] = named["videoforge.job.run"]
    assert server.parent.span_id == int(CALLER.split("-")[2], 16)
    assert create.parent.span_id == server.context.span_id
    assert run.parent.span_id == create.context.span_id
    assert run.attributes["videoforge.job.id"] == job_id and run.attributes["videoforge.job.status"] == "completed"
    assert run.attributes["videoforge.provider"] == "wavespeed" and run.attributes["videoforge.model"]
    steps = ["videoforge.provider.submit", "videoforge.provider.poll", "videoforge.provider.download",
             "videoforge.storage.save"]
    saves = {s.context.span_id for s in named["videoforge.storage.save"]}  # the video, its thumbnail
    for name in steps:
        for span in named[name]:  # the save reads the download: the download's span is under the save's
            assert span.parent.span_id in (saves if name.endswith("download") else {run.context.span_id}), name
            assert span.attributes["videoforge.job.id"] == job_id, name
    assert len(named["videoforge.provider.poll"]) == 2
    assert [s.attributes["videoforge.provider.state"] for s in named["videoforge.provider.poll"]] == [
        "running", "completed"]
    assert all(s.attributes["videoforge.storage.bytes"] > 0 for s in named["videoforge.storage.save"])
    stored = await harness.jobs.get(job_id)
    assert stored.trace_context == f"00-{CALLER_TRACE}-{create.context.span_id:016x}-01"

    said = repr([dict(s.attributes) for s in spans])
    assert TEXT_JOB["prompt"] not in said and U1["Authorization"].split()[1] not in said


async def test_a_failed_job_and_a_failing_call_are_errors_without_their_text(traced_api, harness):
    api, exporter = traced_api
    harness.provider.script(Outcome.fail(message="the model refused a secret prompt"))
    created = await api.post("/api/video/jobs", json=TEXT_JOB, headers=U1)
    await finish(api)
    [run] = by_name(exporter.get_finished_spans())["videoforge.job.run"]
    assert run.status.status_code is StatusCode.ERROR and run.attributes["videoforge.job.status"] == "failed"
    assert run.attributes["videoforge.job.error_code"] and "secret prompt" not in repr(run.attributes)
    assert created.json()["task_id"] == run.attributes["videoforge.job.id"]


async def test_health_and_metrics_are_not_traced_and_a_query_token_is_redacted(traced_api):
    api, exporter = traced_api
    await api.get("/health")
    await api.get("/metrics")
    await api.get("/api/video/jobs?access_token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl&limit=5",
                  headers=U1)
    [server] = [s for s in exporter.get_finished_spans() if s.kind is SpanKind.SERVER]
    said = repr(dict(server.attributes))
    assert "access_token=[redacted]" in said and "c2lnbmF0dXJl" not in said and "limit=5" in said


def test_json_log_records_carry_the_current_spans_ids():
    import io
    import json
    import logging

    from videoforge.adapters.logs import JsonFormatter
    from videoforge.adapters.otel import current_trace_ids

    provider, _ = memory_tracing()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(trace_ids=current_trace_ids))
    logger = logging.getLogger("videoforge.test_traces")
    logger.handlers, logger.propagate = [handler], False
    try:
        with provider.get_tracer("test").start_as_current_span("work") as span:
            logger.warning("inside")
        logger.warning("outside")
    finally:
        logger.handlers = []
    inside, outside = (json.loads(line) for line in stream.getvalue().splitlines())
    context = span.get_span_context()
    assert (inside["trace_id"], inside["span_id"]) == (f"{context.trace_id:032x}", f"{context.span_id:016x}")
    assert "trace_id" not in outside


def test_tracing_is_off_by_default_and_when_the_sdk_is_disabled(monkeypatch):
    from tests.conftest import settings_for_tests
    from videoforge.bootstrap import build_container

    assert build_container(settings_for_tests()).tracer_provider() is None
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    assert build_container(settings_for_tests(tracing="otlp")).tracer_provider() is None


def test_an_exporter_protocol_other_than_http_protobuf_is_refused(monkeypatch):
    from videoforge.bootstrap.catalog import ConfigurationError
    from videoforge.bootstrap.tracing import otlp_tracer_provider

    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
    with pytest.raises(ConfigurationError, match="http/protobuf"):
        otlp_tracer_provider()
