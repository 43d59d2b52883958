"""The trace context crosses on the job's row: a container (the API's, its own tracer provider)
creates a job in the SQLite database; another container over the same database (a worker's,
another tracer provider: nothing shared in memory) runs it, and its run span is a child of the
creation span, in the creating request's trace, its SQL statements under it."""

from __future__ import annotations

from dependency_injector import providers

from tests.conftest import settings_for_tests
from tests.contracts.builders import text_request
from tests.unit.test_traces import memory_tracing
from videoforge.bootstrap import build_container, open_container


async def test_a_run_elsewhere_continues_the_trace_its_job_was_created_in(tmp_path):
    settings = settings_for_tests(backend="sql", data_dir=tmp_path, poll_interval=0.01)
    api, worker = build_container(settings), build_container(settings)
    (api_tracing, api_spans), (worker_tracing, worker_spans) = memory_tracing(), memory_tracing()
    api.tracer_provider.override(providers.Object(api_tracing))
    worker.tracer_provider.override(providers.Object(worker_tracing))
    async with open_container(container=api), open_container(container=worker):
        with api_tracing.get_tracer("test").start_as_current_span("POST /api/video/jobs") as request:
            job = await api.submit_video()(text_request("u1"))
        done = await worker.run_job()(job.id)
    assert done.status.value == "completed"

    [create] = [s for s in api_spans.get_finished_spans() if s.name == "videoforge.job.create"]
    assert create.parent.span_id == request.get_span_context().span_id
    worker_finished = worker_spans.get_finished_spans()
    [run] = [s for s in worker_finished if s.name == "videoforge.job.run"]
    assert run.context.trace_id == request.get_span_context().trace_id
    assert run.parent.span_id == create.context.span_id and run.parent.is_remote
    assert {s.context.trace_id for s in worker_finished if s.name.startswith("videoforge.")} == {
        run.context.trace_id}
    # the run's SQL statements are in its trace (the job's first read, before the run, has one of its own)
    statements = [s for s in worker_finished if "db.statement" in s.attributes
                  and s.context.trace_id == run.context.trace_id]
    assert any(s.attributes["db.statement"].startswith("UPDATE video_jobs") for s in statements)
    assert not any("a cat on a boat" in repr(dict(s.attributes)) for s in worker_finished)
