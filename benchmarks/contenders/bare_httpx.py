"""The least a client can do: submit, poll every interval until completed, stream the output to a
file; one shared httpx.AsyncClient (`--option pool=N` connections) on one event loop."""

from __future__ import annotations

import asyncio
import time

import httpx

from benchmarks.contenders.common import API_KEY, MODEL, PAYLOAD, arguments, options, write


async def one(client: httpx.AsyncClient, url: str, interval: float, path) -> None:
    headers = {"Authorization": f"Bearer {API_KEY}"}
    task = (await client.post(f"{url}/api/v3/{MODEL}", json=PAYLOAD, headers=headers)).json()["data"]
    while True:  # as the SDK does: read at once, then every interval
        result = (await client.get(f"{url}/api/v3/predictions/{task['id']}/result", headers=headers)).json()["data"]
        if result["status"] == "completed":
            break
        if result["status"] == "failed":
            raise RuntimeError(result["error"])
        await asyncio.sleep(interval)
    async with client.stream("GET", result["outputs"][0]) as response:
        with open(path, "wb") as out:  # noqa: ASYNC230 - the bare loop: a blocking write of each chunk
            async for chunk in response.aiter_bytes(1024 * 1024):
                out.write(chunk)


async def main() -> None:
    args = arguments()
    pool = int(options(args).get("pool", "100"))
    limits = httpx.Limits(max_connections=pool, max_keepalive_connections=pool)
    async with httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(60.0, pool=600.0)) as client:
        latencies, failures = [], []
        started = time.perf_counter()
        if args.mode == "sequential":
            for i in range(args.jobs):
                t = time.perf_counter()
                await one(client, args.url, args.interval, args.out / f"{i}.mp4")
                latencies.append(time.perf_counter() - t)
        else:
            done = await asyncio.gather(*(one(client, args.url, args.interval, args.out / f"{i}.mp4")
                                          for i in range(args.jobs)), return_exceptions=True)
            failures = [repr(d) for d in done if isinstance(d, BaseException)]
        write(args, time.perf_counter() - started, failures, latencies)


if __name__ == "__main__":
    asyncio.run(main())
