"""`make run`: one request through the whole pipeline, with the settings from the environment."""

from __future__ import annotations

import asyncio
import sys

from application.errors import JobFailedError
from bootstrap.catalog import ConfigurationError
from bootstrap.runtime import open_container
from bootstrap.settings import Settings
from domain import DomainError, OperationType, VideoRequest, billing_period


async def main() -> int:
    try:
        settings = Settings()
        async with open_container(settings) as container:
            request = VideoRequest(operation=OperationType.TEXT_TO_VIDEO, user_id="demo-user",
                                   prompt="A lighthouse at dawn, waves rolling in", duration=5, source_module="cli")
            estimate = await container.estimate_cost()(request)
            print(f"model {estimate.model.id}: {estimate.cost} for {estimate.billed_seconds:g} s "
                  f"at {estimate.resolution}")
            result = await container.generate_video()(
                request, progress=lambda percent, message: print(f"  {percent:5.1f}%  {message}"))
            summary = await container.usage_meter().summary("demo-user", billing_period(container.clock().now()))
    except (ConfigurationError, DomainError, JobFailedError) as e:
        print(f"videoforge: {e}", file=sys.stderr)
        return 2
    print(f"asset {result.asset_id}: {result.file_url} ({result.file_size} bytes, {result.width}x{result.height}, "
          f"{result.duration:g} s, {result.cost})")
    print(f"usage this period: {summary.video_calls} video(s), {summary.video_cost}")
    if settings.fake_providers:
        print("note: the fake provider was used; its 'video' is a small stand-in file, not a playable MP4.")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
