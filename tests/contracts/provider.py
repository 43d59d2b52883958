from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from videoforge.application.ports.provider import (
    ProviderOutcomeUnknownError,
    ProviderRejectedError,
    ProviderState,
    ProviderStatus,
    ProviderTask,
    SentSubmission,
    SubmissionHistory,
    VideoProvider,
)
from videoforge.domain import ErrorCode, OperationType, VideoRequest, default_catalog

SCENARIOS = ("succeed", "moderation", "reject", "hang")


def text_task(model: str, **changes) -> ProviderTask:
    """The contract's task: a neutral text-to-video request ("a cat", 5 s, 720p) checked by the
    catalog for `model`, as RunJob builds it."""
    request = VideoRequest(**{"operation": OperationType.TEXT_TO_VIDEO, "user_id": "u1", "model": model,
                              "prompt": "a cat", "duration": 5, "resolution": "720p"} | changes)
    return ProviderTask("job-1", default_catalog().plan(request).render_spec())


async def wait_until_finished(provider: VideoProvider, provider_job_id: str, polls: int = 100) -> ProviderStatus:
    for _ in range(polls):
        status = await provider.poll(provider_job_id)
        if status.finished:
            return status
        await asyncio.sleep(0.005)
    raise AssertionError(f"{provider_job_id} did not finish in {polls} polls")


class VideoProviderContract:
    """`provider` is the adapter; `model` a text-to-video model of the catalog it renders, from
    which `task` is built the same way for every adapter. `scenario(name, task)` makes the next
    submission behave as one of SCENARIOS and returns the task to submit: `task` itself where
    the adapter can be scripted, else a task the adapter treats that way (the local renderer).
    `polls` bounds the wait for a task to finish."""

    polls = 100
    moderation_code: int | None = 1200  # the provider's own code for a moderated task (fal has none)

    @pytest.fixture
    def provider(self) -> VideoProvider:
        raise NotImplementedError

    @pytest.fixture
    def model(self) -> str:
        raise NotImplementedError

    @pytest.fixture
    def scenario(self):
        raise NotImplementedError

    @pytest.fixture
    def task(self, model) -> ProviderTask:
        return text_task(model)

    async def test_a_task_completes_with_a_streamable_output(self, provider, scenario, task):
        provider_job_id = await provider.submit(scenario("succeed", task))
        assert provider_job_id
        status = await wait_until_finished(provider, provider_job_id, self.polls)
        assert status.state is ProviderState.COMPLETED and status.output is not None
        data = b"".join([chunk async for chunk in provider.stream_output(status.output)])
        assert len(data) > 0

    async def test_polling_a_finished_task_again_is_safe(self, provider, scenario, task):
        provider_job_id = await provider.submit(scenario("succeed", task))
        first = await wait_until_finished(provider, provider_job_id, self.polls)
        again = await provider.poll(provider_job_id)
        assert again.state is ProviderState.COMPLETED and again.output == first.output

    async def test_each_submission_is_a_new_task(self, provider, scenario, task):
        first = await provider.submit(scenario("succeed", task))
        second = await provider.submit(scenario("succeed", task))
        assert first != second

    async def test_a_failed_task_comes_back_as_a_typed_status(self, provider, scenario, task):
        provider_job_id = await provider.submit(scenario("moderation", task))
        status = await wait_until_finished(provider, provider_job_id, self.polls)
        assert status.state is ProviderState.FAILED
        assert status.error_code is ErrorCode.CONTENT_MODERATION and status.provider_code == self.moderation_code
        assert status.error_message

    async def test_a_refused_submission_raises_and_creates_nothing(self, provider, scenario, task):
        refused = scenario("reject", task)
        with pytest.raises(ProviderRejectedError):
            await provider.submit(refused)

    async def test_a_running_task_can_be_cancelled(self, provider, scenario, task):
        provider_job_id = await provider.submit(scenario("hang", task))
        assert not (await provider.poll(provider_job_id)).finished
        assert await provider.cancel(provider_job_id) is True
        status = await wait_until_finished(provider, provider_job_id, self.polls)
        assert status.state is ProviderState.CANCELLED

    async def test_an_unknown_task_is_finished_without_output(self, provider):
        status = await provider.poll("no-such-task")
        assert status.finished and status.state is not ProviderState.COMPLETED and status.output is None


class SubmissionHistoryContract:
    """The optional `SubmissionHistory` capability, for a provider class that also passes
    `VideoProviderContract` (same `provider`, `model`, `task` fixtures). `unclear(kind)` makes the
    next submission's answer prove nothing (a 500, a broken connection) after creating one task
    ("created"), none ("not_created"), or two with the same inputs ("twice")."""

    @pytest.fixture
    def unclear(self):
        raise NotImplementedError

    @staticmethod
    async def submit_unclear(provider: VideoProvider, task: ProviderTask) -> SentSubmission:
        with pytest.raises(ProviderOutcomeUnknownError) as caught:
            await provider.submit(task)
        assert caught.value.sent is not None, "an unknown outcome says what was sent"
        return caught.value.sent

    async def test_an_unanswered_submission_that_created_a_task_finds_exactly_it(self, provider, unclear, task):
        assert isinstance(provider, SubmissionHistory)
        unclear("created")
        sent = await self.submit_unclear(provider, task)
        [task_id] = await provider.find_sent(sent)
        assert (await wait_until_finished(provider, task_id)).state is ProviderState.COMPLETED

    async def test_one_that_created_nothing_finds_none(self, provider, unclear, task):
        unclear("not_created")
        assert list(await provider.find_sent(await self.submit_unclear(provider, task))) == []

    async def test_two_tasks_with_the_inputs_sent_are_both_found(self, provider, unclear, task):
        unclear("twice")
        assert len(set(await provider.find_sent(await self.submit_unclear(provider, task)))) == 2

    async def test_a_task_with_other_inputs_is_not_taken_for_it(self, provider, unclear, model, task):
        other = await provider.submit(text_task(model, prompt="a dog on a skateboard"))
        unclear("not_created")
        found = await provider.find_sent(await self.submit_unclear(provider, task))
        assert other not in found and list(found) == []

    async def test_what_is_sent_is_announced_before_it_leaves_and_finds_the_task(self, provider, task):
        seen: list[SentSubmission] = []

        async def record(sent: SentSubmission) -> None:
            seen.append(sent)

        task_id = await provider.submit(replace(task, before_sending=record))
        [sent] = seen
        assert sent.sent_at <= sent.answered_at
        assert list(await provider.find_sent(sent)) == [task_id]  # a run killed meanwhile is settled from it

    async def test_nothing_is_sent_when_the_announcement_fails(self, provider, unclear, task):
        async def refuse(_: SentSubmission) -> None:
            raise RuntimeError("the job could not be saved")

        with pytest.raises(RuntimeError):  # sent, it would have made a task with these very inputs
            await provider.submit(replace(task, before_sending=refuse))
        unclear("not_created")
        assert list(await provider.find_sent(await self.submit_unclear(provider, task))) == []
