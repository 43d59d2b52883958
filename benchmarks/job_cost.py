"""What one job costs videoforge, in figures a busy machine does not move much: jobs run one
after another in this process, through the container, the real WaveSpeed adapter against its
emulator (own process, real H.264 MP4s), the real probe and poster frame, FileSystemStorage,
and jobs/quota/usage on the memory backend, SQLite and (with VIDEOFORGE_TEST_POSTGRES_URL)
PostgreSQL. Per job (medians after a warm-up):

- CPU milliseconds of this process (every thread: the event loop, storage, probe, aiosqlite),
  in all and per stage (the stages are timed by wrapping the use case's steps);
- thread hops: results handed back to the event loop from another thread
  (`loop.call_soon_threadsafe`: `asyncio.to_thread`, aiosqlite's answers);
- SQL transactions and statements (SQLAlchemy events);
- wall milliseconds, for reference only (on a shared machine it is the figure that moves).

The same task is polled once and done (the sequential table of benchmarks/compare.py), so the
provider's own time is nil and what remains is the client's.

    .venv/bin/python -m benchmarks.job_cost [--jobs 40] [--backends memory sqlite postgresql]

Writes benchmarks/results/job_cost.md."""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import statistics
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import event

from benchmarks.contenders import bare_httpx
from benchmarks.contenders.common import API_KEY, MODEL
from benchmarks.support import ROOT, emulator_process

RESULTS = ROOT / "benchmarks" / "results" / "job_cost.md"
WARM_UP = 5


class Meter:
    """Per job: CPU and wall of each stage, thread hops, SQL transactions and statements."""

    def __init__(self) -> None:
        self.stages: dict[str, list[tuple[float, float]]] = defaultdict(list)
        self.hops = 0
        self.transactions = 0
        self.statements = 0
        self.jobs: list[dict[str, float]] = []

    def wrap(self, owner: type, name: str, label: str) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        async def timed(*args, **kwargs):
            cpu, wall = time.process_time(), time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                self.stages[label].append((time.process_time() - cpu, time.perf_counter() - wall))

        setattr(owner, name, timed)

    def count_hops(self, loop: asyncio.AbstractEventLoop) -> None:
        original = loop.call_soon_threadsafe

        def counted(*args, **kwargs):
            self.hops += 1
            return original(*args, **kwargs)

        loop.call_soon_threadsafe = counted  # type: ignore[method-assign]

    def count_sql(self, engine) -> None:
        @event.listens_for(engine.sync_engine, "begin")
        def _begin(_conn) -> None:
            self.transactions += 1

        @event.listens_for(engine.sync_engine, "before_cursor_execute")
        def _statement(_conn, _cursor, statement, *_args) -> None:
            if not statement.startswith("BEGIN"):
                self.statements += 1

    async def job(self, run) -> None:
        hops, transactions, statements = self.hops, self.transactions, self.statements
        cpu, wall = time.process_time(), time.perf_counter()
        await run()
        self.jobs.append({"cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall,
                          "hops": self.hops - hops, "transactions": self.transactions - transactions,
                          "statements": self.statements - statements})

    def summary(self) -> dict:
        jobs = self.jobs[WARM_UP:]
        per_job = {key: statistics.median(j[key] for j in jobs) for key in jobs[0]}
        stages = {}
        for label, values in sorted(self.stages.items()):
            kept = values[WARM_UP * len(values) // len(self.jobs):]
            stages[label] = (statistics.median(c for c, _ in kept) * 1000, statistics.median(w for _, w in kept) * 1000)
        return {"per_job": per_job, "stages": stages}


def instrument(meter: Meter) -> None:
    from videoforge.application.use_cases import submit
    from videoforge.application.use_cases.run import deliver, follow
    from videoforge.application.use_cases.run import submit as run_submit

    meter.wrap(submit.SubmitVideo, "__call__", "accept: plan, price, reserve, record")
    meter.wrap(run_submit.SubmitJob, "__call__", "submit to the provider")
    meter.wrap(follow.FollowTask, "__call__", "follow (poll)")
    meter.wrap(deliver.KeepOutput, "_save", "download into storage")
    meter.wrap(deliver.KeepOutput, "_inspect", "probe + poster frame")
    meter.wrap(deliver.KeepOutput, "_thumbnail", "store the poster")
    meter.wrap(deliver.DeliverOutput, "__call__", "deliver (all of the above three + the SQL)")


def environment(url: str, data: Path, backend: str, database_url: str | None) -> dict[str, str]:
    env = {"WAVESPEED_API_KEY": API_KEY, "VIDEOFORGE_WAVESPEED_BASE_URL": url,
           "VIDEOFORGE_ALLOW_PRIVATE_URLS": "true", "VIDEOFORGE_FAKE_PROVIDERS": "false",
           "VIDEOFORGE_STORAGE": "filesystem", "VIDEOFORGE_DATA_DIR": str(data),
           "VIDEOFORGE_POLL_INTERVAL": "0.001", "VIDEOFORGE_DEFAULT_PLAN": "enterprise",
           "VIDEOFORGE_BACKEND": "memory" if backend == "memory" else "sql"}
    if database_url:
        env["VIDEOFORGE_DATABASE_URL"] = database_url
    return env


async def videoforge_jobs(url: str, backend: str, jobs: int, database_url: str | None) -> dict:
    from videoforge.bootstrap import Settings, open_container
    from videoforge.domain import OperationType, VideoRequest

    meter = Meter()
    instrument(meter)
    meter.count_hops(asyncio.get_running_loop())
    with tempfile.TemporaryDirectory(prefix="videoforge-job-cost-") as data:
        os.environ.update(environment(url, Path(data), backend, database_url))
        async with open_container(Settings()) as container:
            if backend != "memory":
                meter.count_sql(container.sql_engine())
            generate = container.generate_video()
            for i in range(jobs + WARM_UP):
                request = VideoRequest(operation=OperationType.TEXT_TO_VIDEO, user_id=f"user-{i % 50}",
                                       prompt="a lighthouse", model=MODEL, duration=5, resolution="720p")
                await meter.job(lambda request=request: generate(request))
    return meter.summary()


async def bare_jobs(url: str, jobs: int) -> dict:
    meter = Meter()
    meter.count_hops(asyncio.get_running_loop())
    with tempfile.TemporaryDirectory(prefix="videoforge-job-cost-") as data:
        async with httpx.AsyncClient() as client:
            for i in range(jobs + WARM_UP):
                await meter.job(lambda i=i: bare_httpx.one(client, url, 0.001, Path(data) / f"{i}.mp4"))
    return meter.summary()


def postgres(server: str | None):
    """A database of its own for the run (created and migrated; dropped after), or None."""
    if not server:
        return None
    from benchmarks.bench_pipeline_sql import postgres_database as admin
    from videoforge.adapters.sql.migrate import upgrade_async
    from videoforge.bootstrap import Settings

    name = f"vf_job_cost_{uuid.uuid4().hex[:10]}"
    asyncio.run(admin(server, f'CREATE DATABASE "{name}"'))
    url = server.rsplit("/", 1)[0] + "/" + name
    asyncio.run(upgrade_async(url, schema=Settings().db_schema))
    return name, url, functools.partial(asyncio.run, admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def measure(args: argparse.Namespace) -> dict:
    figures = {"load": [os.getloadavg()[0]], "runs": {}}
    with emulator_process("--polls", "1", "--real-media") as url:
        figures["runs"]["bare httpx"] = asyncio.run(bare_jobs(url, args.jobs))
        figures["load"].append(os.getloadavg()[0])
        for backend in args.backends:
            database = None
            if backend == "postgresql":
                database = postgres(os.environ.get("VIDEOFORGE_TEST_POSTGRES_URL"))
                if database is None:
                    continue
            elif backend == "sqlite":
                database = (None, f"sqlite+aiosqlite:///{tempfile.mkdtemp(prefix='videoforge-job-cost-')}/vf.db",
                            lambda: None)
            try:
                figures["runs"][f"videoforge, {backend}"] = asyncio.run(
                    videoforge_jobs(url, backend, args.jobs, database[1] if database else None))
            finally:
                if database:
                    database[2]()
            figures["load"].append(os.getloadavg()[0])
    return figures


def report(figures: dict, args: argparse.Namespace) -> str:
    runs = figures["runs"]
    bare = runs["bare httpx"]["per_job"]
    loads = ", ".join(f"{x:.1f}" for x in figures["load"])
    lines = [
        "# What one job costs (benchmarks/job_cost.py)", "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {args.jobs} jobs one after another per contender "
        f"(after {WARM_UP} warm-up jobs), each task done at its first read; {os.cpu_count()} CPUs; load average "
        f"(1 min) at the start and after each contender: {loads}. Medians per job.", "",
        "| contender | CPU (ms) | CPU above bare httpx (ms) | thread hops | SQL transactions | SQL statements "
        "| wall (ms, load-dependent) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, run in runs.items():
        job = run["per_job"]
        lines.append(f"| {name} | {job['cpu'] * 1000:.1f} | {(job['cpu'] - bare['cpu']) * 1000:.1f} | "
                     f"{job['hops']:.0f} | {job['transactions']:.0f} | {job['statements']:.0f} | "
                     f"{job['wall'] * 1000:.1f} |")
    lines += ["", "CPU and wall (ms) per stage, medians:", "",
              "| stage | " + " | ".join(n for n in runs if n != "bare httpx") + " |",
              "|---|" + "---:|" * (len(runs) - 1)]
    labels = next(iter(r["stages"] for n, r in runs.items() if n != "bare httpx"), {})
    for label in labels:
        cells = [f"{r['stages'][label][0]:.2f} / {r['stages'][label][1]:.2f}" for n, r in runs.items()
                 if n != "bare httpx"]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=40)
    parser.add_argument("--backends", nargs="*", default=["memory", "sqlite", "postgresql"])
    arguments = parser.parse_args()
    measured = measure(arguments)
    text = report(measured, arguments)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    print(text)
