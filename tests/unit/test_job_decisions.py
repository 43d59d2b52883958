"""What the domain decides about a job as it runs: why it failed and whether the provider billed
it, what it actually cost, and the asset and usage record of its delivery."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.contracts.builders import job, later, text_request
from videoforge.domain import (
    Cost,
    ErrorCode,
    JobError,
    MediaInfo,
    MediaInput,
    MediaKind,
    StoredObject,
    VideoRequest,
    default_catalog,
)
from videoforge.domain.delivery import Delivery, KeptOutput, actual_cost
from videoforge.domain.outcome import Failure, ProviderState, cannot_submit, ended_without_output

HUNYUAN = default_catalog().get("wavespeed-ai/hunyuan-video-1.5/text-to-video")  # $0.04 a second at 720p


class TestProviderEnd:
    def test_a_failed_task_keeps_the_providers_code_and_words_and_cost_nothing(self):
        failure = ended_without_output(ProviderState.FAILED, error_code=ErrorCode.CONTENT_MODERATION,
                                       error_message="flagged by moderation", provider_code=1200)
        assert failure == Failure(JobError(ErrorCode.CONTENT_MODERATION, "flagged by moderation", provider_code=1200),
                                  money_spent=False)

    @pytest.mark.parametrize("state,code,message", [
        (ProviderState.FAILED, ErrorCode.TASK_FAILED, "the provider could not generate the video"),
        (ProviderState.CANCELLED, ErrorCode.PROVIDER_CANCELLED, "the provider cancelled the task"),
        (ProviderState.EXPIRED, ErrorCode.PROVIDER_EXPIRED, "the provider timed out or deleted the task"),
    ])
    def test_an_end_state_without_the_providers_words_says_what_it_means(self, state, code, message):
        failure = ended_without_output(state)
        assert (failure.error.code, failure.error.message, failure.money_spent) == (code, message, False)

    def test_a_task_completed_without_an_output_was_still_billed(self):
        failure = ended_without_output(ProviderState.COMPLETED)
        assert failure.error == JobError(ErrorCode.OUTPUT_INVALID, "no output was returned")
        assert failure.money_spent is True

    def test_a_refused_submission_cost_nothing_and_a_lost_output_was_paid_for(self):
        refused = Failure.refused(ErrorCode.INSUFFICIENT_CREDIT, "insufficient credit", 1401)
        assert refused.error == JobError(ErrorCode.INSUFFICIENT_CREDIT,
                                         "the provider refused the request: insufficient credit", provider_code=1401)
        assert refused.money_spent is False
        paid = [Failure.output_unfetchable("410 gone"), Failure.output_unstorable("over the cap"),
                Failure.output_unplayable("not a video")]
        assert [(f.error.code, f.money_spent) for f in paid] == [
            (ErrorCode.OUTPUT_INVALID, True), (ErrorCode.STORAGE_FAILED, True), (ErrorCode.OUTPUT_INVALID, True)]
        assert paid[1].error.message == "the video cannot be stored: over the cap"


class TestCannotSubmit:
    def test_a_job_with_its_provider_and_inputs_can_be_sent(self):
        assert cannot_submit(job(), provider_configured=True) is None

    def test_a_job_whose_provider_is_not_configured_fails_without_cost(self):
        failure = cannot_submit(job(), provider_configured=False)
        assert failure.error.code == ErrorCode.PROVIDER_UNAVAILABLE and failure.money_spent is False
        assert failure.error.message == "provider wavespeed is not configured"

    def test_a_job_whose_bytes_inputs_were_lost_to_a_restart_names_them(self):
        lost = VideoRequest(operation="avatar", user_id="u1",
                            image=MediaInput.not_kept(MediaKind.IMAGE, "image/png", 10),
                            audio=MediaInput.not_kept(MediaKind.AUDIO, "audio/mpeg", 10))
        failure = cannot_submit(job(request=lost), provider_configured=True)
        assert failure.error.code == ErrorCode.INPUT_NOT_KEPT and failure.money_spent is False
        assert failure.error.message.startswith("the image and audio input was given in memory")


class TestActualCost:
    def test_is_the_providers_billed_seconds_priced_by_the_models_rule(self):
        j = delivered_job(billed_seconds=4)
        assert actual_cost(j, HUNYUAN) == Cost("0.16")
        assert actual_cost(delivered_job(billed_seconds=4.2), HUNYUAN) == Cost("0.20")  # whole seconds, up

    def test_is_the_estimate_when_the_provider_reports_nothing(self):
        j = delivered_job(billed_seconds=None)
        j.estimated_cost = Cost("0.33")
        assert actual_cost(j, HUNYUAN) == Cost("0.33")


class TestDelivery:
    def test_the_asset_is_the_stored_file_described_by_its_probe_and_the_request(self):
        j = delivered_job(billed_seconds=4)
        asset = delivery(j).asset("asset-1")
        assert (asset.id, asset.user_id, asset.job_id, asset.source_module) == ("asset-1", "u1", j.id,
                                                                                 "main_video_generation")
        assert (asset.storage_key, asset.filename, asset.file_url) == (
            f"videos/u1/2026/01/{j.id}.mp4", f"{j.id}.mp4", "memory://v.mp4")
        assert (asset.file_size, asset.sha256, asset.mime_type) == (2048, "cd" * 32, "video/mp4")
        assert (asset.duration, asset.width, asset.height, asset.fps, asset.codec, asset.has_audio) == (
            5.0, 1280, 720, 24.0, "h264", True)
        assert (asset.operation, asset.provider, asset.model, asset.prompt) == (
            "text_to_video", "wavespeed", HUNYUAN.id, "a cat on a boat")
        assert asset.cost == Cost("0.16") and asset.created_at == later(6) and asset.generation_time == 360.0
        assert asset.thumbnail_key == "thumbnails/u1/x.jpg"
        assert asset.title == "a cat on a boat" and asset.tags == ("main_video_generation", "text_to_video", "720p")
        assert asset.metadata == {"resolution": "720p", "duration": 5.0, "operation": "text_to_video",
                                  "width": 1280, "height": 720, "provider_job_id": "task-1"}

    def test_an_asset_without_a_prompt_is_titled_by_its_operation_and_a_long_prompt_is_cut(self):
        enhance = VideoRequest(operation="enhance", user_id="u1", resolution="1080p",
                               video=MediaInput.from_path(MediaKind.VIDEO, "/in/clip.mp4", "video/mp4", 4096))
        assert delivery(delivered_job(request=enhance)).asset("a").title == "enhance"
        long = delivered_job(request=text_request(prompt="x" * 200))
        assert delivery(long).asset("a").title == "x" * 80

    def test_the_usage_record_meters_the_providers_seconds_sizes_and_times(self):
        image = MediaInput.from_path(MediaKind.IMAGE, "/in/face.png", "image/png", 1000)
        j = delivered_job(billed_seconds=4, request=text_request(prompt="héllo").with_(image=image))
        record = delivery(j).usage_record()
        assert (record.job_id, record.user_id, record.period, record.provider, record.model) == (
            j.id, "u1", "2026-01", "wavespeed", HUNYUAN.id)
        assert (record.operation, record.source_module, record.cost, record.billed_seconds) == (
            "text_to_video", "main_video_generation", Cost("0.16"), 4.0)
        assert (record.response_time, record.created_at) == (360.0, later(6))
        assert (record.request_size, record.response_size) == (len("héllo".encode()) + 1000, 2048)

    def test_the_usage_record_falls_back_to_the_jobs_billed_seconds(self):
        assert delivery(delivered_job(billed_seconds=None)).usage_record().billed_seconds == 5.0


class TestJobControlData:
    def test_a_submission_is_in_flight_only_while_submitting_within_the_grace(self):
        j = job()
        assert not j.submission_in_flight(later(1), 900)
        j.start_submission(later(1))
        assert j.submission_in_flight(later(1) + timedelta(seconds=899), 900)
        assert not j.submission_in_flight(later(1) + timedelta(seconds=900), 900)

    def test_a_job_answers_for_the_request_it_was_made_for(self):
        assert job(fingerprint="a" * 64).asked_for("a" * 64)
        assert not job(fingerprint="a" * 64).asked_for("b" * 64)
        assert job().asked_for("b" * 64)  # recorded before fingerprints were kept

    def test_only_an_unknown_outcome_is_reconcilable(self):
        j = job()
        j.start_submission(later(1))
        assert not j.reconcilable
        j.mark_outcome_unknown(later(2), "no answer")
        assert j.reconcilable

    def test_the_providers_billed_seconds_are_kept_when_saving_starts(self):
        assert delivered_job(billed_seconds=7.5).provider_billed_seconds == 7.5
        assert delivered_job(billed_seconds=None).provider_billed_seconds is None


def delivered_job(*, billed_seconds: float | None = None, request: VideoRequest | None = None):
    j = job(request=request)
    j.start_submission(later(1))
    j.mark_submitted("task-1", later(2))
    j.start_saving("https://cdn.example/out.mp4", later(5), billed_seconds=billed_seconds)
    return j


def delivery(j) -> Delivery:
    stored = StoredObject(f"videos/u1/2026/01/{j.id}.mp4", 2048, "cd" * 32, "video/mp4")
    info = MediaInfo(MediaKind.VIDEO, duration=5.0, width=1280, height=720, fps=24.0, codec="h264", has_audio=True)
    kept = KeptOutput(stored, info, "memory://v.mp4", "thumbnails/u1/x.jpg")
    return Delivery(j, kept, actual_cost(j, HUNYUAN), later(6))
