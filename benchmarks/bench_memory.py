"""Peak memory of the API under the hardening review's inputs (issue 11): a real `videoforge
serve` process (uvicorn, SQLite, fake provider) on loopback, its peak RSS (VmHWM) read from
/proc after each scenario. Target: under 300 MB through all of them.

1. the image bomb: a 13000 x 13000 PNG of under a kilobyte, uploaded, then six `/estimate`s at once;
2. 24 concurrent `/estimate`s using one 99 MB upload as their input;
3. four 100 MB JSON bodies at once, with a token and without one.

`python -m benchmarks.bench_memory` prints a JSON line and writes benchmarks/results/memory.json.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import jwt

from benchmarks.support import ROOT
from tests.integration.test_pyav_probe import png_bomb
from tests.samples import mp4

SECRET = "benchmark-secret-of-at-least-32-bytes!!"
MB = 1024 * 1024


def bearer(sub: str) -> dict[str, str]:
    claims = {"sub": sub, "exp": int(time.time()) + 3600}
    return {"Authorization": "Bearer " + jwt.encode(claims, SECRET, algorithm="HS256")}


def peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def start(data: Path, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIDEOFORGE_", "WAVESPEED_"))}
    env |= {"VIDEOFORGE_DATA_DIR": str(data), "VIDEOFORGE_JWT_SECRET": SECRET, "VIDEOFORGE_DEFAULT_PROVIDER": "local",
            "VIDEOFORGE_USER_PLANS": '{"bench": "enterprise"}'}
    return subprocess.Popen([sys.executable, "-m", "videoforge.bootstrap.cli", "serve", "--port", str(port)],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def upload(client: httpx.AsyncClient, kind: str, name: str, data: bytes, content_type: str) -> str:
    answer = await client.post("/api/video/uploads", data={"kind": kind}, files={"file": (name, data, content_type)},
                               headers=bearer("bench"))
    answer.raise_for_status()
    return answer.json()["upload_id"]


def outcomes(answers: list) -> list[str]:
    """Each answer's status, or the transport error of a body the server refused midway (it
    answers 413 and closes while the client still sends)."""
    return sorted({str(a.status_code) if isinstance(a, httpx.Response) else type(a).__name__ for a in answers})


async def scenarios(base: str, pid: int, work: Path) -> dict[str, object]:
    figures: dict[str, object] = {"idle_mib": round(peak_mib(pid), 1)}
    async with httpx.AsyncClient(base_url=base, timeout=600) as client:
        bomb = await upload(client, "image", "bomb.png", png_bomb(13000, 13000), "image/png")
        job = {"operation": "image-to-video", "model": "local/pan-zoom", "prompt": "p",
               "inputs": {"image": {"upload_id": bomb}}}
        answers = await asyncio.gather(*(client.post("/api/video/estimate", json=job, headers=bearer("bench"))
                                         for _ in range(6)), return_exceptions=True)
        figures["bomb_statuses"] = outcomes(answers)
        figures["after_bomb_mib"] = round(peak_mib(pid), 1)

        video = mp4(work / "in.mp4", 2.0, 320, 240).read_bytes()
        big = video + bytes(99 * MB - len(video))  # a playable head, padded to 99 MB
        upload_id = await upload(client, "video", "big.mp4", big, "video/mp4")
        del big
        job = {"operation": "extend", "model": "local/hold-extend", "duration": 2, "resolution": "360p",
               "inputs": {"video": {"upload_id": upload_id}}}
        answers = await asyncio.gather(*(client.post("/api/video/estimate", json=job, headers=bearer("bench"))
                                         for _ in range(24)), return_exceptions=True)
        figures["upload_statuses"] = outcomes(answers)
        figures["after_24x99mb_mib"] = round(peak_mib(pid), 1)

        body = b'{"operation": "text-to-video", "prompt": "' + b"x" * (100 * MB) + b'"}'
        answers = await asyncio.gather(*(client.post("/api/video/jobs", content=body, headers=headers | {
            "Content-Type": "application/json"}) for headers in (bearer("bench"), {}, bearer("bench"), {})),
                                       return_exceptions=True)
        figures["body_statuses"] = outcomes(answers)
        figures["after_4x100mb_mib"] = round(peak_mib(pid), 1)
    figures["peak_mib"] = round(peak_mib(pid), 1)
    figures["under_300_mb"] = figures["peak_mib"] < 300
    return figures


def main() -> None:
    from tests.e2e.test_serve import free_port

    with tempfile.TemporaryDirectory() as work:
        port = free_port()
        process = start(Path(work) / "data", port)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    if httpx.get(base + "/health", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            figures = asyncio.run(scenarios(base, process.pid, Path(work)))
        finally:
            process.terminate()
            process.wait(timeout=30)
    print(json.dumps(figures))
    out = ROOT / "benchmarks" / "results" / "memory.json"
    out.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
