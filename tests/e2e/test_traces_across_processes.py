"""One job's trace across processes, as deployed: `videoforge serve` and `videoforge worker`
(VIDEOFORGE_QUEUE=pgqueuer on PostgreSQL, the WaveSpeed emulator as the provider), both with
VIDEOFORGE_TRACING=otlp and nothing but the standard OTEL_* variables pointing their real OTLP
exporters at a receiver on loopback. The trace context reaches the worker only through the job's
row: the worker's run span is a child of the API's creation span, in the trace of the caller's
`traceparent`, and the provider calls, download and save are under it."""

from __future__ import annotations

import signal
import subprocess
import time

import httpx
import pytest

from tests.e2e.test_queue_worker import CLI, _wait_healthy, queue_env, started
from tests.e2e.test_serve import bearer, wait_done
from tests.emulators.otlp import OtlpReceiver
from tests.emulators.wavespeed import Scenario, emulator_environment
from tests.serving import free_port

CALLER_TRACE = "0af7651916cd43dd8448eb211c80319c"
CALLER_SPAN = "b7ad6b7169203331"


def wait_for(receiver: OtlpReceiver, names: set[str], seconds: float = 30) -> list:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        spans = receiver.snapshot()
        if names <= {s.name for s in spans}:
            return spans
        time.sleep(0.2)
    raise AssertionError(f"spans missing: {names - {s.name for s in receiver.snapshot()}}")


@pytest.mark.postgres
def test_a_jobs_trace_goes_from_the_api_request_to_the_worker_through_the_database(
        queue_database, tmp_path, wavespeed_emulator):
    wavespeed_emulator.real_media = True
    wavespeed_emulator.script(Scenario.succeed(polls=2))
    with OtlpReceiver() as receiver:
        env = queue_env(queue_database, tmp_path) | emulator_environment(wavespeed_emulator) | {
            "VIDEOFORGE_DEFAULT_PROVIDER": "wavespeed", "VIDEOFORGE_WAVESPEED_READ_TIMEOUT": "15",
            "VIDEOFORGE_TRACING": "otlp", "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
            "OTEL_BSP_SCHEDULE_DELAY": "200"}
        upgraded = subprocess.run([*CLI, "db", "upgrade"], env=env, capture_output=True, text=True, timeout=120)
        assert upgraded.returncode == 0, upgraded.stderr
        port = free_port()
        serve, worker = started(["serve", "--port", str(port)], env), started(["worker", "--concurrency", "4"], env)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
                _wait_healthy(client, serve)
                job = {"operation": "text-to-video", "prompt": "a kite over the sea", "duration": 5,
                       "resolution": "720p", "model": "alibaba/wan-2.5/text-to-video"}
                created = client.post("/api/video/jobs", json=job, headers=bearer("alice") | {
                    "traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"})
                assert created.status_code == 202, created.text
                job_id = created.json()["task_id"]
                assert wait_done(client, job_id, "alice")["status"] == "completed"
            spans = wait_for(receiver, {"videoforge.job.create", "videoforge.job.run", "videoforge.storage.save"})
        finally:
            for process in (worker, serve):
                process.send_signal(signal.SIGTERM)
            for process in (worker, serve):
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)
                process.log.close()

    ours = [s for s in spans if s.trace_id == CALLER_TRACE]
    api = [s for s in ours if s.service == "videoforge-api"]
    work = [s for s in ours if s.service == "videoforge-worker"]
    [server] = [s for s in api if s.kind == 2 and s.parent_span_id == CALLER_SPAN]  # SERVER, the caller's child
    [create] = [s for s in api if s.name == "videoforge.job.create"]
    [run] = [s for s in work if s.name == "videoforge.job.run"]
    assert create.parent_span_id == server.span_id and create.attributes["videoforge.job.id"] == job_id
    assert run.parent_span_id == create.span_id  # across processes, by the job's row
    assert run.attributes["videoforge.job.id"] == job_id and run.attributes["videoforge.job.status"] == "completed"
    steps = {name: [s for s in work if s.name == name] for name in (
        "videoforge.provider.submit", "videoforge.provider.poll", "videoforge.provider.download",
        "videoforge.storage.save")}
    assert all(steps.values()), steps
    saves = {s.span_id for s in steps["videoforge.storage.save"]}  # the video and its thumbnail
    for name, found in steps.items():  # the save reads the download: the download is under the save
        assert all(s.parent_span_id in (saves if name.endswith("download") else {run.span_id}) for s in found), name
    assert len(steps["videoforge.provider.poll"]) >= 2
    by_id = {s.span_id: s for s in work}
    http_calls = [s for s in work if s.kind == 3 and by_id.get(s.parent_span_id, run).name.startswith("videoforge.")]
    assert http_calls, "the httpx instrumentation's client spans under the provider's"
    assert any("db.statement" in s.attributes for s in api) and any("db.statement" in s.attributes for s in work)
    said = repr([s.attributes for s in spans])
    assert "a kite over the sea" not in said and wavespeed_emulator.api_key not in said
