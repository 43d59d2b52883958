"""Helpers of the benchmarks: a streaming file storage and the emulator in its own process."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterable, AsyncIterator, Iterator
from pathlib import Path

from videoforge.application.ports.storage import ObjectNotFoundError, Storage
from videoforge.domain.records import StoredObject

ROOT = Path(__file__).resolve().parent.parent


class SpoolStorage(Storage):
    """Files under a temporary directory, written chunk by chunk (what a file-system storage
    does; this one is only for measuring, the real one is another issue's)."""

    def __init__(self, root: Path):
        self.root = root
        self._meta: dict[str, StoredObject] = {}

    async def save(self, key: str, chunks: AsyncIterable[bytes], content_type: str) -> StoredObject:
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        with open(path, "wb") as handle:  # noqa: ASYNC230 (a benchmark helper: local disk writes)
            async for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                handle.write(chunk)
        stored = StoredObject(key, size, digest.hexdigest(), content_type)
        self._meta[key] = stored
        return stored

    async def open(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        if key not in self._meta:
            raise ObjectNotFoundError(key)
        with open(self.root / key, "rb") as handle:  # noqa: ASYNC230
            handle.seek(start)
            remaining = (end - start) if end is not None else None
            while remaining is None or remaining > 0:
                chunk = handle.read(1024 * 1024 if remaining is None else min(remaining, 1024 * 1024))
                if not chunk:
                    return
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk
                await asyncio.sleep(0)

    async def stat(self, key: str) -> StoredObject:
        if key not in self._meta:
            raise ObjectNotFoundError(key)
        return self._meta[key]

    async def delete(self, key: str) -> None:
        self._meta.pop(key, None)
        with contextlib.suppress(FileNotFoundError):
            (self.root / key).unlink()

    async def url(self, key: str) -> str:
        return str(self.root / key)


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
