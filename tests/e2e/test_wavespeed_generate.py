"""End to end: GenerateVideo through the container built from the environment, with the real
WaveSpeed adapter talking to the emulator over HTTP, the PyAV probe reading real MP4 outputs,
and storage in memory so the tests can look at what was stored.

The environment is `emulator_environment(...)`, with the SQLite database in a temporary folder;
the CLI-level test in tests/e2e/test_cli_end_to_end.py sets the same variables and runs
`videoforge generate` instead."""

from __future__ import annotations

import asyncio
import hashlib
import logging

import pytest

from tests.contracts.builders import text_request
from tests.emulators.wavespeed import Scenario, emulator_environment
from tests.reservations import reservation_of
from tests.samples import png
from videoforge.adapters.fakes import InMemoryStorage
from videoforge.adapters.wavespeed import WebhookVerifier
from videoforge.application.errors import JobFailedError, JobNotFinishedError
from videoforge.application.ports.provider import ProviderTask
from videoforge.application.ports.storage import StorageError
from videoforge.bootstrap import ConfigurationError, Settings, build_container, open_container
from videoforge.domain import Cost, ErrorCode, JobStatus, MediaInput, MediaKind, OperationType, VideoRequest
from videoforge.domain.quota import ReservationState


@pytest.fixture
def environment(wavespeed_emulator, monkeypatch, tmp_path):
    def apply(**extra: str) -> Settings:
        for name, value in emulator_environment(wavespeed_emulator, VIDEOFORGE_STORAGE="memory",
                                                VIDEOFORGE_DATA_DIR=str(tmp_path), VIDEOFORGE_SUBMIT_SETTLE="0.3",
                                                **extra).items():
            monkeypatch.setenv(name, value)
        wavespeed_emulator.real_media = True
        return Settings()

    return apply


@pytest.fixture
async def container(environment):
    container = build_container(environment(VIDEOFORGE_DEFAULT_PLAN="pro"))
    async with open_container(container=container):
        yield container


async def test_a_generated_video_is_stored_metered_at_the_catalog_price_and_settled(container, wavespeed_emulator):
    wavespeed_emulator.script(Scenario.succeed(polls=3))

    result = await container.generate_video()(text_request())

    assert wavespeed_emulator.submission_count == 1
    [task_id] = wavespeed_emulator.tasks
    assert result.prediction_id == task_id and result.provider == "wavespeed"
    assert wavespeed_emulator.tasks[task_id].payload == {"prompt": "a cat on a boat", "size": "1280*720",
                                                         "duration": 5}
    storage: InMemoryStorage = container.storage()
    stored = storage.objects[result.file_path]
    assert result.sha256 == hashlib.sha256(stored).hexdigest() and (result.width, result.height) == (1280, 720)
    price = Cost("0.20")  # hunyuan-video-1.5 at 720p: $0.04 a second, 5 s (domain/models_wavespeed.py)
    period = container.clock().now().strftime("%Y-%m")
    usage = await container.usage_meter().summary("u1", period)
    assert (usage.video_calls, usage.video_cost) == (1, price) and result.cost == price
    [record] = await container.usage_meter().records("u1", period)
    assert record.cost == price and record.provider == "wavespeed" and record.job_id == result.job_id
    quota = (await container.quota_guard().check("u1", Cost(0), period)).usage
    assert (quota.calls, quota.cost, quota.reserved_calls) == (1, price, 0)  # settled at the catalog price
    reservation = await reservation_of(container.quota_guard(), result.job_id)
    assert reservation.state == ReservationState.SETTLED and reservation.actual == price
    assert wavespeed_emulator.polls[task_id] == 3


async def test_a_failed_task_releases_the_reservation_and_stores_nothing(container, wavespeed_emulator):
    wavespeed_emulator.script(Scenario.fail(1200, "nsfw detected", polls=2))

    with pytest.raises(JobFailedError) as caught:
        await container.generate_video()(text_request())

    assert caught.value.code == ErrorCode.CONTENT_MODERATION
    assert caught.value.message.startswith("the content was refused by the provider's moderation")
    job = caught.value.job
    assert job.status is JobStatus.FAILED and job.money_spent is False
    period = container.clock().now().strftime("%Y-%m")
    quota = (await container.quota_guard().check("u1", Cost(0), period)).usage
    assert (quota.calls, quota.reserved_calls) == (0, 0)  # released
    assert (await reservation_of(container.quota_guard(), job.id)).state == ReservationState.RELEASED
    assert not container.storage().objects
    assert await container.usage_meter().records("u1", period) == []


def submissions(emulator) -> int:
    return len([r for r in emulator.requests_to("POST", "/api/v3/") if r.path != "/api/v3/predictions"])


async def test_a_submit_whose_answer_never_comes_is_sent_once_and_its_task_adopted(container, wavespeed_emulator):
    wavespeed_emulator.script(Scenario(submit="never_answer"))

    result = await container.generate_video()(text_request())

    assert submissions(wavespeed_emulator) == 1 and wavespeed_emulator.submission_count == 1
    [task_id] = wavespeed_emulator.tasks
    assert result.prediction_id == task_id


# -- the three outcomes of a submit answered with a 500 (issue 11, Done when) --------------------


async def test_a_500_after_the_task_was_created_ends_completed_with_exactly_one_task(container, wavespeed_emulator):
    wavespeed_emulator.script(Scenario.error_after_create(500, polls=2))

    result = await container.generate_video()(text_request())

    assert wavespeed_emulator.submission_count == 1 and len(wavespeed_emulator.tasks) == 1
    [task_id] = wavespeed_emulator.tasks
    assert result.prediction_id == task_id and result.cost == Cost("0.20")
    job = await container.job_repository().get(result.job_id)
    assert job.status is JobStatus.COMPLETED and job.submit_deferrals == 0


async def test_a_500_that_created_nothing_is_submitted_once_more_and_completes(container, wavespeed_emulator):
    wavespeed_emulator.script(Scenario.reject(500, "internal server error"), Scenario.succeed(polls=2))

    result = await container.generate_video()(text_request())

    assert wavespeed_emulator.submission_count == 2 and len(wavespeed_emulator.tasks) == 1
    [task_id] = wavespeed_emulator.tasks
    assert result.prediction_id == task_id
    history = wavespeed_emulator.requests_to("POST", "/api/v3/predictions")
    assert history and all(r.path == "/api/v3/predictions" for r in history)


async def test_a_history_with_two_matching_tasks_stays_unknown_with_its_reservation(container, wavespeed_emulator):
    wavespeed_emulator.script(Scenario.error_after_create(500, twins=1))

    with pytest.raises(JobFailedError) as caught:
        await container.generate_video()(text_request())

    assert caught.value.code == "unknown_outcome" and "2 tasks" in caught.value.job.message
    assert wavespeed_emulator.submission_count == 1 and len(wavespeed_emulator.tasks) == 2
    job = await container.job_repository().get(caught.value.job.id)
    assert job.status is JobStatus.UNKNOWN_OUTCOME
    # the reservation stays held until someone reconciles: the provider may be billing that task
    assert (await reservation_of(container.quota_guard(), job.id)).state == ReservationState.RESERVED
    assert await container.resume_jobs()() is not None
    assert wavespeed_emulator.submission_count == 1


async def test_three_resumers_of_a_job_being_saved_download_its_video_once(environment, wavespeed_emulator):
    """The save lease (issue 11): runners that find the job's output being saved by another wait
    for it instead of downloading the same video again."""
    container = build_container(environment(VIDEOFORGE_DEFAULT_PLAN="pro", VIDEOFORGE_POLL_INTERVAL="0.1",
                                            VIDEOFORGE_WAVESPEED_READ_TIMEOUT="60"))  # the first render is slow
    async with open_container(container=container):
        wavespeed_emulator.script(Scenario.succeed(polls=1, output_size=24 * 2**20))
        container.storage().fail_next("save", StorageError("the disk is briefly full"))
        with pytest.raises(JobNotFinishedError) as caught:
            await container.generate_video()(text_request())
        job_id = caught.value.job.id
        assert (await container.job_repository().get(job_id)).status is JobStatus.SAVING
        assert wavespeed_emulator.requests_to("GET", "/outputs/") == []

        reports = await asyncio.gather(*(container.resume_jobs()() for _ in range(3)))

        assert len(wavespeed_emulator.requests_to("GET", "/outputs/")) == 1
        assert [r.finished for r in reports] == [{"completed": [job_id]}] * 3
        assert len(await container.asset_library().list("u1")) == 1


async def test_the_poll_interval_and_deadline_settings_are_honoured(environment, wavespeed_emulator):
    wavespeed_emulator.script(Scenario("hang"))
    settings = environment(VIDEOFORGE_POLL_INTERVAL="0.05", VIDEOFORGE_POLL_DEADLINE="0.5")
    container = build_container(settings)
    async with open_container(container=container):
        with pytest.raises(JobNotFinishedError) as caught:
            await container.generate_video()(text_request())

    job = caught.value.job
    [task_id] = wavespeed_emulator.tasks
    assert job.status is JobStatus.PROCESSING and job.provider_job_id == task_id  # kept for a later resume
    assert 5 <= wavespeed_emulator.polls[task_id] <= 12  # about deadline / interval
    assert (await reservation_of(container.quota_guard(), job.id)).state == ReservationState.RESERVED


async def test_an_image_input_is_uploaded_and_its_url_submitted(container, wavespeed_emulator):
    image = png(640, 480) + bytes(600_000)  # big enough to go up by upload rather than inline
    request = VideoRequest(operation=OperationType.IMAGE_TO_VIDEO, user_id="u1", prompt="slow zoom",
                           model="wavespeed-ai/hunyuan-video-1.5/image-to-video", duration=5, resolution="480p",
                           image=MediaInput.from_bytes(MediaKind.IMAGE, image, "image/png", "i.png"))

    result = await container.generate_video()(request)

    [task] = wavespeed_emulator.tasks.values()
    assert wavespeed_emulator.uploads[task.payload["image"].rsplit("/", 1)[1]] == image
    assert (result.width, result.height) == (832, 480)


async def test_a_build_with_a_key_and_no_fakes_serves_wavespeed(environment):
    container = build_container(environment())
    async with open_container(container=container):
        assert set(container.video_providers()) == {"wavespeed", "local"}
        client = container.wavespeed_client()
        assert not client.is_closed
    assert client.is_closed


async def test_the_api_key_reaches_no_job_record_and_no_log(container, wavespeed_emulator, caplog):
    key = wavespeed_emulator.api_key
    caplog.set_level(logging.DEBUG)
    wavespeed_emulator.script(Scenario.reject(400, f"request signed by {key} is malformed"),
                              Scenario.fail(1403, f"worker saw Authorization: Bearer {key}"))
    failures = []
    for _ in range(2):
        with pytest.raises(JobFailedError) as caught:
            await container.generate_video()(text_request())
        failures.append(caught.value)

    for failure in failures:
        record = await container.job_repository().get(failure.job.id)
        assert "[redacted]" in record.error.message
        assert key not in repr(record) and key not in str(failure) and key not in repr(failure)
    assert key not in caplog.text


async def test_webhook_settings_give_the_api_a_verifier_and_a_callback(environment, wavespeed_emulator):
    settings = environment(VIDEOFORGE_WAVESPEED_WEBHOOK_URL="https://api.example.com/hooks/wavespeed",
                           VIDEOFORGE_WAVESPEED_WEBHOOK_SECRET=wavespeed_emulator.webhook_secret)
    container = build_container(settings)
    async with open_container(container=container):
        assert isinstance(container.wavespeed_webhooks(), WebhookVerifier)
        await container.video_providers()["wavespeed"].submit(
            ProviderTask("j", container.catalog().plan(text_request()).render_spec()))
    [task] = wavespeed_emulator.tasks.values()
    assert task.webhook == "https://api.example.com/hooks/wavespeed"
    assert build_container(environment(VIDEOFORGE_WAVESPEED_WEBHOOK_SECRET="")).wavespeed_webhooks() is None


def test_a_webhook_url_that_is_not_https_is_a_configuration_error(environment):
    with pytest.raises(ConfigurationError, match="VIDEOFORGE_WAVESPEED_WEBHOOK_URL"):
        build_container(environment(VIDEOFORGE_WAVESPEED_WEBHOOK_URL="http://api.example.com/hook",
                                    VIDEOFORGE_WAVESPEED_BASE_URL="https://api.wavespeed.ai",
                                    VIDEOFORGE_ALLOW_PRIVATE_URLS="false"))
