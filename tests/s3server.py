"""A real S3-compatible server on loopback for the tests and benchmarks: moto's server mode
(`moto[server]`, a dev dependency) in a process of its own, on a free port."""

from __future__ import annotations

import asyncio
import importlib.util
import socket
import subprocess
import sys
import tempfile
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
        # werkzeug logs every request to stderr: into a file, never a pipe. A pipe nobody reads
        # fills (64 KiB, ~730 requests) and then every request thread of the server blocks in
        # that log write: the server stops answering for good (seen as saves stuck in `saving`).
        self._log = tempfile.TemporaryFile(prefix="moto-")  # noqa: SIM115 (closed by __exit__)

    def __enter__(self) -> S3Server:
        self._process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                                         stdout=subprocess.DEVNULL, stderr=self._log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"moto server exited: {self.log_tail()}")
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
        self._log.close()

    def log_tail(self, size: int = 500) -> str:
        """The end of what the server wrote (its request log and errors)."""
        end = self._log.seek(0, 2)
        self._log.seek(max(0, end - size))
        return self._log.read().decode(errors="replace")

    def create_bucket(self, name: str) -> None:
        response = httpx.put(f"{self.endpoint}/{name}", timeout=10)
        if response.status_code not in (200, 409):
            raise RuntimeError(f"creating bucket {name}: HTTP {response.status_code}")

    def multipart_uploads(self, bucket: str) -> int:
        """Multipart uploads begun and neither completed nor aborted."""
        return httpx.get(f"{self.endpoint}/{bucket}?uploads", timeout=10).text.count("<Upload>")


class Relay:
    """A TCP relay on loopback in front of a server, that can fall silent: while `silent()`,
    nothing more passes either way, as when a store stops answering mid-request (a frozen
    process, a dead link). `async with Relay(port) as relay:`, `relay.endpoint`."""

    def __init__(self, port: int) -> None:
        self._port = port
        self._open = asyncio.Event()
        self._open.set()
        self._tasks: set[asyncio.Task] = set()
        self.endpoint = ""

    def silent(self) -> None:
        self._open.clear()

    def speak(self) -> None:
        """Let everything pass again (what was held goes on)."""
        self._open.set()

    async def __aenter__(self) -> Relay:
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        self.endpoint = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *_: object) -> None:
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._tasks.add(asyncio.current_task())
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self._port)
        try:
            await asyncio.gather(self._pass(reader, upstream_writer), self._pass(upstream_reader, writer))
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            self._tasks.discard(asyncio.current_task())
            writer.close()
            upstream_writer.close()

    async def _pass(self, source: asyncio.StreamReader, target: asyncio.StreamWriter) -> None:
        while data := await source.read(64 * 1024):
            await self._open.wait()
            target.write(data)
            await target.drain()
        if target.can_write_eof():
            target.write_eof()
