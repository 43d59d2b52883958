"""The fal adapter against its emulator (tests/emulators/fal.py), both ways in: fal directly
(FAL_KEY) and Hugging Face's router (HF_TOKEN)."""

from __future__ import annotations

import pytest

from tests.contracts.provider import VideoProviderContract, wait_until_finished
from tests.emulators.fal import FalEmulator, FalScenario
from videoforge.adapters.fal import FalVideoProvider, direct_route, router_route
from videoforge.application.ports.provider import (
    ProviderOutcomeUnknownError,
    ProviderOutputError,
    ProviderRejectedError,
    ProviderState,
    ProviderTask,
)
from videoforge.bootstrap.wavespeed import http_client
from videoforge.domain import ErrorCode, ModelCatalog, OperationType, VideoRequest
from videoforge.domain.models_fal import FAL_MODELS

HUNYUAN = "fal-ai/hunyuan-video"


def fal_task(model: str = HUNYUAN, **changes) -> ProviderTask:
    request = VideoRequest(**{"operation": OperationType.TEXT_TO_VIDEO, "user_id": "u1", "model": model,
                              "prompt": "a cat", "duration": 5, "resolution": "720p"} | changes)
    return ProviderTask("job-1", ModelCatalog(FAL_MODELS, {}).plan(request).render_spec())


@pytest.fixture
async def client():
    client = http_client(connect_timeout=2.0, read_timeout=5.0, max_connections=10)
    yield client
    await client.aclose()


def make(client, emulator: FalEmulator, way: str) -> FalVideoProvider:
    route = (direct_route(emulator.fal_key, emulator.url) if way == "direct"
             else router_route(emulator.hf_token, emulator.router_queue))
    return FalVideoProvider(client, route, allow_private_urls=True)


@pytest.mark.parametrize("way", ["direct", "router"])
class TestFalVideoProvider(VideoProviderContract):
    moderation_code = None  # fal reports a moderated output as COMPLETED with an error type, no code

    @pytest.fixture
    def provider(self, client, fal_emulator, way):
        return make(client, fal_emulator, way)

    @pytest.fixture
    def model(self):
        return HUNYUAN

    @pytest.fixture
    def task(self, model):
        return fal_task(model)

    @pytest.fixture
    def scenario(self, fal_emulator, way):
        scenarios = {"succeed": FalScenario(queue_polls=1, progress_polls=2), "moderation": FalScenario("error"),
                     "reject": FalScenario("reject"), "hang": FalScenario("hang")}

        def apply(name, task):
            fal_emulator.script(scenarios[name])
            return task

        yield apply
        assert set(fal_emulator.routes) <= {way}

    async def test_a_queued_task_can_be_cancelled(self, provider, fal_emulator):
        fal_emulator.script(FalScenario(queue_polls=50))
        provider_job_id = await provider.submit(fal_task())
        assert (await provider.poll(provider_job_id)).state is ProviderState.QUEUED
        assert await provider.cancel(provider_job_id) is True
        status = await wait_until_finished(provider, provider_job_id)
        assert status.state is ProviderState.CANCELLED and status.output is None


@pytest.fixture
def direct(client, fal_emulator):
    return make(client, fal_emulator, "direct")


async def test_submit_sends_the_spec_under_fal_field_names_with_key_auth(direct, fal_emulator):
    provider_job_id = await direct.submit(fal_task(seed=7))
    owner_app, request_id = provider_job_id.rsplit("/", 1)
    assert owner_app == "fal-ai/hunyuan-video"
    assert fal_emulator.requests[request_id].payload == {"prompt": "a cat", "resolution": "720p",
                                                         "aspect_ratio": "16:9", "seed": 7}  # no duration field


async def test_the_queue_position_and_logs_show_as_progress(direct, fal_emulator):
    fal_emulator.script(FalScenario(queue_polls=2, progress_polls=3))
    provider_job_id = await direct.submit(fal_task())
    states = [await direct.poll(provider_job_id) for _ in range(6)]
    assert [s.state for s in states] == [ProviderState.QUEUED] * 2 + [ProviderState.RUNNING] * 3 + [
        ProviderState.COMPLETED]
    running = [s.progress for s in states[2:5]]
    assert running == sorted(running) and 0 < running[0] < running[-1] < 1


async def test_completed_with_an_error_is_a_failure(direct, fal_emulator):
    fal_emulator.script(FalScenario("error", error="the model crashed", error_type="runner_error"))
    status = await wait_until_finished(direct, await direct.submit(fal_task()))
    assert status.state is ProviderState.FAILED and status.error_code is ErrorCode.PROVIDER_INTERNAL
    assert status.error_message == "the model crashed" and status.output is None


async def test_a_5xx_on_submit_is_an_unknown_outcome_sent_once_whether_or_not_a_request_exists(direct, fal_emulator):
    for kind, created in (("submit_5xx_created", 1), ("submit_5xx_nothing", 0)):
        fal_emulator.reset()
        fal_emulator.script(FalScenario(kind))
        with pytest.raises(ProviderOutcomeUnknownError):
            await direct.submit(fal_task())
        assert fal_emulator.submissions == 1 and len(fal_emulator.requests) == created


async def test_a_refused_submit_creates_nothing(direct, fal_emulator):
    fal_emulator.script(FalScenario("reject"))
    with pytest.raises(ProviderRejectedError) as refused:
        await direct.submit(fal_task())
    assert refused.value.code is ErrorCode.INVALID_PARAMETER and not fal_emulator.requests


async def test_cancel_answers_are_mapped(direct, fal_emulator):
    provider_job_id = await direct.submit(fal_task())
    await wait_until_finished(direct, provider_job_id)
    assert await direct.cancel(provider_job_id) is False  # ALREADY_COMPLETED
    assert await direct.cancel("fal-ai/hunyuan-video/req-999") is False  # NOT_FOUND
    assert [c[2] for c in fal_emulator.cancels] == ["ALREADY_COMPLETED", "NOT_FOUND"]


async def test_wrong_credentials_are_refused_and_never_echoed(client, fal_emulator):
    provider = FalVideoProvider(client, direct_route("wrong-key", fal_emulator.url), allow_private_urls=True)
    with pytest.raises(ProviderRejectedError) as refused:
        await provider.submit(fal_task())
    assert "wrong-key" not in str(refused.value)


async def test_outputs_on_private_hosts_are_refused_without_the_test_opt_in(client, fal_emulator):
    provider = FalVideoProvider(client, direct_route(fal_emulator.fal_key, fal_emulator.url))
    status = await wait_until_finished(provider, await provider.submit(fal_task()))
    with pytest.raises(ProviderOutputError, match="refused"):
        async for _ in provider.stream_output(status.output):
            pass


def test_a_route_needs_its_credential():
    with pytest.raises(ValueError, match="FAL_KEY"):
        direct_route("")
    with pytest.raises(ValueError, match="HF_TOKEN"):
        router_route("")


async def test_the_queue_position_and_the_latest_log_line_are_reported(direct, fal_emulator):
    fal_emulator.script(FalScenario(queue_polls=3, progress_polls=2))
    provider_job_id = await direct.submit(fal_task())
    queued = [await direct.poll(provider_job_id) for _ in range(3)]
    assert [(s.state, s.queue_position) for s in queued] == [(ProviderState.QUEUED, 2), (ProviderState.QUEUED, 1),
                                                             (ProviderState.QUEUED, 0)]
    running = await direct.poll(provider_job_id)
    assert running.state is ProviderState.RUNNING and running.detail == "generating frames (1/3)"


@pytest.mark.parametrize("kind", ["aborted", "server_error"])
async def test_a_request_fal_aborts_on_its_side_ends_shown_as_not_charged(direct, fal_emulator, kind):
    fal_emulator.script(FalScenario(kind, queue_polls=1))
    status = await wait_until_finished(direct, await direct.submit(fal_task()))
    assert status.state in (ProviderState.CANCELLED, ProviderState.FAILED) and status.output is None
    assert status.charged is False


async def test_a_moderated_request_is_not_shown_as_uncharged(direct, fal_emulator):
    fal_emulator.script(FalScenario("error"))
    status = await wait_until_finished(direct, await direct.submit(fal_task()))
    assert status.state is ProviderState.FAILED and status.charged is None  # fal may bill a refused input
