"""`GET /api/video/jobs/{id}/events` followed over real HTTP (uvicorn on loopback) while the job
runs in another process: a `videoforge generate` subprocess on the same SQLite database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import httpx
import jwt
import pytest
import uvicorn

from videoforge.bootstrap import Settings
from videoforge.bootstrap.http import build_app

SECRET = "events-test-secret-at-least-32-bytes-long"
USER = "demo"


def auth(sub: str = USER) -> dict[str, str]:
    return {"Authorization": "Bearer " + jwt.encode({"sub": sub, "exp": int(time.time()) + 600}, SECRET,
                                                     algorithm="HS256")}


@pytest.fixture
def environment(tmp_path) -> dict[str, str]:
    return {"VIDEOFORGE_DATA_DIR": str(tmp_path), "VIDEOFORGE_DEFAULT_PROVIDER": "local",
            "VIDEOFORGE_USER_PLANS": json.dumps({USER: "enterprise"}), "VIDEOFORGE_POLL_INTERVAL": "0.05",
            "VIDEOFORGE_EVENTS_INTERVAL": "0.05", "VIDEOFORGE_JWT_SECRET": SECRET}


@pytest.fixture
def server(environment, monkeypatch) -> Iterator[str]:
    for name in [n for n in os.environ if n.startswith(("VIDEOFORGE_", "WAVESPEED_"))]:
        monkeypatch.delenv(name)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    app = build_app(Settings(), resume_on_startup=False)  # this process runs no job
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the API did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=10)


def generate_elsewhere(environment: dict[str, str]) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIDEOFORGE_", "WAVESPEED_"))} | environment
    return subprocess.Popen([sys.executable, "-m", "videoforge.bootstrap.cli", "generate", "--user", USER,
                             "--prompt", "A lighthouse at dawn", "--duration", "4", "--resolution", "480p", "--json"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def read_events(client: httpx.Client, url: str, headers: dict[str, str], stop) -> list[dict]:
    """Events of one connection, until `stop(event)` says so or the stream ends."""
    events: list[dict] = []
    current: dict = {}
    with client.stream("GET", url, headers=headers) as response:
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line == "" and "data" in current:
                events.append(current | {"data": json.loads(current["data"])})
                current = {}
                if stop(events[-1]):
                    break
            elif ":" in line and not line.startswith(":"):
                name, _, value = line.partition(":")
                current[name] = value.strip()
    return events


def test_a_job_run_by_another_process_streams_0_to_100_and_resumes_without_a_gap(server, environment):
    worker = generate_elsewhere(environment)
    with httpx.Client(base_url=server, timeout=30) as client:
        deadline = time.monotonic() + 60
        while not (jobs := client.get("/api/video/jobs", headers=auth()).json()):
            assert time.monotonic() < deadline and worker.poll() in (None, 0), worker.stderr and worker.stderr.read()
            time.sleep(0.05)
        url = f"/api/video/jobs/{jobs[0]['task_id']}/events"
        first = read_events(client, url, auth(), stop=lambda e: e["data"].get("progress", 0) >= 20)
        rest = read_events(client, url, auth() | {"Last-Event-ID": first[-1]["id"]}, stop=lambda e: False)
        assert client.get(url, headers=auth("intruder")).status_code == 404
    assert worker.wait(timeout=120) == 0, worker.stderr.read()

    events = first + rest
    assert [int(e["id"]) for e in events] == list(range(1, len(events) + 1))  # every change, none twice
    progress = [e["data"]["progress"] for e in events]
    assert progress[0] == 0 and progress[-1] == 100 and progress == sorted(progress)
    assert len({p for p in progress if 20 <= p <= 80}) >= 2  # the render's own progress came through
    assert events[0]["event"] == "status" and events[-1]["event"] == "result"
    assert [e["data"]["state"] for e in events if e["event"] == "status"][:3] == ["pending", "submitting",
                                                                                   "processing"]
    result = events[-1]["data"]
    assert result["status"] == "completed" and result["result"]["video_url"].startswith("/api/video/assets/")
    assert json.loads(worker.stdout.read())["job_id"] == result["task_id"]
