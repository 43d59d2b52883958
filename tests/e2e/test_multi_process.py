"""The multi-process proof: two `videoforge serve` and two `videoforge worker` processes on one
PostgreSQL (jobs, quota and the pgqueuer queue) and one S3-compatible bucket (moto's server on
loopback), against the WaveSpeed emulator. 50 jobs go in through both APIs; one worker is killed
with SIGKILL while jobs are running at the provider and a new one started; every job completes
with exactly one submission, one asset and one usage record, and every asset downloads from
either API (a 307 to a presigned URL of the bucket, at its public endpoint). A plan of 10
videos admits exactly 10 of 30 concurrent requests spread over both APIs."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
import uuid
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import text

from tests.e2e.test_queue_worker import CLI
from tests.e2e.test_serve import bearer
from tests.emulators.wavespeed import Scenario, emulator_environment
from tests.serving import free_port

pytestmark = pytest.mark.postgres

JOBS, GREEDY = 50, 30
JOB = {"operation": "text-to-video", "prompt": "a lighthouse at dawn", "model": "hunyuan-video-1.5", "duration": 5,
       "resolution": "480p"}


def environment(database, emulator, data_dir, storage) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIDEOFORGE_", "WAVESPEED_", "AWS_"))}
    return env | emulator_environment(emulator) | storage | {
        "VIDEOFORGE_DATA_DIR": str(data_dir), "VIDEOFORGE_DATABASE_URL": database.url,
        "VIDEOFORGE_DB_SCHEMA": database.schema, "VIDEOFORGE_DB_POOL_SIZE": "2", "VIDEOFORGE_DB_MAX_OVERFLOW": "1",
        "VIDEOFORGE_QUEUE": "pgqueuer", "VIDEOFORGE_QUEUE_HEARTBEAT_TIMEOUT": "5",
        "VIDEOFORGE_QUEUE_POLL_INTERVAL": "0.5", "VIDEOFORGE_POLL_INTERVAL": "1",
        "VIDEOFORGE_WAVESPEED_READ_TIMEOUT": "10",
        "VIDEOFORGE_JWT_SECRET": "serve-test-secret-of-at-least-32-bytes!",
        "VIDEOFORGE_USER_PLANS": json.dumps({"carol": "basic"}), "VIDEOFORGE_DEFAULT_PLAN": "enterprise"}


@pytest.fixture
def shared_storage(s3_server, tmp_path) -> dict[str, str]:
    """One bucket for every process, under a prefix of this test's own. The processes reach it at
    127.0.0.1, the clients at localhost (its public endpoint): presigned URLs name the latter."""
    from tests.s3server import CREDENTIALS

    return CREDENTIALS | {"VIDEOFORGE_STORAGE": "s3", "VIDEOFORGE_S3_BUCKET": "videoforge-test",
                          "VIDEOFORGE_S3_ENDPOINT": s3_server.endpoint, "VIDEOFORGE_S3_PREFIX": tmp_path.name,
                          "VIDEOFORGE_S3_PUBLIC_ENDPOINT": s3_server.endpoint.replace("127.0.0.1", "localhost")}


@pytest.fixture
async def cluster(tmp_path, wavespeed_emulator, shared_storage):
    from tests.integration.conftest import close_database, open_database

    database = await open_database("postgres", tmp_path, migrate=False)
    wavespeed_emulator.real_media = True
    wavespeed_emulator.default = Scenario.succeed(after=6.0)
    env = environment(database, wavespeed_emulator, tmp_path, shared_storage)
    processes: list[subprocess.Popen] = []
    try:
        upgrade = await asyncio.create_subprocess_exec(*CLI, "db", "upgrade", env=env, stderr=asyncio.subprocess.PIPE)
        _, errors = await asyncio.wait_for(upgrade.communicate(), 120)
        assert upgrade.returncode == 0, errors
        ports = [free_port(), free_port()]
        cluster = Cluster(database, env, [f"http://127.0.0.1:{port}" for port in ports], processes, tmp_path)
        for port in ports:
            cluster.start("serve", "--port", str(port))
        cluster.start("worker", "--concurrency", "40")
        cluster.start("worker", "--concurrency", "40")
        yield cluster
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=20)
        await close_database(database)


class Cluster:
    def __init__(self, database, env, apis, processes, logs):
        self.database, self.env, self.apis, self.processes, self.logs = database, env, apis, processes, logs

    def start(self, *args: str) -> None:
        """A videoforge process, its output in a log file (a pipe nobody reads would block it)."""
        log = self.logs / f"process-{len(self.processes)}.log"
        with log.open("w") as out:
            self.processes.append(subprocess.Popen([*CLI, *args], env=self.env, stdout=out,
                                                   stderr=subprocess.STDOUT))

    def log(self, index: int) -> str:
        return (self.logs / f"process-{index}.log").read_text()[-3000:]

    async def healthy(self, client: httpx.AsyncClient) -> None:
        for index, api in enumerate(self.apis):
            for _ in range(300):
                try:
                    if (await client.get(api + "/health", timeout=1)).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("serve did not start: " + self.log(index))

    async def workers_holding_jobs(self) -> int:
        """How many workers hold picked jobs now (pgqueuer's queue table, in the test's schema)."""
        from videoforge.adapters.pgqueuer import queue_settings

        table = queue_settings(self.database.schema).qualified.queue_table
        async with self.database.engine().connect() as conn:
            return (await conn.execute(text(
                f"SELECT count(DISTINCT queue_manager_id) FROM {table} WHERE status = 'picked'"))).scalar_one()

    def kill_a_worker_and_start_another(self) -> None:
        self.processes[2].kill()
        self.processes[2].wait(timeout=10)
        self.start("worker", "--concurrency", "40")

    async def all_at_the_provider(self, expected: int, seconds: float) -> None:
        engine = self.database.engine()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            async with engine.connect() as conn:
                submitted = (await conn.execute(text(
                    "SELECT count(*) FROM video_jobs WHERE provider_job_id IS NOT NULL"))).scalar_one()
            if submitted >= expected:
                return
            await asyncio.sleep(0.2)
        raise AssertionError(f"only {submitted} of {expected} jobs submitted")

    async def all_ended(self, expected: int, seconds: float) -> dict[str, int]:
        """Wait until `expected` jobs have ended (one query a second); their statuses then."""
        engine = self.database.engine()
        deadline = time.monotonic() + seconds
        while True:
            async with engine.connect() as conn:
                rows = (await conn.execute(text("SELECT status, count(*) FROM video_jobs GROUP BY status"))).all()
            statuses = {status: count for status, count in rows}
            ended = sum(statuses.get(s, 0) for s in ("completed", "failed", "cancelled"))
            if ended >= expected or time.monotonic() > deadline:
                return statuses
            await asyncio.sleep(1)

    async def counts(self) -> dict[str, object]:
        engine = self.database.engine()
        async with engine.connect() as conn:
            async def scalar(sql: str):
                return (await conn.execute(text(sql))).scalar_one()

            return {"assets": await scalar("SELECT count(*) FROM content_assets"),
                    "asset_jobs": await scalar("SELECT count(DISTINCT job_id) FROM content_assets"),
                    "usage": await scalar("SELECT count(*) FROM api_usage_logs"),
                    "usage_jobs": await scalar("SELECT count(DISTINCT job_id) FROM api_usage_logs"),
                    "provider_ids": set((await conn.execute(text(
                        "SELECT provider_job_id FROM video_jobs"))).scalars())}


async def create(client: httpx.AsyncClient, api: str, user: str) -> httpx.Response:
    return await client.post(api + "/api/video/jobs", json=JOB | {"prompt": f"{JOB['prompt']} {uuid.uuid4()}"},
                             headers=bearer(user))


async def status(client: httpx.AsyncClient, api: str, task_id: str, user: str) -> dict:
    return (await client.get(f"{api}/api/video/jobs/{task_id}", headers=bearer(user))).json()


async def test_two_apis_and_workers_one_killed_complete_every_job_exactly_once(cluster, wavespeed_emulator):
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=40)) as client:
        await cluster.healthy(client)
        apis = cluster.apis
        created = await asyncio.gather(*(create(client, apis[i % 2], "alice") for i in range(JOBS)))
        assert [r.status_code for r in created] == [202] * JOBS
        greedy = await asyncio.gather(*(create(client, apis[i % 2], "carol") for i in range(GREEDY)))
        codes = sorted(r.status_code for r in greedy)
        assert codes == [202] * 10 + [429] * 20  # the basic plan: 10 videos a month, across both APIs
        tasks = [(r.json()["task_id"], "alice") for r in created]
        tasks += [(r.json()["task_id"], "carol") for r in greedy if r.status_code == 202]

        await cluster.all_at_the_provider(len(tasks), 60)  # none caught mid-submission: those wait for a person
        assert await cluster.workers_holding_jobs() == 2  # so the one killed holds some
        cluster.kill_a_worker_and_start_another()  # while the tasks still render at the provider

        assert await cluster.all_ended(len(tasks), 90) == {"completed": len(tasks)}
        done = await asyncio.gather(*(status(client, apis[i % 2], task, user) for i, (task, user) in enumerate(tasks)))
        assert [d["status"] for d in done] == ["completed"] * len(tasks)
        counts = await cluster.counts()
        assert wavespeed_emulator.submission_count == len(tasks)
        assert counts["provider_ids"] == set(wavespeed_emulator.tasks)  # one task per job, each a job's
        assert (counts["assets"], counts["asset_jobs"], counts["usage"], counts["usage_jobs"]) == (len(tasks),) * 4

        downloads = await asyncio.gather(*(
            client.get(api + done[i]["result"]["video_url"], headers=bearer(user) | {"Range": "bytes=0-9"},
                       follow_redirects=True)
            for i, (_, user) in enumerate(tasks) for api in apis))
        assert {(d.status_code, len(d.content)) for d in downloads} == {(206, 10)}
        assert {(d.history[0].status_code, d.url.host) for d in downloads} == {(307, "localhost")}  # from the bucket
        assert {d.url.port for d in downloads} == {urlsplit(cluster.env["VIDEOFORGE_S3_ENDPOINT"]).port}
