"""Start-up time of the console script: `videoforge --help` and `videoforge models --json`, wall
time of the whole process, median of N runs, with the machine's load average beside it.

    .venv/bin/python -m benchmarks.startup [--runs 5]

Writes benchmarks/results/startup.md (and returns the figures to benchmarks.compare)."""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "startup.md"
SCRIPT = Path(sys.executable).parent / "videoforge"
COMMANDS = {"videoforge --help": ["--help"], "videoforge models --json": ["models", "--json"]}
TARGETS = {"videoforge --help": 0.4, "videoforge models --json": 0.6}


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and CPU seconds (user + system) of one run of the console script."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([str(SCRIPT), *args], env=env, stdout=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def measure(runs: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="videoforge-startup-") as data:
        env = {**os.environ, "VIDEOFORGE_DATA_DIR": data}
        timed(["--help"], env)  # the first run compiles bytecode; not counted
        load_before = os.getloadavg()[0]
        figures = {name: [timed(args, env) for _ in range(runs)] for name, args in COMMANDS.items()}
    return {"runs": runs, "load_before": load_before, "load_after": os.getloadavg()[0],
            "median": {name: statistics.median(t[0] for t in times) for name, times in figures.items()},
            "cpu": {name: statistics.median(t[1] for t in times) for name, times in figures.items()},
            "all": {name: [t[0] for t in times] for name, times in figures.items()}}


def report(result: dict) -> str:
    lines = [
        "# Start-up time of the console script",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `benchmarks/startup.py --runs {result['runs']}` on "
        f"{os.cpu_count()} CPUs; load average (1 min) {result['load_before']:.2f} before, "
        f"{result['load_after']:.2f} after. Wall time of the whole process, default settings (an embedded "
        "SQLite file that `models` never opens). CPU = user + system seconds of the process, which a busy "
        "machine inflates less than wall time.",
        "",
        "| command | median wall (s) | median CPU (s) | all runs, wall (s) | target, wall (s) |",
        "|---|---:|---:|---|---:|",
    ]
    for name, median in result["median"].items():
        runs = ", ".join(f"{t:.2f}" for t in result["all"][name])
        lines.append(f"| `{name}` | {median:.2f} | {result['cpu'][name]:.2f} | {runs} | < {TARGETS[name]} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    measured = measure(parser.parse_args().runs)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report(measured))
    print(report(measured))
