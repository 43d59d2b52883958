"""A real S3-compatible server on loopback for the tests and benchmarks: moto's server mode
(`moto[server]`, a dev dependency) in a process of its own, on a free port."""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
import time

import httpx

REGION = "us-east-1"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "videoforge-test", "AWS_SECRET_ACCESS_KEY": "videoforge-test-secret",
               "AWS_REGION": REGION}


def moto_available() -> bool:
    return importlib.util.find_spec("moto") is not None and importlib.util.find_spec("flask") is not None


class S3Server:
    """`with S3Server() as s3:` starts the server; `s3.endpoint`, `s3.create_bucket(name)`."""

    def __init__(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen | None = None

    def __enter__(self) -> S3Server:
        self._process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"moto server exited: {self._process.stderr.read()[-500:]}")
            try:
                httpx.get(self.endpoint + "/", timeout=1)
                return self
            except httpx.TransportError:
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError("moto server did not start within 30 s")

    def __exit__(self, *_: object) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:  # werkzeug waits for its open connections
                self._process.kill()
                self._process.wait(timeout=5)

    def create_bucket(self, name: str) -> None:
        response = httpx.put(f"{self.endpoint}/{name}", timeout=10)
        if response.status_code not in (200, 409):
            raise RuntimeError(f"creating bucket {name}: HTTP {response.status_code}")

    def multipart_uploads(self, bucket: str) -> int:
        """Multipart uploads begun and neither completed nor aborted."""
        return httpx.get(f"{self.endpoint}/{bucket}?uploads", timeout=10).text.count("<Upload>")
