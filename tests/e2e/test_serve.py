"""The HTTP API as deployed: a real `videoforge serve` process on loopback, the local provider,
SQLite and files in a data directory."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import jwt
import pytest

from tests.serving import serve_process

SECRET = "serve-test-secret-of-at-least-32-bytes!"


def bearer(sub: str) -> dict[str, str]:
    return {"Authorization": "Bearer " + jwt.encode({"sub": sub, "exp": int(time.time()) + 600}, SECRET,
                                                    algorithm="HS256")}


@pytest.fixture
def server(tmp_path):
    with serving(tmp_path) as client:
        yield client


@contextmanager
def serving(tmp_path) -> Iterator[httpx.Client]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIDEOFORGE_", "WAVESPEED_"))}
    env |= {"VIDEOFORGE_DATA_DIR": str(tmp_path), "VIDEOFORGE_DEFAULT_PROVIDER": "local",
            "VIDEOFORGE_JWT_SECRET": SECRET, "VIDEOFORGE_POLL_INTERVAL": "0.2",
            "VIDEOFORGE_USER_PLANS": json.dumps({"alice": "pro", "bob": "free"})}
    with serve_process(env) as served, httpx.Client(base_url=served.base, timeout=30) as client:
        yield client


def wait_done(client: httpx.Client, task_id: str, user: str) -> dict:
    for _ in range(300):
        status = client.get(f"/api/video/jobs/{task_id}", headers=bearer(user)).json()
        if status["status"] in ("completed", "failed", "cancelled"):
            return status
        time.sleep(0.1)
    raise AssertionError(f"job {task_id} did not finish: {status}")


def test_serve_creates_polls_downloads_and_guards(server, tmp_path):
    job = {"operation": "text-to-video", "prompt": "a red kite over the sea", "duration": 2, "resolution": "360p"}
    assert server.post("/api/video/jobs", json=job).status_code == 401

    created = server.post("/api/video/jobs", json=job, headers=bearer("alice"))
    assert created.status_code == 202 and created.json()["status"] == "pending"
    task_id = created.json()["task_id"]
    done = wait_done(server, task_id, "alice")
    assert done["status"] == "completed" and done["progress"] == 100
    video_url, asset_id = done["result"]["video_url"], done["result"]["asset_id"]

    whole = server.get(video_url, headers=bearer("alice"))
    [stored] = [p for p in (tmp_path / "media" / "videos").rglob("*.mp4")]
    assert whole.status_code == 200 and whole.content == stored.read_bytes()
    part = server.get(video_url, headers=bearer("alice") | {"Range": "bytes=100-1099"})
    assert part.status_code == 206 and part.content == stored.read_bytes()[100:1100]
    assert part.headers["content-range"] == f"bytes 100-1099/{stored.stat().st_size}"

    for path in (f"/api/video/jobs/{task_id}", f"/api/video/assets/{asset_id}", video_url):
        assert server.get(path, headers=bearer("bob")).status_code == 404, path

    for _ in range(2):  # bob's free plan: two videos this month
        assert server.post("/api/video/jobs", json=job, headers=bearer("bob")).status_code == 202
    refused = server.post("/api/video/jobs", json=job, headers=bearer("bob"))
    assert refused.status_code == 429 and refused.json()["usage_info"]["error_type"] == "video_limit"
    assert server.get("/openapi.json").json()["paths"]["/api/video/jobs"]["post"]


async def test_serve_resumes_unfinished_jobs_at_start(tmp_path):
    from videoforge.bootstrap import Settings, build_container, open_container
    from videoforge.domain import OperationType, VideoRequest

    settings = Settings(data_dir=tmp_path, default_provider="local", user_plans={"alice": "pro"})
    async with open_container(container=build_container(settings)) as container:  # it stops after submitting
        job = await container.submit_video()(VideoRequest(operation=OperationType.TEXT_TO_VIDEO, user_id="alice",
                                                          prompt="left behind", duration=1, resolution="360p"))
    with serving(tmp_path) as client:
        assert wait_done(client, job.id, "alice")["status"] == "completed"
