"""videoforge as a host runs it: GenerateVideo through the container, the real WaveSpeed adapter
(its one pooled httpx client), the real PyAV probe and poster frame, FileSystemStorage; jobs,
quota and usage on `--option backend=memory|sqlite|postgresql` (`postgres_url=` for the last)."""

from __future__ import annotations

import asyncio
import os
import time

from benchmarks.contenders.common import API_KEY, MODEL, arguments, options, write


def environment(args, backend: str, extra: dict[str, str]) -> dict[str, str]:
    env = {"WAVESPEED_API_KEY": API_KEY, "VIDEOFORGE_WAVESPEED_BASE_URL": args.url,
           "VIDEOFORGE_ALLOW_PRIVATE_URLS": "true", "VIDEOFORGE_FAKE_PROVIDERS": "false",
           "VIDEOFORGE_STORAGE": "filesystem", "VIDEOFORGE_DATA_DIR": str(args.out),
           "VIDEOFORGE_POLL_INTERVAL": str(args.interval), "VIDEOFORGE_POLL_DEADLINE": "900",
           "VIDEOFORGE_DEFAULT_PLAN": "enterprise", "VIDEOFORGE_BACKEND": "memory" if backend == "memory" else "sql"}
    if backend == "postgresql":
        env["VIDEOFORGE_DATABASE_URL"] = extra["postgres_url"]
    return {**env, **{k.upper(): v for k, v in extra.items() if k.startswith("videoforge_")}}


async def main() -> None:
    args = arguments()
    extra = options(args)
    os.environ.update(environment(args, extra.get("backend", "memory"), extra))
    from videoforge.bootstrap import Settings, open_container
    from videoforge.domain import OperationType, VideoRequest

    def request(i: int) -> VideoRequest:
        return VideoRequest(operation=OperationType.TEXT_TO_VIDEO, user_id=f"user-{i % 50}", prompt="a lighthouse",
                            model=MODEL, duration=5, resolution="720p")

    async with open_container(Settings()) as container:
        generate = container.generate_video()
        latencies, failures = [], []
        started = time.perf_counter()
        if args.mode == "sequential":
            for i in range(args.jobs):
                t = time.perf_counter()
                await generate(request(i))
                latencies.append(time.perf_counter() - t)
        else:
            done = await asyncio.gather(*(generate(request(i)) for i in range(args.jobs)), return_exceptions=True)
            failures = [repr(d) for d in done if isinstance(d, BaseException)]
        write(args, time.perf_counter() - started, failures, latencies)


if __name__ == "__main__":
    asyncio.run(main())
