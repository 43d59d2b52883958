"""The pipeline's own overhead per job, by backend: GenerateVideo through the container with
the fake provider (one poll), the fake probe, in-memory files and a fake clock, so that what is
measured is validation, pricing, quota, the job's saves, the asset, usage and settling.

    .venv/bin/python benchmarks/bench_pipeline_sql.py [--jobs 300] [--concurrency 16]

Runs the in-memory backend (the baseline), SQLite (a file in a temporary directory) and, when
VIDEOFORGE_TEST_POSTGRES_URL is set, PostgreSQL (a database created for the run and dropped
after). Writes benchmarks/results/pipeline_sql.md."""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy
from dependency_injector import providers
from sqlalchemy import text

from videoforge.adapters.fakes import FakeClock, FakeVideoProvider, Outcome
from videoforge.adapters.sql import make_engine
from videoforge.adapters.sql.migrate import upgrade_async
from videoforge.bootstrap import Settings, build_container, open_container
from videoforge.domain import OperationType, VideoRequest

RESULTS = Path(__file__).parent / "results" / "pipeline_sql.md"


@dataclass
class Result:
    backend: str
    jobs: int
    seconds: float
    latencies: list[float]
    concurrent_jobs: int
    concurrent_seconds: float

    @property
    def rate(self) -> float:
        return self.jobs / self.seconds

    @property
    def concurrent_rate(self) -> float:
        return self.concurrent_jobs / self.concurrent_seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


def request(i: int) -> VideoRequest:
    return VideoRequest(operation=OperationType.TEXT_TO_VIDEO, user_id=f"bench-{i % 50}", prompt="a lighthouse",
                        duration=5, resolution="720p", source_module="cli")


async def run(backend: str, url: str | None, data_dir: Path, jobs: int, concurrency: int) -> Result:
    settings = Settings(backend="sql" if url else "memory", data_dir=data_dir, database_url=url,
                        fake_providers=True, default_provider="wavespeed", default_plan="enterprise")
    container = build_container(settings)
    container.video_providers.override(providers.Object({"wavespeed": FakeVideoProvider(Outcome.succeed())}))
    container.clock.override(providers.Object(FakeClock()))
    async with open_container(container=container):
        generate = container.generate_video()
        for i in range(10):  # warm up: connections, the embedded schema, caches
            await generate(request(i))
        latencies = []
        started = time.perf_counter()
        for i in range(jobs):
            t = time.perf_counter()
            await generate(request(i))
            latencies.append(time.perf_counter() - t)
        seconds = time.perf_counter() - started

        gate = asyncio.Semaphore(concurrency)

        async def one(i: int) -> None:
            async with gate:
                await generate(request(i))

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(jobs)))
        concurrent_seconds = time.perf_counter() - started
    return Result(backend, jobs, seconds, latencies, jobs, concurrent_seconds)


async def postgres_database(server: str, statement: str) -> None:
    engine = make_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def postgres_version(url: str) -> str:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return str(await conn.scalar(text("SHOW server_version")))
    finally:
        await engine.dispose()


async def main(jobs: int, concurrency: int) -> list[Result]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        results.append(await run("memory", None, tmp / "memory", jobs, concurrency))
        results.append(await run("sqlite", f"sqlite+aiosqlite:///{tmp / 'sqlite' / 'videoforge.db'}", tmp / "sqlite",
                                 jobs, concurrency))
        server = os.environ.get("VIDEOFORGE_TEST_POSTGRES_URL")
        if server:
            name = f"vf_bench_{uuid.uuid4().hex[:10]}"
            await postgres_database(server, f'CREATE DATABASE "{name}"')
            url = server.rsplit("/", 1)[0] + "/" + name
            try:
                await upgrade_async(url, schema=Settings().db_schema)  # where the service looks
                results.append(await run("postgresql", url, tmp / "pg", jobs, concurrency))
                results[-1].backend = f"postgresql {await postgres_version(url)}"
            finally:
                await postgres_database(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return results


def report(results: list[Result], jobs: int, concurrency: int) -> str:
    baseline = results[0]
    lines = [
        "# Pipeline overhead per job, by persistence backend",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `benchmarks/bench_pipeline_sql.py --jobs {jobs} "
        f"--concurrency {concurrency}` on {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}; load average at the end "
        f"{os.getloadavg()[0]:.2f} (other work on a shared machine moves these figures by tens of percent).",
        "",
        "One `GenerateVideo` call through the container per job: validate, price, reserve quota, record the job, "
        "submit (fake provider, one poll), save the output (in memory), probe (fake), add the asset, record usage, "
        "settle. The fake clock makes polling free, so the figures are the pipeline's own cost; a real provider "
        "adds minutes. Sequential: one job after another (latency per job). Concurrent: "
        f"{concurrency} jobs in flight at once on one event loop (throughput).",
        "",
        "| backend | sequential jobs/s | p50 ms/job | p99 ms/job | x memory (p50) | concurrent jobs/s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(f"| {r.backend} | {r.rate:.0f} | {r.percentile(50):.2f} | {r.percentile(99):.2f} | "
                     f"{r.percentile(50) / baseline.percentile(50):.1f} | {r.concurrent_rate:.0f} |")
    if not any(r.backend.startswith("postgresql") for r in results):
        lines += ["", "PostgreSQL was not measured: VIDEOFORGE_TEST_POSTGRES_URL was not set."]
    lines += ["", "SQLite writes are serialised (BEGIN IMMEDIATE), so its concurrent figure is bounded by one "
              "writer; PostgreSQL runs transactions of different users in parallel.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    measured = asyncio.run(main(args.jobs, args.concurrency))
    text_report = report(measured, args.jobs, args.concurrency)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text_report)
    print(text_report)
