"""OpenTelemetry traces (the optional `otel` extra): the job's run as a span in the trace of the
request that created the job, whichever process runs it, and a span per provider call, download,
save and callback under it. Imported only when tracing is on (VIDEOFORGE_TRACING=otlp)."""

from videoforge.adapters.otel.tracing import (
    JobTraces,
    TracedCallbacks,
    TracedJobs,
    TracedProvider,
    TracedStorage,
    current_trace_ids,
    redact_span_url,
    traced_engine,
    traced_providers,
)

__all__ = ["JobTraces", "TracedCallbacks", "TracedJobs", "TracedProvider", "TracedStorage", "current_trace_ids",
           "redact_span_url", "traced_engine", "traced_providers"]
