"""Your own tests with videoforge's shipped fakes (the README's "In your tests" example): the
whole pipeline offline and instant. Run it: pytest examples/test_with_fakes.py (pytest-asyncio,
asyncio_mode = "auto").

`fake_providers=True` serves every provider with the scripted fake and pairs it with what reads
its outputs: the fake media probe and in-memory storage. Replacing only the provider (as the
failure test does) is fine for failures; a success needs that probe, which reads the fake's
stand-in files (a real probe would refuse them as not playable video).
"""

from __future__ import annotations

import pytest
from dependency_injector import providers

from videoforge.adapters.fakes import FakeClock, FakeVideoProvider, Outcome
from videoforge.application.errors import JobFailedError
from videoforge.bootstrap import Settings, build_container, open_container
from videoforge.domain import Cost, ErrorCode, VideoRequest

REQUEST = VideoRequest(operation="text-to-video", user_id="user-42", prompt="A lighthouse at dawn",
                       model="hunyuan-video-1.5", duration=5, resolution="720p", source_module="video_studio")


@pytest.fixture
async def container(tmp_path):
    settings = Settings(data_dir=tmp_path, backend="memory", fake_providers=True, default_provider="wavespeed",
                        default_plan="pro")
    container = build_container(settings)
    container.clock.override(providers.Object(FakeClock()))  # polling waits no real time
    async with open_container(container=container) as opened:
        yield opened


async def test_a_video_is_generated_stored_and_billed(container):
    provider = FakeVideoProvider().script(Outcome.succeed(after_polls=2, billed_seconds=5))
    container.video_providers.override(providers.Object({"wavespeed": provider}))

    result = await container.generate_video()(REQUEST)

    assert result.cost == Cost("0.20") and result.asset_id
    assert len(provider.submissions) == 1
    usage = await container.get_usage()("user-42")
    assert usage.summary.video_calls == 1 and usage.summary.video_cost == Cost("0.20")


async def test_a_moderated_prompt_fails_and_costs_nothing(container):
    provider = FakeVideoProvider().script(Outcome.fail(ErrorCode.CONTENT_MODERATION, provider_code=1200))
    container.video_providers.override(providers.Object({"wavespeed": provider}))

    with pytest.raises(JobFailedError) as caught:
        await container.generate_video()(REQUEST)

    assert caught.value.code == "content_moderation"
    assert (await container.get_usage()("user-42")).summary.video_calls == 0
