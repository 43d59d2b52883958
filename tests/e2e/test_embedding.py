"""videoforge inside a host: the host's FastAPI app with our router and lifespan (a job end to
end, unfinished jobs resumed at start-up, every pool closed on shutdown with no ResourceWarning),
and the synchronous facade for Django or Flask backends."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import jwt
import pytest
from fastapi import Request
from sqlalchemy import text

from tests.conftest import settings_for_tests
from tests.contracts.builders import text_request
from tests.integration.conftest import postgres_url
from videoforge.adapters.sql import make_engine
from videoforge.bootstrap import open_container
from videoforge.bootstrap.sync import VideoForge, generate
from videoforge.domain import Cost, JobStatus, Plan, QuotaExceededError

ROOT = Path(__file__).resolve().parents[2]
SECRET = "host-secret-of-at-least-32-bytes-long!!"
sys.path.insert(0, str(ROOT))
from examples.host_app import create_host_app, poll  # noqa: E402


def bearer(sub: str) -> dict[str, str]:
    return {"Authorization": "Bearer " + jwt.encode({"sub": sub, "exp": int(time.time()) + 600}, SECRET,
                                                    algorithm="HS256")}


def run_example(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("VIDEOFORGE_", "WAVESPEED_", "FAL_", "HF_"))}
    return subprocess.run([sys.executable, "-W", "error::ResourceWarning", str(ROOT / "examples" / "host_app.py")],
                          env=clean | env, capture_output=True, text=True, timeout=300, cwd=ROOT)


def assert_clean(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 0, result.stderr[-2000:]
    assert "served a" in result.stdout and "for $0;" in result.stdout  # the local provider's price, exact
    for sign in ("ResourceWarning", "unclosed", "Exception ignored", "Traceback"):
        assert sign not in result.stderr, result.stderr[-2000:]


def test_the_host_app_example_serves_a_job_and_closes_everything_on_sqlite(tmp_path):
    assert_clean(run_example({"VIDEOFORGE_DATA_DIR": str(tmp_path)}))


@pytest.mark.postgres
def test_the_host_app_example_serves_a_job_and_closes_every_pool_on_postgresql(tmp_path):
    server, schema = postgres_url(), f"vf_host_{uuid.uuid4().hex[:10]}"
    env = {"VIDEOFORGE_DATA_DIR": str(tmp_path), "VIDEOFORGE_DATABASE_URL": server, "VIDEOFORGE_DB_SCHEMA": schema}
    try:
        upgrade = subprocess.run([sys.executable, "-m", "videoforge.bootstrap.cli", "db", "upgrade"],
                                 env=os.environ | env, capture_output=True, text=True, timeout=120)
        assert upgrade.returncode == 0, upgrade.stderr
        assert_clean(run_example(env))
    finally:
        asyncio.run(drop_schema(server, schema))


async def drop_schema(url: str, schema: str) -> None:
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        await engine.dispose()


async def test_the_host_app_resumes_a_job_left_unfinished_and_serves_it(tmp_path):
    settings = settings_for_tests(backend="sql", data_dir=tmp_path, poll_interval=0.01, jwt_secret=SECRET,
                                  user_plans={"u1": "pro"})
    async with open_container(settings) as container:  # a process that recorded a job, then stopped
        left = await container.submit_video()(text_request())
    app = create_host_app(settings)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://host.test", headers=bearer("u1")) as client:
        async with asyncio.timeout(30):
            task = await poll(client, left.id)
        assert task["result"]["asset_id"] and (await client.get(task["result"]["video_url"])).status_code == 200
        bad = await client.post("/api/video/jobs", json={"operation": "text-to-video"})
        assert bad.status_code == 422 and bad.json()["field"] == "prompt"  # our error answers, in the host's app
        assert (await client.get("/api/orders")).json() == [{"id": 1, "item": "a lamp"}]


def test_the_sync_facade_generates_from_several_threads_and_closes(tmp_path):
    settings = settings_for_tests(backend="sql", data_dir=tmp_path, poll_interval=0.01)
    results, errors = [], []
    with VideoForge(settings, plans=lambda user: Plan("host-plan", 3, Cost(0))) as forge:
        def request() -> None:
            try:
                results.append(forge.generate(text_request()))
            except QuotaExceededError as e:
                errors.append(e)

        threads = [threading.Thread(target=request) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(results) == 3 and len(errors) == 1 and errors[0].usage_info["plan"] == "host-plan"
        assert forge.get_job(results[0].job_id, "u1").status is JobStatus.COMPLETED
        estimate = forge.estimate(operation="text_to_video", user_id="u9", prompt="a kite", duration=5,
                                  model="hunyuan-video-1.5")
        assert estimate.cost == Cost("0.20") and estimate.allowed
    with pytest.raises(RuntimeError, match="closed"):
        forge.generate(text_request())


def test_generate_in_one_call(tmp_path):
    result = generate(text_request(user_id="solo"), settings=settings_for_tests(
        backend="sql", data_dir=tmp_path, poll_interval=0.01, default_plan="enterprise"))
    assert result.asset_id and result.cost == Cost("0.20")


async def test_the_embedded_api_limits_its_own_request_bodies_and_leaves_the_hosts_routes_alone(tmp_path):
    """The request limits of `videoforge serve` hold in a host's app too (`HostedApi.include_in`):
    a body over the route's limit is 413 before it is read, a body without a valid token is never
    read, an idle body is cut off; the host's own routes keep their own rules."""
    settings = settings_for_tests(backend="sql", data_dir=tmp_path, jwt_secret=SECRET, body_idle_timeout=0.3)
    app = create_host_app(settings)
    received: list[int] = []

    @app.post("/api/notes")  # a host route taking bodies larger than any of ours
    async def notes(request: Request) -> dict:
        received.append(len(await request.body()))
        return {"ok": True}

    read = []

    async def body(*parts: bytes, pause: float = 0.0):
        for part in parts:
            await asyncio.sleep(pause)
            read.append(len(part))
            yield part

    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://host.test") as client:
        big = await client.post("/api/video/jobs", headers=bearer("u1") | {"Content-Length": str(17 * 2**20)},
                                content=body(b"{}"))
        assert big.status_code == 413 and big.json()["error"] == "body_too_large" and read == []
        anonymous = await client.post("/api/video/uploads", content=body(b"x" * 65536, b"x" * 65536))
        assert anonymous.status_code == 401 and anonymous.json()["error"] == "unauthorized" and read == []
        idle = await client.post("/api/video/jobs", headers=bearer("u1"), content=body(b'{"op', b'"}', pause=1.0))
        assert idle.status_code == 408 and idle.json()["error"] == "request_timeout", idle.text
        host = await client.post("/api/notes", content=b"n" * (17 * 2**20))
        assert host.status_code == 200 and received == [17 * 2**20]
