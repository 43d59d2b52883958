"""The official `wavespeed` SDK, as its README uses it: `Client.run` (submit, then poll every
`poll_interval`), then the output streamed to a file with `requests`; concurrent jobs on a
thread pool (`--option threads=N`). Run by the SDK's own virtual environment: standard library,
`wavespeed` and `requests` only."""

from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # benchmarks.contenders.common

import requests
import wavespeed

from benchmarks.contenders.common import API_KEY, MODEL, PAYLOAD, arguments, options, write


def one(client: wavespeed.Client, interval: float, path: Path) -> None:
    result = client.run(MODEL, dict(PAYLOAD), poll_interval=interval)
    with requests.get(result["outputs"][0], stream=True, timeout=60) as response, open(path, "wb") as out:
        response.raise_for_status()
        for chunk in response.iter_content(1024 * 1024):
            out.write(chunk)


def main() -> None:
    args = arguments()
    client = wavespeed.Client(api_key=API_KEY, base_url=args.url)
    latencies, failures = [], []
    started = time.perf_counter()
    if args.mode == "sequential":
        for i in range(args.jobs):
            t = time.perf_counter()
            one(client, args.interval, args.out / f"{i}.mp4")
            latencies.append(time.perf_counter() - t)
    else:
        with ThreadPoolExecutor(int(options(args).get("threads", "500"))) as pool:
            futures = [pool.submit(one, client, args.interval, args.out / f"{i}.mp4") for i in range(args.jobs)]
        failures = [repr(f.exception()) for f in futures if f.exception() is not None]
    write(args, time.perf_counter() - started, failures, latencies)


if __name__ == "__main__":
    main()
