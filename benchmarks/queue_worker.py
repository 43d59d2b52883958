"""Queue worker benchmarks on the PostgreSQL server of VIDEOFORGE_TEST_POSTGRES_URL (a schema of
their own, dropped after; without the variable nothing is measured, as in the other benchmarks):

(a) worker death: a worker holding a job is killed with SIGKILL; the time until another worker,
    with the shipped settings (heartbeat timeout 10 s, poll interval 2 s), starts the job again;
(b) one `videoforge worker` process holding 1000 concurrent jobs against the WaveSpeed emulator
    (tasks take 20 s, real MP4 outputs, PyAV probe, files on disk): wall time and peak RSS.

    .venv/bin/python -m benchmarks.queue_worker [--jobs 1000] [--deaths 3]

Writes benchmarks/results/queue_worker.md, with the machine's load average (1 min) before and
after each part: on a shared machine the figures mean little without it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import text

from benchmarks.support import ROOT, emulator_process
from videoforge.adapters.pgqueuer import PgQueuerDispatcher, WorkerSettings, install_queue
from videoforge.adapters.sql import make_engine

RESULTS = Path(__file__).resolve().parent / "results" / "queue_worker.md"
URL = os.environ.get("VIDEOFORGE_TEST_POSTGRES_URL", "")
SLEEPER = """
import asyncio, sys, time
from videoforge.adapters.pgqueuer import PgQueuerWorker
async def run(job_id):
    print(f"start {time.time():.3f}", flush=True)
    await asyncio.sleep(3600)
asyncio.run(PgQueuerWorker(sys.argv[1], sys.argv[2], run).run())
"""


async def schema() -> str:
    name = f"vf_bench_{uuid.uuid4().hex[:8]}"
    engine = make_engine(URL)
    async with engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{name}"'))
    await engine.dispose()
    return name


async def drop(name: str) -> None:
    engine = make_engine(URL)
    async with engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
    await engine.dispose()


def sleeper(name: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", SLEEPER, URL, name], cwd=ROOT, stdout=subprocess.PIPE, text=True)


async def one_death() -> float:
    name = await schema()
    await install_queue(URL, name)
    dispatcher = PgQueuerDispatcher(URL, name)
    first = sleeper(name)
    try:
        await dispatcher.dispatch("job-1")
        await asyncio.to_thread(first.stdout.readline)  # the first worker runs it
        second = sleeper(name)
        await asyncio.sleep(3)  # the second is up and idle
        first.kill()
        killed = time.time()
        line = await asyncio.to_thread(second.stdout.readline)
        second.kill()
        return float(line.split()[1]) - killed
    finally:
        first.kill()
        await dispatcher.close()
        await drop(name)


def env_for(name: str, emulator: str, data: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("VIDEOFORGE_", "WAVESPEED_"))}
    return keep | {"VIDEOFORGE_DATABASE_URL": URL, "VIDEOFORGE_DB_SCHEMA": name, "VIDEOFORGE_QUEUE": "pgqueuer",
                   "WAVESPEED_API_KEY": "ws-emulator-key", "VIDEOFORGE_WAVESPEED_BASE_URL": emulator,
                   "VIDEOFORGE_ALLOW_PRIVATE_URLS": "true", "VIDEOFORGE_DEFAULT_PLAN": "enterprise",
                   "VIDEOFORGE_DATA_DIR": data, "VIDEOFORGE_DB_POOL_SIZE": "5", "VIDEOFORGE_DB_MAX_OVERFLOW": "5"}


async def submit(jobs: int, env: dict[str, str]) -> None:
    from videoforge.bootstrap import Settings, build_container, open_container
    from videoforge.domain import VideoRequest

    os.environ.update(env)
    container = build_container(Settings())
    dispatcher = PgQueuerDispatcher(URL, env["VIDEOFORGE_DB_SCHEMA"])
    async with open_container(container=container):
        for i in range(jobs):
            job = await container.submit_video()(VideoRequest(
                operation="text-to-video", user_id=f"user-{i % 50}", prompt=f"a lighthouse {i}",
                model="wavespeed-ai/hunyuan-video-1.5/text-to-video", duration=5, resolution="480p"))
            await dispatcher.dispatch(job.id)
    await dispatcher.close()


async def completed(name: str) -> int:
    engine = make_engine(URL, schema=name)
    async with engine.connect() as conn:
        done = (await conn.execute(text("SELECT count(*) FROM video_jobs WHERE status = 'completed'"))).scalar_one()
    await engine.dispose()
    return done


def peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


async def one_worker(jobs: int) -> dict:
    from videoforge.adapters.sql.migrate import upgrade

    name = await schema()
    try:
        await asyncio.to_thread(upgrade, URL, "head", schema=name)
        await install_queue(URL, name)
        with emulator_process("--after", "20", "--real-media") as emulator, tempfile.TemporaryDirectory() as data:
            env = env_for(name, emulator, data)
            await submit(jobs, env)
            started = time.perf_counter()
            worker = subprocess.Popen([sys.executable, "-m", "videoforge.bootstrap.cli", "worker", "--concurrency",  # noqa: ASYNC220
                                       str(jobs)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
            peak = done = 0
            try:
                while (done := await completed(name)) < jobs and time.perf_counter() - started < 600:
                    peak = max(peak, peak_kib(worker.pid))
                    await asyncio.sleep(1)
                peak = max(peak, peak_kib(worker.pid))
            finally:
                worker.terminate()
                worker.wait(timeout=60)
            return {"jobs": jobs, "completed": done, "seconds": time.perf_counter() - started,
                    "peak_mib": peak / 1024}
    finally:
        await drop(name)


def load() -> float:
    return os.getloadavg()[0]


def report(deaths: list[float], held: dict, loads: dict[str, tuple[float, float]]) -> str:
    shipped = WorkerSettings()
    measured = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return "\n".join([
        "# Queue worker benchmarks",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL on "
        f"loopback, shared with other work; measured {measured}. Reproduce: `make bench` or "
        "`.venv/bin/python -m benchmarks.queue_worker`.",
        "",
        f"## (a) Worker death: kill -9 to another worker starting the job (shipped settings: heartbeat timeout "
        f"{shipped.heartbeat_timeout:g} s, poll interval {shipped.poll_interval:g} s)",
        "",
        "| runs | min | median | max | target | load average (1 min) before / after |",
        "|---|---|---|---|---|---|",
        f"| {len(deaths)} | {min(deaths):.1f} s | {statistics.median(deaths):.1f} s | {max(deaths):.1f} s | < 15 s | "
        f"{loads['deaths'][0]:.1f} / {loads['deaths'][1]:.1f} |",
        "",
        "## (b) One worker process holding many concurrent jobs",
        "",
        "| jobs | completed | wall time (worker start to last completed) | worker peak RSS | load average (1 min) "
        "before / after |",
        "|---|---|---|---|---|",
        f"| {held['jobs']} | {held['completed']} | {held['seconds']:.1f} s (each task takes 20 s at the provider) | "
        f"{held['peak_mib']:.0f} MiB | {loads['held'][0]:.1f} / {loads['held'][1]:.1f} |",
        "",
    ])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--deaths", type=int, default=3)
    args = parser.parse_args()
    if not URL:
        print("queue worker benchmarks: not measured, VIDEOFORGE_TEST_POSTGRES_URL is not set")
        return
    before = load()
    deaths = [asyncio.run(one_death()) for _ in range(args.deaths)]
    loads = {"deaths": (before, load())}
    print("deaths", deaths, flush=True)
    before = load()
    held = asyncio.run(one_worker(args.jobs))
    loads["held"] = (before, load())
    RESULTS.write_text(report(deaths, held, loads))
    print(RESULTS.read_text())


if __name__ == "__main__":
    main()
