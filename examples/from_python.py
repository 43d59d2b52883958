"""From Python: one video through the whole pipeline (the README's "From Python" example).

Run it:  python examples/from_python.py
With no provider key in the environment it renders offline with the `local` provider ($0);
with WAVESPEED_API_KEY set the default provider is WaveSpeed, which charges for the video.
"""

from __future__ import annotations

import asyncio

from videoforge.bootstrap import Settings, open_container
from videoforge.domain import VideoRequest


async def main() -> None:
    settings = Settings()
    async with open_container(settings) as container:
        request = VideoRequest(operation="text-to-video", user_id="user-42", prompt="A lighthouse at dawn",
                               duration=5, resolution="720p", source_module="video_studio")
        estimate = await container.estimate_cost()(request)
        print(f"{estimate.model.provider} {estimate.model.id}: ${estimate.cost.usd.normalize():f}")
        result = await container.generate_video()(
            request, progress=lambda percent, message: print(f"{percent:3d}% {message}"))
        print(result.file_url, f"${result.cost.usd.normalize():f}", result.asset_id)


if __name__ == "__main__":
    asyncio.run(main())
