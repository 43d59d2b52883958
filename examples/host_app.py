"""videoforge inside a host backend's own FastAPI app: its routes under /api/video beside the
host's, its start-up and shutdown chained into the host's lifespan (the container's resources
opened, unfinished jobs resumed, running jobs stopped and every pool closed on the way out).

Serve it:   VIDEOFORGE_JWT_SECRET=... uvicorn --factory examples.host_app:create_host_app
Try it:     python examples/host_app.py   (one job end to end, in-process, on the offline provider)
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal

from fastapi import FastAPI

from videoforge.bootstrap import Settings
from videoforge.bootstrap.http import router


def create_host_app(settings: Settings | None = None) -> FastAPI:
    videos = router(settings or Settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # the host's own start-up goes here (its database, its caches...)
        async with videos.lifespan(app):
            yield
        # and the host's own shutdown here: videoforge has stopped its jobs and closed its pools

    app = FastAPI(title="A host backend", lifespan=lifespan)
    videos.include_in(app)  # /api/video/... and its error answers (422 naming the field, 429 quota...)

    @app.get("/api/orders")
    async def orders() -> list[dict]:  # one of the host's own routes
        return [{"id": 1, "item": "a lamp"}]

    return app


async def one_job_end_to_end(app: FastAPI, token: str) -> tuple[dict, bytes]:
    """Create a job, poll it, download the video: what a client of the host does. Returns the
    finished task (its `result.cost` is US dollars as a decimal string, like every amount of the
    API: read it with `decimal.Decimal`, never `float`) and the video."""
    import httpx

    headers = {"Authorization": f"Bearer {token}"}
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://host.test", headers=headers) as client:
        assert (await client.get("/api/orders")).status_code == 200
        created = await client.post("/api/video/jobs", json={
            "operation": "text-to-video", "prompt": "A lighthouse at dawn", "duration": 5, "resolution": "360p"})
        created.raise_for_status()
        async with asyncio.timeout(120):
            task = await poll(client, created.json()["task_id"])
        video = await client.get(task["result"]["video_url"])
        video.raise_for_status()
        return task, video.content


async def poll(client, task_id: str) -> dict:
    """The task once it has ended (wrap in `asyncio.timeout` to bound the wait)."""
    while True:
        task = (await client.get(f"/api/video/jobs/{task_id}")).json()
        if task["status"] in ("completed", "failed", "cancelled"):
            if task["status"] != "completed":
                raise RuntimeError(f"the job ended {task['status']}: {task.get('error')}")
            return task
        await asyncio.sleep(0.2)


def main() -> None:
    import jwt

    secret = os.environ.get("VIDEOFORGE_JWT_SECRET") or "example-secret-of-at-least-32-bytes!!"
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(data_dir=os.environ.get("VIDEOFORGE_DATA_DIR") or data_dir, jwt_secret=secret,
                            default_provider="local", poll_interval=0.2)
        token = jwt.encode({"sub": "host-user-1", "exp": int(time.time()) + 600}, secret, algorithm="HS256")
        task, video = asyncio.run(one_job_end_to_end(create_host_app(settings), token))
    cost = Decimal(task["result"]["cost"])
    print(f"served a {len(video)}-byte MP4 through the host app for ${cost}; shut down cleanly")
    sys.exit(0 if video[4:8] == b"ftyp" else 1)


if __name__ == "__main__":
    main()
