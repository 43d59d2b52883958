from __future__ import annotations

import asyncio

import pytest

from videoforge.application.ports.provider import (
    ProviderRejectedError,
    ProviderState,
    ProviderStatus,
    ProviderTask,
    VideoProvider,
)
from videoforge.domain import ErrorCode

SCENARIOS = ("succeed", "moderation", "reject", "hang")


async def wait_until_finished(provider: VideoProvider, provider_job_id: str, polls: int = 100) -> ProviderStatus:
    for _ in range(polls):
        status = await provider.poll(provider_job_id)
        if status.finished:
            return status
        await asyncio.sleep(0.005)
    raise AssertionError(f"{provider_job_id} did not finish in {polls} polls")


class VideoProviderContract:
    """`provider` is the adapter; `scenario(name)` makes its next submission behave as one of
    SCENARIOS; `task` is a valid task for it."""

    @pytest.fixture
    def provider(self) -> VideoProvider:
        raise NotImplementedError

    @pytest.fixture
    def scenario(self):
        raise NotImplementedError

    @pytest.fixture
    def task(self) -> ProviderTask:
        return ProviderTask("job-1", "wavespeed-ai/hunyuan-video-1.5/text-to-video",
                            {"prompt": "a cat", "size": "1280*720", "duration": 5})

    async def test_a_task_completes_with_a_streamable_output(self, provider, scenario, task):
        scenario("succeed")
        provider_job_id = await provider.submit(task)
        assert provider_job_id
        status = await wait_until_finished(provider, provider_job_id)
        assert status.state is ProviderState.COMPLETED and status.output is not None
        data = b"".join([chunk async for chunk in provider.stream_output(status.output)])
        assert len(data) > 0

    async def test_polling_a_finished_task_again_is_safe(self, provider, scenario, task):
        scenario("succeed")
        provider_job_id = await provider.submit(task)
        first = await wait_until_finished(provider, provider_job_id)
        again = await provider.poll(provider_job_id)
        assert again.state is ProviderState.COMPLETED and again.output == first.output

    async def test_each_submission_is_a_new_task(self, provider, scenario, task):
        scenario("succeed")
        first = await provider.submit(task)
        scenario("succeed")
        second = await provider.submit(task)
        assert first != second

    async def test_a_failed_task_comes_back_as_a_typed_status(self, provider, scenario, task):
        scenario("moderation")
        provider_job_id = await provider.submit(task)
        status = await wait_until_finished(provider, provider_job_id)
        assert status.state is ProviderState.FAILED
        assert status.error_code is ErrorCode.CONTENT_MODERATION and status.provider_code == 1200
        assert status.error_message

    async def test_a_refused_submission_raises_and_creates_nothing(self, provider, scenario, task):
        scenario("reject")
        with pytest.raises(ProviderRejectedError):
            await provider.submit(task)

    async def test_a_running_task_can_be_cancelled(self, provider, scenario, task):
        scenario("hang")
        provider_job_id = await provider.submit(task)
        assert not (await provider.poll(provider_job_id)).finished
        assert await provider.cancel(provider_job_id) is True
        status = await wait_until_finished(provider, provider_job_id)
        assert status.state is ProviderState.CANCELLED

    async def test_an_unknown_task_is_finished_without_output(self, provider):
        status = await provider.poll("no-such-task")
        assert status.finished and status.state is not ProviderState.COMPLETED and status.output is None
