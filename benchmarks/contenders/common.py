"""What every contender shares: its arguments, the request it makes, where it writes its figures.
Standard library only: the SDK's virtual environment runs it too."""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

MODEL = "wavespeed-ai/hunyuan-video-1.5/text-to-video"
PAYLOAD = {"prompt": "a lighthouse at dawn", "duration": 5, "resolution": "720p"}
API_KEY = "ws-emulator-key"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True, help="the emulator")
    parser.add_argument("--mode", choices=["concurrent", "sequential"], required=True)
    parser.add_argument("--jobs", type=int, required=True)
    parser.add_argument("--interval", type=float, required=True, help="seconds between polls")
    parser.add_argument("--out", type=Path, required=True, help="a directory for the videos")
    parser.add_argument("--result", type=Path, required=True, help="the JSON figures")
    parser.add_argument("--option", action="append", default=[], help="name=value, contender-specific")
    return parser.parse_args()


def options(args: argparse.Namespace) -> dict[str, str]:
    return dict(item.split("=", 1) for item in args.option)


def peak_rss_mib() -> float:
    """VmHWM of this process. (The rusage of a child counts the parent's pages it was forked
    with, so the parent cannot measure it.)"""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def write(args: argparse.Namespace, wall: float, failures: list[str], latencies: list[float]) -> None:
    args.result.write_text(json.dumps({
        "wall": wall, "jobs": args.jobs, "failures": len(failures), "first_failures": failures[:3],
        "p50_ms": statistics.median(latencies) * 1000 if latencies else None, "peak_rss_mib": peak_rss_mib(),
    }))
