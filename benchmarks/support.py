"""Helpers of the benchmarks: a streaming file storage and the emulator in its own process."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def emulator_process(*args: str) -> Iterator[str]:
    """The WaveSpeed emulator in a process of its own; yields its URL."""
    process = subprocess.Popen([sys.executable, "-m", "tests.emulators.wavespeed", *args], cwd=ROOT,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        url = process.stdout.readline().strip()
        if not url.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"the emulator did not start: {url!r}")
        yield url
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def rss_kib(field: str) -> int:
    """VmRSS (now) or VmHWM (peak) of this process, in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def environment(url: str, api_key: str = "ws-emulator-key", **extra: str) -> dict[str, str]:
    """The real WaveSpeed adapter against the emulator; jobs, quota and usage in memory, so that
    what is measured is the adapter and the pipeline, not a database."""
    return {**os.environ, "WAVESPEED_API_KEY": api_key, "VIDEOFORGE_WAVESPEED_BASE_URL": url,
            "VIDEOFORGE_ALLOW_PRIVATE_URLS": "true", "VIDEOFORGE_FAKE_PROVIDERS": "false",
            "VIDEOFORGE_BACKEND": "memory", "VIDEOFORGE_STORAGE": "memory", **extra}


def scratch_dir() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="videoforge-bench-")
