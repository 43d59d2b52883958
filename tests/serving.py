"""A real `videoforge serve` process on loopback for the end-to-end tests: started on a free port,
waited for until /health answers, stopped afterwards with its output kept."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    base: str
    process: subprocess.Popen
    output: str = ""  # everything the process printed, once it has stopped


@contextmanager
def serve_process(env: dict[str, str], *, start_seconds: float = 30) -> Iterator[Served]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "videoforge.bootstrap.cli", "serve", "--port", str(port)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    served = Served(f"http://127.0.0.1:{port}", process)
    # Read the output as it comes: a pipe nobody reads fills up (64 KiB of access log lines) and
    # then blocks the server in its next log call, a hang no test should mistake for the API's.
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True)
    reader.start()
    try:
        _wait_healthy(served, start_seconds, lines)
        yield served
    finally:
        process.terminate()
        process.wait(timeout=30)
        reader.join(timeout=10)
        served.output = "".join(lines)


def _wait_healthy(served: Served, seconds: float, lines: list[str]) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and served.process.poll() is None:
        try:
            if httpx.get(served.base + "/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    time.sleep(0.2)  # the reader takes the last lines of a process that stopped
    raise AssertionError("videoforge serve did not start: " + "".join(lines))
