"""The unified pipeline through the container, on the shipped fakes."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from tests.contracts.builders import text_request
from videoforge.adapters.fakes import Outcome, fake_audio, fake_image, fake_video
from videoforge.application.errors import JobFailedError, JobNotCancellableError, JobNotFinishedError
from videoforge.application.ports.provider import ProviderTask
from videoforge.application.ports.storage import StorageError
from videoforge.application.sources import InputSource
from videoforge.domain import (
    DEFAULT_PLANS,
    Cost,
    ErrorCode,
    InvalidRequestError,
    JobStatus,
    MediaInput,
    MediaKind,
    OperationType,
    Plan,
    QuotaExceededError,
    VideoRequest,
    default_catalog,
)
from videoforge.domain.quota import ReservationState


class Crash(BaseException):
    """Stands for the process dying at that point: nothing after it runs."""


async def test_success_stores_one_file_one_asset_one_usage_and_settles_the_actual_cost(harness):
    harness.provider.script(Outcome.succeed(after_polls=3, billed_seconds=4))
    result = await harness.container.generate_video()(text_request())

    assert harness.videos() == [result.file_path]
    assert list(harness.assets.assets) == [result.asset_id]
    asset = harness.assets.assets[result.asset_id]
    assert (asset.width, asset.height, asset.duration, asset.source_module) == (1280, 720, 5.0, "main_video_generation")
    assert asset.thumbnail_key in harness.storage.objects and asset.sha256 == result.sha256
    [record] = harness.usage.events.values()
    assert record.job_id == result.job_id and record.cost == Cost("0.16")
    reservation = harness.quota.reservations[result.job_id]
    assert reservation.state == ReservationState.SETTLED and reservation.actual == Cost("0.16")
    assert result.cost == Cost("0.16") and result.prediction_id == "fake-1"
    job = await harness.jobs.get(result.job_id)
    assert job.status is JobStatus.COMPLETED and job.progress == 100 and job.money_spent is True
    legacy = result.legacy_dict()
    assert {"prompt", "duration", "model_name", "cost", "provider", "resolution", "width", "height", "metadata",
            "source_video_url", "prediction_id"} <= set(legacy)
    assert legacy["cost"] == 0.16 and legacy["model_name"] == "wavespeed-ai/hunyuan-video-1.5/text-to-video"


async def test_refused_quota_submits_nothing_stores_nothing_records_nothing(harness):
    harness.quota.assign("u1", DEFAULT_PLANS["free"])
    for _ in range(2):
        await harness.container.generate_video()(text_request())
    harness.storage.objects.clear()

    with pytest.raises(QuotaExceededError) as caught:
        await harness.container.generate_video()(text_request())

    info = caught.value.usage_info
    assert info["error_type"] == "video_limit" and caught.value.error_type == "video_limit"
    assert (info["current_calls"], info["limit"], info["requested_cost"]) == (2, 2, Decimal("0.2"))  # exact
    assert "current_cost" in info and "cost_limit" in info
    assert len(harness.provider.submissions) == 2
    assert harness.storage.objects == {} and len(harness.usage.events) == 2 and len(harness.jobs.jobs) == 2


async def test_provider_failure_releases_and_records_nothing(harness):
    harness.provider.script(Outcome.fail(ErrorCode.CONTENT_MODERATION, provider_code=1200,
                                         message="flagged by moderation", after_polls=2))
    with pytest.raises(JobFailedError) as caught:
        await harness.container.generate_video()(text_request())

    job = caught.value.job
    assert caught.value.code == "content_moderation" and "moderation" in caught.value.message
    assert job.status is JobStatus.FAILED and job.error.provider_code == 1200 and job.money_spent is False
    assert harness.quota.reservations[job.id].state == ReservationState.RELEASED
    assert harness.storage.objects == {} and harness.assets.assets == {} and harness.usage.events == {}


async def test_refused_submission_fails_the_job_and_releases(harness):
    harness.provider.script(Outcome.reject("insufficient credit", provider_code=None, insufficient_credit=True))
    with pytest.raises(JobFailedError) as caught:
        await harness.container.generate_video()(text_request())
    assert caught.value.code == "insufficient_credit"
    assert harness.quota.reservations[caught.value.job.id].state == ReservationState.RELEASED


async def test_hundred_concurrent_requests_on_a_ten_video_plan(harness):
    harness.quota.assign("u1", DEFAULT_PLANS["basic"])
    generate = harness.container.generate_video()
    results = await asyncio.gather(*(generate(text_request()) for _ in range(100)), return_exceptions=True)

    done = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, QuotaExceededError)]
    assert (len(done), len(refused)) == (10, 90)
    summary = await harness.usage.summary("u1", harness.period)
    assert summary.video_calls == 10 and summary.video_cost == Cost("2.00")
    assert len(harness.provider.submissions) == 10 and len(harness.videos()) == 10


async def test_job_interrupted_while_processing_is_finished_by_resume_without_resubmitting(harness):
    harness.provider.script(Outcome.succeed(after_polls=3))
    harness.provider.fail_next("poll", Crash())
    job = await harness.container.submit_video()(text_request())
    with pytest.raises(Crash):
        await harness.container.run_job()(job.id)
    assert (await harness.jobs.get(job.id)).status is JobStatus.PROCESSING

    report = await harness.container.resume_jobs()()

    assert report.finished == {"completed": [job.id]}
    assert len(harness.provider.submissions) == 1
    assert (await harness.jobs.get(job.id)).status is JobStatus.COMPLETED
    assert len(harness.usage.events) == 1


async def test_resume_with_a_dispatcher_dispatches_the_unfinished_jobs_instead_of_running_them(harness):
    harness.provider.script(Outcome.succeed(after_polls=3))
    harness.provider.fail_next("poll", Crash())
    job = await harness.container.submit_video()(text_request())
    with pytest.raises(Crash):
        await harness.container.run_job()(job.id)
    dispatched: list[str] = []

    class Dispatcher:
        async def dispatch(self, job_id: str) -> None:
            dispatched.append(job_id)

    report = await harness.container.resume_jobs(dispatcher=Dispatcher())()

    assert report.dispatched == dispatched == [job.id] and report.finished == {}
    assert (await harness.jobs.get(job.id)).status is JobStatus.PROCESSING  # left to the queue's worker


async def test_job_interrupted_while_submitting_becomes_unknown_outcome_and_keeps_its_reservation(harness):
    harness.provider.fail_next("submit", Crash())
    job = await harness.container.submit_video()(text_request())
    with pytest.raises(Crash):
        await harness.container.run_job()(job.id)
    assert (await harness.jobs.get(job.id)).status is JobStatus.SUBMITTING

    early = await harness.container.resume_jobs()()  # another process may still be waiting on the provider
    assert early.in_flight == [job.id] and (await harness.jobs.get(job.id)).status is JobStatus.SUBMITTING
    harness.clock.advance(901)  # past the submission grace: it crashed
    report = await harness.container.resume_jobs()()
    again = await harness.container.resume_jobs()()

    job = await harness.jobs.get(job.id)
    assert job.status is JobStatus.UNKNOWN_OUTCOME and job.money_spent is None
    assert report.awaiting_reconciliation == [job.id] and again.awaiting_reconciliation == [job.id]
    assert harness.provider.submissions == []
    assert harness.quota.reservations[job.id].state == ReservationState.RESERVED


async def test_submit_without_an_answer_is_unknown_outcome_and_never_resubmitted(harness):
    harness.provider.script(Outcome.outcome_unknown(created=True))
    with pytest.raises(JobFailedError) as caught:
        await harness.container.generate_video()(text_request())
    assert caught.value.code == "unknown_outcome"
    await harness.container.resume_jobs()()
    assert len(harness.provider.submissions) == 1
    assert harness.quota.reservations[caught.value.job.id].state == ReservationState.RESERVED


async def test_a_job_crashed_while_saving_is_saved_once_on_resume(harness):
    harness.usage.fail_next("record", Crash())
    job = await harness.container.submit_video()(text_request())
    with pytest.raises(Crash):
        await harness.container.run_job()(job.id)
    assert (await harness.jobs.get(job.id)).status is JobStatus.SAVING

    await harness.container.resume_jobs()()

    assert (await harness.jobs.get(job.id)).status is JobStatus.COMPLETED
    assert len(harness.assets.assets) == 1 and len(harness.usage.events) == 1 and len(harness.videos()) == 1
    assert len(harness.provider.submissions) == 1


async def test_a_failed_job_whose_process_died_before_releasing_is_released_by_resume(harness):
    harness.provider.script(Outcome.fail(ErrorCode.CONTENT_MODERATION, message="flagged"))
    harness.quota.fail_next("release", Crash())
    job = await harness.container.submit_video()(text_request())
    with pytest.raises(Crash):
        await harness.container.run_job()(job.id)
    assert (await harness.jobs.get(job.id)).status is JobStatus.FAILED
    assert harness.quota.reservations[job.id].state == ReservationState.RESERVED

    report = await harness.container.resume_jobs()()

    assert report.released == [job.id] and report.finished == {}
    assert harness.quota.reservations[job.id].state == ReservationState.RELEASED


async def test_a_reservation_whose_job_was_never_recorded_is_released_once_past_the_grace(harness):
    harness.jobs.fail_next("add", Crash())
    harness.quota.fail_next("release", Crash())  # the process is dead: SubmitVideo's own cleanup never runs
    with pytest.raises(Crash):
        await harness.container.submit_video()(text_request())
    [orphan] = harness.quota.reservations

    assert (await harness.container.resume_jobs()()).released == []  # it may be being recorded right now
    harness.clock.advance(11 * 60)
    assert (await harness.container.resume_jobs()()).released == [orphan]
    assert harness.quota.reservations[orphan].state == ReservationState.RELEASED


async def test_same_idempotency_key_returns_the_same_job_and_submits_once(harness):
    generate = harness.container.generate_video()
    first = await generate(text_request(idempotency_key="order-42"))
    second = await generate(text_request(idempotency_key="order-42"))
    assert first.job_id == second.job_id and first.asset_id == second.asset_id
    assert len(harness.provider.submissions) == 1 and len(harness.quota.reservations) == 1
    other_user = await generate(text_request("u2", idempotency_key="order-42"))
    assert other_user.job_id != first.job_id


async def test_concurrent_requests_with_one_idempotency_key_make_one_job(harness):
    submit = harness.container.submit_video()
    jobs = await asyncio.gather(*(submit(text_request(idempotency_key="k")) for _ in range(20)))
    assert len({j.id for j in jobs}) == 1 and len(harness.jobs.jobs) == 1
    held = [r for r in harness.quota.reservations.values() if r.state == ReservationState.RESERVED]
    assert len(held) == 1


async def test_progress_follows_the_legacy_scale(harness):
    harness.provider.script(Outcome.succeed(after_polls=4))
    seen: list[float] = []
    await harness.container.generate_video()(text_request(), progress=lambda p, m: seen.append(p))
    assert seen[:2] == [5, 10] and seen[-2:] == [90, 100]
    working = seen[2:-2]
    assert working and all(20 <= p <= 80 for p in working) and working == sorted(working)


async def test_an_async_or_failing_progress_callback_is_fine(harness):
    seen = []

    async def record(percent, message):
        seen.append(percent)
        raise RuntimeError("the caller's bug")

    result = await harness.container.generate_video()(text_request(), progress=record)
    assert result.asset_id and seen[-1] == 100


async def test_a_job_past_the_deadline_stays_resumable(harness):
    harness.provider.script(Outcome.hang())
    with pytest.raises(JobNotFinishedError):
        await harness.container.generate_video()(text_request())
    [job] = harness.jobs.jobs.values()
    assert job.status is JobStatus.PROCESSING and job.provider_job_id == "fake-1"
    assert harness.quota.reservations[job.id].state == ReservationState.RESERVED
    assert harness.clock.monotonic() >= 600

    harness.provider.tasks["fake-1"].outcome = Outcome.succeed()
    await harness.container.resume_jobs()()
    assert (await harness.jobs.get(job.id)).status is JobStatus.COMPLETED
    assert len(harness.provider.submissions) == 1


async def test_an_output_that_is_not_a_video_is_refused_and_not_kept(harness):
    harness.provider.script(Outcome.garbage())
    with pytest.raises(JobFailedError) as caught:
        await harness.container.generate_video()(text_request())
    assert caught.value.code == "output_invalid" and caught.value.job.money_spent is True
    assert harness.storage.objects == {} and harness.assets.assets == {} and harness.usage.events == {}
    assert harness.quota.reservations[caught.value.job.id].state == ReservationState.RELEASED


async def test_a_download_breaking_off_leaves_no_file_and_is_fetched_again_on_resume(harness):
    harness.provider.script(Outcome.truncated())
    with pytest.raises(JobNotFinishedError):
        await harness.container.generate_video()(text_request())
    [job] = harness.jobs.jobs.values()
    assert job.status is JobStatus.SAVING and harness.storage.objects == {} and harness.assets.assets == {}
    assert harness.quota.reservations[job.id].state == ReservationState.RESERVED

    harness.provider.tasks["fake-1"].outcome = Outcome.succeed()
    await harness.container.resume_jobs()()
    assert (await harness.jobs.get(job.id)).status is JobStatus.COMPLETED and len(harness.videos()) == 1
    assert len(harness.provider.submissions) == 1


async def test_a_storage_failure_midway_leaves_no_file_and_the_job_resumable(harness):
    harness.storage.fail_next("save_chunk", StorageError("disk full"))
    with pytest.raises(JobNotFinishedError):
        await harness.container.generate_video()(text_request())
    [job] = harness.jobs.jobs.values()
    assert job.status is JobStatus.SAVING
    assert harness.storage.objects == {} and harness.assets.assets == {} and harness.usage.events == {}

    await harness.container.resume_jobs()()
    assert (await harness.jobs.get(job.id)).status is JobStatus.COMPLETED and len(harness.videos()) == 1


async def test_an_output_over_the_storage_cap_fails_the_job_and_releases(harness):
    harness.storage.max_bytes = 50
    with pytest.raises(JobFailedError) as caught:
        await harness.container.generate_video()(text_request())
    assert caught.value.code == "storage_failed" and harness.storage.objects == {}
    assert harness.quota.reservations[caught.value.job.id].state == ReservationState.RELEASED


async def test_cancelling_a_pending_job_releases_it(harness):
    job = await harness.container.submit_video()(text_request())
    cancelled = await harness.container.cancel_job()(job.id, "u1")
    assert cancelled.status is JobStatus.CANCELLED
    assert harness.quota.reservations[job.id].state == ReservationState.RELEASED
    assert (await harness.container.run_job()(job.id)).status is JobStatus.CANCELLED
    assert harness.provider.submissions == []


async def test_cancelling_a_running_job_stops_it_at_the_provider_and_in_the_runner(harness):
    harness.provider.script(Outcome.hang())
    job = await harness.container.submit_video()(text_request())
    running = asyncio.create_task(harness.container.run_job()(job.id))
    for _ in range(100):  # let the runner submit and start polling
        if harness.provider.polls:
            break
        await asyncio.sleep(0)
    cancelled = await harness.container.cancel_job()(job.id, "u1")
    final = await running
    assert cancelled.status is JobStatus.CANCELLED and final.status is JobStatus.CANCELLED
    assert harness.provider.cancel_requests == ["fake-1"]
    assert harness.quota.reservations[job.id].state == ReservationState.RELEASED


async def test_a_refused_provider_cancel_is_reported_and_the_job_goes_on(harness):
    harness.provider.accept_cancel = False
    harness.provider.script(Outcome.succeed(after_polls=2))
    job = await harness.container.submit_video()(text_request())
    harness.provider.fail_next("poll", Crash())
    with pytest.raises(Crash):
        await harness.container.run_job()(job.id)
    with pytest.raises(JobNotCancellableError, match="did not accept"):
        await harness.container.cancel_job()(job.id, "u1")
    assert (await harness.container.run_job()(job.id)).status is JobStatus.COMPLETED


async def test_another_users_job_is_not_found(harness):
    from videoforge.application.ports.jobs import JobNotFoundError

    job = await harness.container.submit_video()(text_request())
    with pytest.raises(JobNotFoundError):
        await harness.container.get_job()(job.id, "u2")
    with pytest.raises(JobNotFoundError):
        await harness.container.cancel_job()(job.id, "u2")
    assert (await harness.container.get_job()(job.id, "u1")).id == job.id


def image(data: bytes | None = None, content_type: str = "image/png", size: int | None = None) -> MediaInput:
    data = data if data is not None else fake_image()
    if size is not None:
        data = data + b"\0" * (size - len(data))
    return MediaInput.from_bytes(MediaKind.IMAGE, data, content_type, "face.png")


def audio(seconds: float) -> MediaInput:
    return MediaInput.from_bytes(MediaKind.AUDIO, fake_audio(seconds), "audio/mpeg", "voice.mp3")


def video(seconds: float, width: int = 1280, height: int = 720) -> MediaInput:
    return MediaInput.from_bytes(MediaKind.VIDEO, fake_video(seconds, width, height), "video/mp4", "clip.mp4")


async def test_a_pending_job_whose_bytes_input_was_not_kept_fails_cleanly_and_releases(harness):
    job = await harness.container.submit_video()(
        VideoRequest(operation="image-to-video", user_id="u1", image=image(), prompt="pan slowly"))
    # what a database hands back after a restart: the bytes are gone, their description stays
    stored = harness.jobs.jobs[job.id]
    stored.request = stored.request.with_(image=MediaInput.not_kept(MediaKind.IMAGE, "image/png",
                                                                    stored.request.image.size, "face.png"))

    done = await harness.container.run_job()(job.id)

    assert done.status is JobStatus.FAILED and done.error.code == ErrorCode.INPUT_NOT_KEPT
    assert "image input was given in memory" in done.error.message and "send the request again" in done.error.message
    assert done.money_spent is False and harness.provider.submissions == []
    assert harness.quota.reservations[job.id].state == ReservationState.RELEASED


async def test_avatar_is_billed_by_the_length_of_its_audio(harness):
    request = VideoRequest(operation="talking-avatar", user_id="u1", image=image(), audio=audio(7.2),
                           model="infinitetalk", resolution="720p")
    estimate = await harness.container.estimate_cost()(request)
    assert estimate.billed_seconds == 7.2 and estimate.cost == Cost("0.48")  # 8 s x $0.06
    result = await harness.container.generate_video()(request)
    assert result.duration == 7.2 and result.cost == Cost("0.48")
    short = await harness.container.estimate_cost()(request.with_(audio=audio(2.0)))
    assert short.cost == Cost("0.30")  # the 5 s minimum


async def test_enhance_is_billed_by_the_input_video_and_reaches_the_target_resolution(harness):
    request = VideoRequest(operation=OperationType.ENHANCE, user_id="u1", video=video(12.0), resolution="1080p")
    result = await harness.container.generate_video()(request)
    assert result.model_name == "wavespeed-ai/flashvsr" and result.cost == Cost("0.216")  # 12 s x $0.018
    assert (result.width, result.height, result.duration) == (1920, 1080, 12.0)


async def test_extend_adds_the_requested_seconds(harness):
    request = VideoRequest(operation="extend", user_id="u1", video=video(6.0), duration=4, prompt="keep going")
    result = await harness.container.generate_video()(request)
    assert result.duration == 10.0 and result.cost == Cost("0.40")


def test_a_provider_task_carries_exactly_the_inputs_its_spec_names():
    request = VideoRequest(operation="image-to-video", user_id="u1", image=image(), prompt="pan slowly")
    spec = default_catalog().plan(request, "wavespeed").render_spec()
    with pytest.raises(ValueError, match=r"inputs \(none\) are not the ones its spec names \(image\)"):
        ProviderTask("j", spec)
    with pytest.raises(ValueError, match=r"inputs \(audio, image\)"):
        ProviderTask("j", spec, {MediaKind.IMAGE: InputSource(image()), MediaKind.AUDIO: InputSource(image())})


async def test_image_to_video_sends_the_image_under_the_models_field(harness):
    request = VideoRequest(operation="image-to-video", user_id="u1", image=image(), prompt="pan slowly")
    result = await harness.container.generate_video()(request)
    [task] = harness.provider.submissions
    assert result.model_name == "alibaba/wan-2.5/image-to-video"
    assert set(task.inputs) == {MediaKind.IMAGE} and task.spec.resolution == "720p"
    assert b"".join([c async for c in task.inputs["image"].chunks()]) == image().data


INVALID = [
    ("prompt", lambda: VideoRequest(operation="text_to_video", user_id="u1")),
    ("image", lambda: VideoRequest(operation="image_to_video", user_id="u1", prompt="x")),
    ("audio", lambda: VideoRequest(operation="avatar", user_id="u1", image=image())),
    ("duration", lambda: text_request(duration=7)),
    ("resolution", lambda: text_request(resolution="1080p")),
    ("model", lambda: text_request(model="hunyuan")),
    ("model", lambda: text_request(model="wavespeed-ai/infinitetalk")),
    ("prompt", lambda: text_request(prompt="x" * 2001)),
    ("image", lambda: VideoRequest(operation="image_to_video", user_id="u1", image=image(size=11 * 1024 * 1024))),
    ("image", lambda: VideoRequest(operation="image_to_video", user_id="u1", image=image(b"plain text"))),
    ("audio", lambda: VideoRequest(operation="avatar", user_id="u1", image=image(), audio=audio(601),
                                   model="infinitetalk")),
]


@pytest.mark.parametrize("field,build", INVALID)
async def test_invalid_requests_are_refused_before_anything_is_reserved(harness, field, build):
    with pytest.raises(InvalidRequestError) as caught:
        await harness.container.generate_video()(build())
    assert caught.value.field == field and str(caught.value).startswith(f"{field}:")
    assert harness.quota.reservations == {} and harness.jobs.jobs == {} and harness.provider.submissions == []


async def test_refusals_list_what_is_allowed(harness):
    with pytest.raises(InvalidRequestError, match=r"allowed: 5, 8, 10"):
        await harness.container.generate_video()(text_request(duration=7))
    with pytest.raises(InvalidRequestError, match=r"allowed: 480p, 720p"):
        await harness.container.generate_video()(text_request(resolution="4k"))
    with pytest.raises(InvalidRequestError, match=r"does avatar, not text_to_video.*allowed: .*ltx-2-pro"):
        await harness.container.generate_video()(text_request(model="wavespeed-ai/infinitetalk"))


async def test_estimate_reports_price_and_quota_without_reserving(harness):
    harness.quota.assign("u1", DEFAULT_PLANS["free"])
    estimate = await harness.container.estimate_cost()(text_request(model="alibaba/wan-2.5/text-to-video",
                                                                    resolution="1080p", duration=10))
    assert estimate.cost == Cost("1.50") and estimate.allowed and harness.quota.reservations == {}
    too_dear = await harness.container.estimate_cost()(text_request(model="ltx-2-fast", duration=20, resolution=None,
                                                                     aspect_ratio=None))
    assert too_dear.cost == Cost("0.80") and too_dear.allowed
    over = await harness.container.estimate_cost()(
        text_request(model="alibaba/wan-2.5/text-to-video", resolution="1080p", duration=10).with_(user_id="u9"))
    assert over.allowed  # $1.50 <= $2 free plan
    harness.quota.assign("u1", Plan("tiny", 0, Cost("1")))
    refused = await harness.container.estimate_cost()(text_request(model="alibaba/wan-2.5/text-to-video",
                                                                   resolution="1080p", duration=10))
    assert not refused.allowed and refused.quota.usage_info["error_type"] == "cost_limit"


async def test_list_models_filters_by_operation(harness):
    avatars = await harness.container.list_models()("talking-avatar")
    assert {m.id for m in avatars} == {"wavespeed-ai/infinitetalk", "wavespeed-ai/hunyuan-avatar"}
    assert len(await harness.container.list_models()()) == 26


async def test_a_webhook_drives_the_job_that_owns_the_task(harness):
    from videoforge.application.use_cases import HandleProviderWebhook

    harness.provider.script(Outcome.succeed(after_polls=1))
    job = await harness.container.submit_video()(text_request())
    harness.provider.fail_next("poll", Crash())
    with pytest.raises(Crash):
        await harness.container.run_job()(job.id)
    handle = HandleProviderWebhook(harness.jobs, harness.container.run_job())
    assert await handle("wavespeed", "unknown-task") is None
    done = await handle("wavespeed", "fake-1")
    assert done.status is JobStatus.COMPLETED
    assert await handle("wavespeed", "fake-1") is None  # a repeated delivery changes nothing


async def test_two_callers_with_one_key_get_one_video_and_one_submission(harness):
    harness.provider.script(Outcome.succeed(after_polls=3))
    generate = harness.container.generate_video()

    async def later_caller():
        await asyncio.sleep(0)  # one tick after the first: its job exists, maybe mid-submission
        return await generate(text_request(idempotency_key="k"))

    first, second = await asyncio.gather(generate(text_request(idempotency_key="k")), later_caller())
    assert first.job_id == second.job_id and first.asset_id == second.asset_id
    assert len(harness.provider.submissions) == 1 and len(harness.usage.events) == 1


async def test_a_key_reused_for_a_different_request_is_refused(harness):
    await harness.container.generate_video()(text_request(idempotency_key="k"))
    with pytest.raises(InvalidRequestError, match="idempotency_key: was already used for a different request"):
        await harness.container.generate_video()(text_request(idempotency_key="k", prompt="something else"))
    assert len(harness.provider.submissions) == 1


async def run_with_a_held_submission(harness):
    """Starts running a new job whose submission waits at the provider until `gate` is set."""
    gate = asyncio.Event()
    real_submit = harness.provider.submit

    async def held_submit(task):
        await gate.wait()
        return await real_submit(task)

    harness.provider.submit = held_submit
    job = await harness.container.submit_video()(text_request())
    running = asyncio.create_task(harness.container.run_job()(job.id))
    for _ in range(50):
        await asyncio.sleep(0)
    return gate, job, running


async def test_a_submission_judged_lost_meanwhile_keeps_its_provider_id(harness):
    gate, job, running = await run_with_a_held_submission(harness)
    stale = await harness.jobs.get(job.id)
    assert stale.status is JobStatus.SUBMITTING
    stale.mark_outcome_unknown(harness.clock.now(), "judged lost by another process")
    await harness.jobs.save(stale)
    gate.set()
    final = await running
    assert final.status is JobStatus.COMPLETED and final.provider_job_id == "fake-1"
    assert len(harness.provider.submissions) == 1


async def test_an_unknown_outcome_cannot_be_cancelled_and_is_reconciled_by_a_person(harness):
    from videoforge.application.use_cases import ReconcileJob

    harness.provider.script(Outcome.outcome_unknown(created=True), Outcome.outcome_unknown(created=False))
    with pytest.raises(JobFailedError) as found:
        await harness.container.generate_video()(text_request())
    with pytest.raises(JobFailedError) as absent:
        await harness.container.generate_video()(text_request())
    with pytest.raises(JobNotCancellableError):
        await harness.container.cancel_job()(found.value.job.id, "u1")

    reconcile = ReconcileJob(harness.jobs, harness.quota, harness.clock)
    await reconcile(found.value.job.id, "fake-1")
    done = await harness.container.run_job()(found.value.job.id)
    assert done.status is JobStatus.COMPLETED
    assert harness.quota.reservations[done.id].state == ReservationState.SETTLED
    gone = await reconcile(absent.value.job.id, None)
    assert gone.status is JobStatus.FAILED and gone.error.code == "not_submitted" and gone.money_spent is False
    assert harness.quota.reservations[gone.id].state == ReservationState.RELEASED
    assert len(harness.provider.submissions) == 2


async def test_a_provider_unreadable_for_a_while_does_not_stop_the_job(harness):
    from videoforge.application.ports.provider import ProviderUnavailableError

    harness.provider.script(Outcome.succeed(after_polls=2))
    harness.provider.fail_next("poll", ProviderUnavailableError("503 from the provider"), times=3)
    result = await harness.container.generate_video()(text_request())
    assert result.asset_id and len(harness.provider.submissions) == 1


async def test_stopping_during_a_submission_still_records_the_provider_id(harness):
    gate, job, running = await run_with_a_held_submission(harness)
    running.cancel()  # a shutdown
    for _ in range(5):
        await asyncio.sleep(0)
    gate.set()
    with pytest.raises(asyncio.CancelledError):
        await running
    stored = await harness.jobs.get(job.id)
    assert stored.status is JobStatus.PROCESSING and stored.provider_job_id == "fake-1"


async def test_a_busy_provider_is_asked_again_and_nothing_is_created_twice(harness):
    busy = Outcome.reject("429 too many requests", provider_code=429, retryable=True)
    harness.provider.script(busy, busy, Outcome.succeed())
    result = await harness.container.generate_video()(text_request())
    assert result.asset_id and len(harness.provider.tasks) == 1 and len(harness.provider.submissions) == 3
    assert harness.clock.slept[:2] == [2.0, 4.0]  # interval x 2^n between attempts


async def test_a_provider_busy_for_too_long_fails_the_job_and_releases(harness):
    harness.provider.default = Outcome.reject("429 too many requests", provider_code=429, retryable=True)
    with pytest.raises(JobFailedError) as caught:
        await harness.container.generate_video()(text_request())
    assert caught.value.code == "provider_rejected" and "429" in caught.value.message
    assert len(harness.provider.submissions) == 5 and harness.provider.tasks == {}
    assert harness.quota.reservations[caught.value.job.id].state == ReservationState.RELEASED
