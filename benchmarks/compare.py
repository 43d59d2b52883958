"""videoforge beside the official `wavespeed` SDK and a bare httpx loop, in one run, against one
WaveSpeed emulator serving real MP4 outputs (so videoforge runs its real probe and poster frame):

(a) N jobs at once (default 500), tasks that take 3 s, polled every 1 s: wall time, CPU seconds
    and peak RSS of each contender's process, failures;
(b) M jobs one after another (default 300), each task done at its first read: p50 per job, and
    the overhead above the bare httpx loop;
(c) start-up of `videoforge --help` and `videoforge models --json` (benchmarks/startup.py);
(d) what one job costs in figures a busy machine moves less: CPU, thread hops and SQL per job
    (benchmarks/job_cost.py, run once after the rounds).

Every figure is reported beside the machine's load average (1 min) when it was taken, and as a
ratio to its yardstick: the SDK with 500 threads (a), the bare httpx loop (b), the target (c).

Each contender runs in a process of its own (benchmarks/contenders/), several rounds, medians
reported. The SDK runs in a virtual environment this script creates (benchmarks/.sdk-venv,
`wavespeed==2.0.5` from PyPI): it is never a dependency of the project. PostgreSQL runs when
VIDEOFORGE_TEST_POSTGRES_URL is set (a database created for the run, dropped after).

    .venv/bin/python -m benchmarks.compare [--rounds 3] [--jobs 500] [--sequential 300]

Writes benchmarks/results/compare.md and compare.json."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.support import ROOT, emulator_process

RESULTS = ROOT / "benchmarks" / "results"
SDK_VENV = ROOT / "benchmarks" / ".sdk-venv"
SDK_VERSION = "2.0.5"
# Done-when of issue 15: wall and CPU at most these times the SDK's with 500 threads (SQL backends),
# and the sequential overhead above the bare httpx loop under these milliseconds.
CONCURRENT_TARGETS = {"videoforge, sqlite": (1.2, 1.5), "videoforge, postgresql": (1.2, 1.5)}
SEQUENTIAL_TARGETS = {"videoforge, memory": 10.0, "videoforge, sqlite": 20.0, "videoforge, postgresql": 20.0}


def sdk_python() -> str:
    """The SDK's own virtual environment, created on first use."""
    python = SDK_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(SDK_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        f"wavespeed=={SDK_VERSION}"], check=True)
    return str(python)


def contenders(postgres_url: str | None, sdk: str, pools: list[int]) -> dict[str, tuple[list[str], list[str]]]:
    """name -> (command, options) of the concurrent runs."""
    vf = [sys.executable, "-m", "benchmarks.contenders.videoforge_run"]
    runs = {
        "wavespeed SDK, 500 threads": ([sdk, str(ROOT / "benchmarks/contenders/sdk.py")], ["threads=500"]),
        "wavespeed SDK, 100 threads": ([sdk, str(ROOT / "benchmarks/contenders/sdk.py")], ["threads=100"]),
        "bare httpx, pool 50": ([sys.executable, "-m", "benchmarks.contenders.bare_httpx"], ["pool=50"]),
    }
    backends = ["memory", "sqlite"] + (["postgresql"] if postgres_url else [])
    for backend in backends:
        extra = [f"backend={backend}"] + ([f"postgres_url={postgres_url}"] if backend == "postgresql" else [])
        runs[f"videoforge, {backend}"] = (vf, extra)
        for pool in pools:
            runs[f"videoforge, {backend}, provider pool {pool}"] = (
                vf, [*extra, f"videoforge_wavespeed_max_connections={pool}"])
    return runs


def run_one(command: list[str], options: list[str], url: str, mode: str, jobs: int, interval: float) -> dict:
    """One contender's run in a process of its own: its figures plus its CPU seconds and peak RSS."""
    with tempfile.TemporaryDirectory(prefix="videoforge-compare-") as scratch:
        out, result = Path(scratch) / "out", Path(scratch) / "result.json"
        out.mkdir()
        args = [*command, "--url", url, "--mode", mode, "--jobs", str(jobs), "--interval", str(interval),
                "--out", str(out), "--result", str(result), *(f"--option={o}" for o in options)]
        process = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0 or not result.exists():
            return {"error": f"exit code {process.returncode}"}
        figures = json.loads(result.read_text())
    return {**figures, "cpu": usage.ru_utime + usage.ru_stime}  # peak RSS: the contender's own VmHWM


@contextmanager
def postgres_database():
    """A database of its own on the server of VIDEOFORGE_TEST_POSTGRES_URL, migrated; None without it."""
    server = os.environ.get("VIDEOFORGE_TEST_POSTGRES_URL")
    if not server:
        yield None
        return
    from benchmarks.bench_pipeline_sql import postgres_database as admin
    from videoforge.adapters.sql.migrate import upgrade_async
    from videoforge.bootstrap import Settings

    name = f"vf_compare_{uuid.uuid4().hex[:10]}"
    asyncio.run(admin(server, f'CREATE DATABASE "{name}"'))
    url = server.rsplit("/", 1)[0] + "/" + name
    try:
        asyncio.run(upgrade_async(url, schema=Settings().db_schema))
        yield url
    finally:
        asyncio.run(admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def measure(args: argparse.Namespace) -> dict:
    sdk = sdk_python()
    figures: dict = {"concurrent": {}, "sequential": {}, "load": [os.getloadavg()[0]], "round_seconds": []}
    with postgres_database() as pg:
        runs = contenders(pg, sdk, args.pools)
        sequential = {name: run for name, run in runs.items() if "provider pool" not in name
                      and name.startswith(("videoforge", "bare httpx", "wavespeed SDK, 500"))}
        for round_number in range(args.rounds):
            round_started = time.perf_counter()
            with emulator_process("--after", "3", "--real-media") as url:
                for name, (command, options) in runs.items():
                    load = os.getloadavg()[0]
                    figures["concurrent"].setdefault(name, []).append(
                        {**run_one(command, options, url, "concurrent", args.jobs, 1.0), "load": load})
                    print(round_number, name, figures["concurrent"][name][-1], flush=True)
            with emulator_process("--polls", "1", "--real-media") as url:
                for name, (command, options) in sequential.items():
                    load = os.getloadavg()[0]
                    figures["sequential"].setdefault(name, []).append(
                        {**run_one(command, options, url, "sequential", args.sequential, 0.001), "load": load})
                    print(round_number, name, figures["sequential"][name][-1], flush=True)
            figures["load"].append(os.getloadavg()[0])
            figures["round_seconds"].append(time.perf_counter() - round_started)
    from benchmarks.startup import measure as startup

    figures["startup"] = startup(5)
    if args.job_cost:
        subprocess.run([sys.executable, "-m", "benchmarks.job_cost", "--jobs", "40"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        figures["job_cost"] = (RESULTS / "job_cost.md").read_text()
    return figures


def median(runs: list[dict], key: str) -> float | None:
    values = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(values) if values else None


def report(figures: dict, args: argparse.Namespace) -> str:
    concurrent, sequential = figures["concurrent"], figures["sequential"]
    sdk = concurrent.get("wavespeed SDK, 500 threads", [])
    sdk_wall, sdk_cpu = median(sdk, "wall"), median(sdk, "cpu")
    loads = ", ".join(f"{x:.1f}" for x in figures["load"])
    rounds = ", ".join(f"{s:.0f}" for s in figures.get("round_seconds", []))
    lines = [
        "# videoforge beside the official SDK and a bare httpx loop",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `benchmarks/compare.py --rounds {args.rounds} --jobs "
        f"{args.jobs} --sequential {args.sequential}` on {os.cpu_count()} CPUs, Python "
        f"{sys.version.split()[0]}, wavespeed SDK {SDK_VERSION}. Load average (1 min) at the start and after each "
        f"round: {loads} (each run's own in the tables); rounds took {rounds} s. Medians of {args.rounds} "
        "round(s); one emulator process serves everyone real H.264 MP4s (5 s, 1280x720).",
        "",
        f"## {args.jobs} jobs at once, 3 s tasks polled every 1 s",
        "",
        "| contender | wall (s) | CPU (s) | peak RSS (MiB) | failures | wall / SDK 500 | CPU / SDK 500 | target "
        "(wall, CPU / SDK 500) | load |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for name, runs in concurrent.items():
        wall, cpu, rss = median(runs, "wall"), median(runs, "cpu"), median(runs, "peak_rss_mib")
        failures = sum(r.get("failures", 0) for r in runs) + sum(1 for r in runs if "error" in r)
        ratios = (wall / sdk_wall, cpu / sdk_cpu) if wall and sdk_wall and cpu and sdk_cpu else None
        ratio = f"{ratios[0]:.2f} | {ratios[1]:.2f}" if ratios else "- | -"
        target = CONCURRENT_TARGETS.get(name)
        verdict = "" if target is None or ratios is None else (
            f"<= {target[0]}, <= {target[1]}: " + ("met" if ratios[0] <= target[0] and ratios[1] <= target[1]
                                                    and failures == 0 else "not met"))
        lines.append(f"| {name} | {_f(wall)} | {_f(cpu)} | {_f(rss, 0)} | {failures} | {ratio} | {verdict} | "
                     f"{_loads(runs)} |")
    base = median(sequential.get("bare httpx, pool 50", []), "p50_ms")
    lines += ["", f"## {args.sequential} jobs one after another, each task done at its first read", "",
              "| contender | p50 per job (ms) | p50 / bare httpx | overhead above bare httpx (ms) | target | CPU (s) "
              "| load |", "|---|---:|---:|---:|---|---:|---|"]
    for name, runs in sequential.items():
        p50 = median(runs, "p50_ms")
        known = p50 is not None and base
        over = p50 - base if known else None
        target = SEQUENTIAL_TARGETS.get(name)
        verdict = "" if target is None or over is None else f"< {target:.0f}: {'met' if over < target else 'not met'}"
        lines.append(f"| {name} | {_f(p50, 1)} | {f'{p50 / base:.2f}' if known else '-'} | {_f(over, 1)} | "
                     f"{verdict} | {_f(median(runs, 'cpu'))} | {_loads(runs)} |")
    start = figures["startup"]
    from benchmarks.startup import TARGETS

    lines += ["", f"## Start-up (median of {start['runs']}; load {start['load_before']:.1f} before, "
              f"{start['load_after']:.1f} after)", "",
              "| command | wall (s) | CPU (s) | target (wall) | wall / target |", "|---|---:|---:|---:|---:|"]
    lines += [f"| `{name}` | {wall:.2f} | {start['cpu'][name]:.2f} | < {TARGETS[name]} | {wall / TARGETS[name]:.2f} |"
              for name, wall in start["median"].items()]
    if figures.get("job_cost"):
        lines += ["", "## " + figures["job_cost"].lstrip("# ")]
    return "\n".join(lines) + "\n"


def _loads(runs: list[dict]) -> str:
    return ", ".join(f"{r['load']:.1f}" for r in runs if "load" in r)


def _f(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=500)
    parser.add_argument("--sequential", type=int, default=300)
    parser.add_argument("--pools", type=int, nargs="*", default=[],
                        help="also videoforge with these provider pools (VIDEOFORGE_WAVESPEED_MAX_CONNECTIONS)")
    parser.add_argument("--no-job-cost", dest="job_cost", action="store_false",
                        help="skip benchmarks/job_cost.py (CPU, thread hops and SQL per job) after the rounds")
    arguments = parser.parse_args()
    started = time.perf_counter()
    measured = measure(arguments)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "compare.json").write_text(json.dumps(measured, indent=1))
    text = report(measured, arguments)
    (RESULTS / "compare.md").write_text(text)
    print(text, f"({time.perf_counter() - started:.0f} s)")
