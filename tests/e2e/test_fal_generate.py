"""End to end: the legacy `ai_video_generate(..., provider="huggingface")` and fal's catalog rows
through the container built from the environment, with the real fal adapter talking to its
emulator over HTTP (tests/emulators/fal.py), the PyAV probe reading real MP4 outputs, SQLite in a
temporary folder and storage in memory."""

from __future__ import annotations

import pytest

from tests.contracts.builders import text_request
from tests.emulators.fal import FalScenario, fal_environment
from tests.emulators.wavespeed import emulator_environment
from videoforge.bootstrap import Settings, build_container, compat, open_container
from videoforge.domain import Cost, InvalidRequestError

LEGACY_KEYS = {"prompt", "duration", "model_name", "cost", "provider", "resolution", "width", "height", "metadata",
               "source_video_url", "prediction_id", "asset_id", "file_url", "file_path", "file_size", "job_id"}


@pytest.fixture
def environment(monkeypatch, tmp_path):
    def apply(env: dict[str, str]) -> Settings:
        for name in ("FAL_KEY", "HF_TOKEN", "WAVESPEED_API_KEY"):
            monkeypatch.delenv(name, raising=False)
        for name, value in (env | {"VIDEOFORGE_STORAGE": "memory", "VIDEOFORGE_DATA_DIR": str(tmp_path),
                                   "VIDEOFORGE_DEFAULT_PLAN": "pro"}).items():
            monkeypatch.setenv(name, value)
        return Settings()

    return apply


@pytest.fixture
async def legacy():
    opened = []

    async def start(settings: Settings):
        container = build_container(settings)
        context = open_container(container=container)
        opened.append(context)
        await context.__aenter__()
        compat.use_container(container)
        return container

    yield start
    compat.use_container(None)
    for context in opened:
        await context.__aexit__(None, None, None)


async def test_provider_huggingface_runs_through_the_router_and_returns_the_legacy_keys(environment, legacy,
                                                                                         fal_emulator):
    fal_emulator.real_media = True
    container = await legacy(environment(fal_environment(fal_emulator, "router")))

    result = await compat.ai_video_generate(prompt="a cat on a boat", provider="huggingface", user_id="u1")

    assert set(result) >= LEGACY_KEYS
    assert result["provider"] == "fal" and result["model_name"] == "fal-ai/hunyuan-video"
    assert result["cost"] == 0.40 and result["width"] == 160  # the stored output, probed
    assert set(fal_emulator.routes) == {"router"} and fal_emulator.submissions == 1
    [request] = fal_emulator.requests.values()
    assert request.payload["prompt"] == "a cat on a boat" and result["prediction_id"].endswith(request.id)
    usage = await container.usage_meter().summary("u1", container.clock().now().strftime("%Y-%m"))
    assert (usage.video_calls, usage.video_cost) == (1, Cost("0.40"))


async def test_without_a_hugging_face_token_huggingface_is_refused_naming_the_configured_providers(
        environment, legacy, fal_emulator, wavespeed_emulator):
    container = await legacy(environment(emulator_environment(wavespeed_emulator)
                                         | fal_environment(fal_emulator, "direct")))

    with pytest.raises(InvalidRequestError) as refused:
        await compat.ai_video_generate(prompt="a cat", provider="huggingface", user_id="u1")

    assert refused.value.field == "provider" and "'huggingface' is not configured" in str(refused.value)
    assert set(refused.value.allowed) == {"fal", "local", "wavespeed"}
    period = container.clock().now().strftime("%Y-%m")
    assert (await container.quota_guard().check("u1", Cost(0), period)).usage.reserved_calls == 0
    assert await container.job_repository().list_for_user("u1") == []
    assert fal_emulator.submissions == 0 and wavespeed_emulator.submission_count == 0


async def test_fal_models_are_offered_only_where_fal_is_configured(environment, legacy, fal_emulator):
    bare = build_container(environment({"VIDEOFORGE_FAKE_PROVIDERS": "false"}))
    async with open_container(container=bare):
        assert not [m for m in await bare.list_models()() if m.provider == "fal"]
    container = await legacy(environment(fal_environment(fal_emulator, "direct")))
    offered = {m.id for m in await container.list_models()() if m.provider == "fal"}
    assert {"fal-ai/hunyuan-video", "fal-ai/kling-video/v2.1/standard/image-to-video",
            "fal-ai/wan-25-preview/text-to-video", "fal-ai/bytedance-upscaler/upscale/video"} <= offered


async def test_a_family_goes_to_its_preferred_provider_and_an_explicit_provider_wins(
        environment, legacy, fal_emulator, wavespeed_emulator):
    env = (emulator_environment(wavespeed_emulator) | fal_environment(fal_emulator, "direct")
           | {"VIDEOFORGE_FAMILY_PROVIDERS": '{"wan-2.5": "fal"}'})
    container = await legacy(environment(env))
    submit = container.submit_video()
    preferred = await submit(text_request(model="wan-2.5"))
    explicit = await submit(text_request(model="wan-2.5", provider="wavespeed"))
    by_id = await submit(text_request(model="alibaba/wan-2.5/text-to-video"))

    assert (preferred.provider, preferred.model) == ("fal", "fal-ai/wan-25-preview/text-to-video")
    assert (explicit.provider, explicit.model) == ("wavespeed", "alibaba/wan-2.5/text-to-video")
    assert by_id.provider == "wavespeed"


async def test_fallback_on_the_emulators_a_refused_submit_moves_on_and_one_task_is_paid(
        environment, legacy, fal_emulator, wavespeed_emulator):
    from tests.emulators.wavespeed import Scenario

    fal_emulator.real_media = wavespeed_emulator.real_media = True
    env = (emulator_environment(wavespeed_emulator) | fal_environment(fal_emulator, "direct")
           | {"VIDEOFORGE_FALLBACKS": '{"wan-2.5": ["fal"]}'})
    container = await legacy(environment(env))
    wavespeed_emulator.script(Scenario.reject(400, "invalid parameter: prompt"))

    result = await container.generate_video()(text_request(model="alibaba/wan-2.5/text-to-video"))

    assert result.provider == "fal" and wavespeed_emulator.submission_count == 1 and not wavespeed_emulator.tasks
    assert fal_emulator.submissions == 1
    period = container.clock().now().strftime("%Y-%m")
    [record] = await container.usage_meter().records("u1", period)
    assert record.provider == "fal" and record.cost == Cost("0.50")
    job = await container.job_repository().get(result.job_id)
    assert [(a.provider, a.outcome) for a in job.history] == [("wavespeed", "refused"), ("fal", "completed")]


async def test_fallback_on_the_emulators_a_queued_task_is_cancelled_and_confirmed_first(
        environment, legacy, fal_emulator, wavespeed_emulator):
    fal_emulator.real_media = wavespeed_emulator.real_media = True
    env = (emulator_environment(wavespeed_emulator) | fal_environment(fal_emulator, "direct")
           | {"VIDEOFORGE_FALLBACKS": '{"wan-2.5": ["wavespeed"]}', "VIDEOFORGE_POLL_DEADLINE": "0.3"})
    container = await legacy(environment(env))
    fal_emulator.script(FalScenario(queue_polls=10_000))

    result = await container.generate_video()(text_request(model="fal-ai/wan-25-preview/text-to-video"))

    [(request_id, status, said)] = fal_emulator.cancels
    assert (status, said) == (202, "CANCELLATION_REQUESTED") and fal_emulator.requests[request_id].cancelled
    assert result.provider == "wavespeed" and wavespeed_emulator.submission_count == 1
    job = await container.job_repository().get(result.job_id)
    assert [(a.provider, a.outcome) for a in job.history] == [("fal", "cancelled_before_start"),
                                                               ("wavespeed", "completed")]
    assert job.history[0].provider_job_id.endswith(request_id)
    assert len(await container.usage_meter().records("u1", container.clock().now().strftime("%Y-%m"))) == 1


async def test_fallback_on_the_emulators_a_request_fal_aborts_uncharged_moves_on_and_one_task_is_paid(
        environment, legacy, fal_emulator, wavespeed_emulator):
    fal_emulator.real_media = wavespeed_emulator.real_media = True
    env = (emulator_environment(wavespeed_emulator) | fal_environment(fal_emulator, "direct")
           | {"VIDEOFORGE_FALLBACKS": '{"wan-2.5": ["wavespeed"]}'})
    container = await legacy(environment(env))
    fal_emulator.script(FalScenario("aborted", queue_polls=2))

    result = await container.generate_video()(text_request(model="fal-ai/wan-25-preview/text-to-video"))

    [request] = fal_emulator.requests.values()
    assert request.cancelled and not fal_emulator.cancels  # fal ended it; videoforge never asked
    assert result.provider == "wavespeed" and wavespeed_emulator.submission_count == 1
    job = await container.job_repository().get(result.job_id)
    assert [(a.provider, a.outcome, a.cost) for a in job.history] == [
        ("fal", "aborted", Cost(0)), ("wavespeed", "completed", Cost("0.50"))]
    period = container.clock().now().strftime("%Y-%m")
    [record] = await container.usage_meter().records("u1", period)
    assert record.provider == "wavespeed" and record.cost == Cost("0.50")
