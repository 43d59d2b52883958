"""S3 storage benchmark: one 300 MB output generated through GenerateVideo (the real WaveSpeed
adapter against its emulator) and stored with S3Storage in a real S3-compatible server on
loopback (moto's server mode): the growth of this process's peak resident memory while the
output streams from the provider into a multipart upload.

    .venv/bin/python -m benchmarks.s3_storage [--size-mb 300]

Writes benchmarks/results/s3_storage.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import time
import uuid
from pathlib import Path

from dependency_injector import providers

from benchmarks.support import emulator_process, environment, rss_kib
from benchmarks.wavespeed import MB, request, reset_peak
from tests.s3server import CREDENTIALS, S3Server
from videoforge.adapters.fakes import FakeMediaProbe
from videoforge.bootstrap import Settings, build_container, open_container

RESULTS = Path(__file__).resolve().parent / "results" / "s3_storage.md"


async def large_output(size_mb: int, s3: S3Server) -> dict:
    with emulator_process("--output-size", str(size_mb * MB)) as url:
        os.environ.update(environment(url, VIDEOFORGE_POLL_INTERVAL="0.05", VIDEOFORGE_DEFAULT_PLAN="enterprise",
                                      VIDEOFORGE_STORAGE="s3", VIDEOFORGE_S3_BUCKET="bench",
                                      VIDEOFORGE_S3_ENDPOINT=s3.endpoint, VIDEOFORGE_S3_PREFIX=uuid.uuid4().hex,
                                      **CREDENTIALS))
        settings = Settings()
        container = build_container(settings)
        container.media_probe.override(providers.Object(FakeMediaProbe()))
        async with open_container(container=container):
            generate = container.generate_video()
            await generate(request())  # warm up: imports, pools, code paths
            cleared = reset_peak()
            before = rss_kib("VmRSS")
            started = time.perf_counter()
            result = await generate(request())
            elapsed = time.perf_counter() - started
            peak = rss_kib("VmHWM")
            stored = await container.storage().stat(result.file_path)
    return {"size": stored.size, "seconds": elapsed, "rss_before_mib": before / 1024, "peak_mib": peak / 1024,
            "growth_mib": (peak - before) / 1024, "peak_reset": cleared, "part": settings.s3_part_size // MB,
            "concurrency": settings.s3_upload_concurrency}


def report(m: dict) -> str:
    return "\n".join([
        "# S3 storage benchmark",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}. "
        "The WaveSpeed emulator and moto's S3 server each run in their own process on 127.0.0.1; the measured "
        "process runs GenerateVideo with the real WaveSpeed adapter, the output streamed into S3Storage "
        "(obstore multipart upload). Reproduce: `.venv/bin/python -m benchmarks.s3_storage`.",
        "",
        "| output | parts | time | RSS before | peak RSS during | peak growth | limit |",
        "|---|---|---|---|---|---|---|",
        f"| {m['size'] / MB:.0f} MiB | {m['part']} MiB x {m['concurrency']} concurrent | {m['seconds']:.1f} s | "
        f"{m['rss_before_mib']:.1f} MiB | {m['peak_mib']:.1f} MiB | **{m['growth_mib']:.1f} MiB** | < 100 MiB |",
        "",
        "Peak = VmHWM of the process after the job, reset to the current RSS just before it"
        + ("" if m["peak_reset"] else " (reset not supported here: the peak includes the warm-up)") + ".",
        "",
    ])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=300)
    args = parser.parse_args()
    with S3Server() as s3:
        s3.create_bucket("bench")
        measured = asyncio.run(large_output(args.size_mb, s3))
    RESULTS.write_text(report(measured))
    print(RESULTS.read_text())


if __name__ == "__main__":
    main()
