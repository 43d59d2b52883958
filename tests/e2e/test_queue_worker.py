"""VIDEOFORGE_QUEUE=pgqueuer as deployed: `db upgrade` installs the queue, `videoforge serve` only
enqueues, a `videoforge worker` process runs the job (local provider, files in a shared data
directory), and stops on SIGTERM. Without PostgreSQL, the worker refuses to start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time

import pytest

from tests.e2e.test_serve import bearer, wait_done
from tests.serving import free_port

CLI = [sys.executable, "-m", "videoforge.bootstrap.cli"]


def queue_env(database, data_dir) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIDEOFORGE_", "WAVESPEED_"))}
    return env | {"VIDEOFORGE_DATA_DIR": str(data_dir), "VIDEOFORGE_DATABASE_URL": database.url,
                  "VIDEOFORGE_DB_SCHEMA": database.schema, "VIDEOFORGE_QUEUE": "pgqueuer",
                  "VIDEOFORGE_DEFAULT_PROVIDER": "local", "VIDEOFORGE_POLL_INTERVAL": "0.2",
                  "VIDEOFORGE_QUEUE_POLL_INTERVAL": "0.5", "VIDEOFORGE_DB_POOL_SIZE": "2",
                  "VIDEOFORGE_DB_MAX_OVERFLOW": "2", "VIDEOFORGE_JWT_SECRET": "serve-test-secret-of-at-least-32-bytes!",
                  "VIDEOFORGE_USER_PLANS": '{"alice": "pro"}'}


def started(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    """The command with its output in a temporary file (`output(process)`): a pipe nobody reads
    blocks the process in a log call once 64 KiB are written."""
    log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed by the test, after the process
    process = subprocess.Popen([*CLI, *args], env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    process.log = log
    return process


def output(process: subprocess.Popen) -> str:
    process.log.seek(0)
    return process.log.read()


@pytest.mark.postgres
def test_serve_enqueues_and_a_worker_runs_the_job(queue_database, tmp_path):
    import httpx

    env = queue_env(queue_database, tmp_path)
    upgraded = subprocess.run([*CLI, "db", "upgrade"], env=env, capture_output=True, text=True, timeout=120)
    assert upgraded.returncode == 0, upgraded.stderr
    assert "job queue (pgqueuer) installed" in upgraded.stdout
    port = free_port()
    serve = started(["serve", "--port", str(port)], env)
    worker = started(["worker", "--concurrency", "4"], env)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            _wait_healthy(client, serve)
            assert client.get("/health").json() == {"status": "ok"}  # liveness only: no figures to anyone
            job = {"operation": "text-to-video", "prompt": "a kite over the sea", "duration": 2, "resolution": "360p"}
            created = client.post("/api/video/jobs", json=job, headers=bearer("alice"))
            assert created.status_code == 202
            done = wait_done(client, created.json()["task_id"], "alice")
            assert done["status"] == "completed", done
            video = client.get(f"/api/video/assets/{done['result']['asset_id']}/video", headers=bearer("alice"))
            assert video.status_code == 200 and video.content[4:8] == b"ftyp"
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=20) == 0, output(worker)
    finally:
        for process in (serve, worker):
            if process.poll() is None:
                process.kill()
            process.wait(timeout=20)
            process.log.close()


def _wait_healthy(client, process: subprocess.Popen) -> None:
    import httpx

    for _ in range(150):
        try:
            if client.get("/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("videoforge serve did not start: " + (output(process) if process.poll() is not None else ""))


def test_a_worker_without_postgresql_says_what_it_needs(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIDEOFORGE_")}
    env |= {"VIDEOFORGE_DATA_DIR": str(tmp_path)}
    for queue, expected in (("in-process", "VIDEOFORGE_QUEUE=pgqueuer"), ("pgqueuer", "PostgreSQL")):
        result = subprocess.run([*CLI, "worker"], env=env | {"VIDEOFORGE_QUEUE": queue}, capture_output=True,
                                text=True, timeout=60)
        assert result.returncode == 2 and expected in result.stderr, result.stderr
