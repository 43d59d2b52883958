from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tests.contracts.builders import T0, job, later, text_request
from videoforge.domain import (
    DEFAULT_PLANS,
    Cost,
    IllegalTransitionError,
    InvalidRequestError,
    JobError,
    JobStatus,
    MediaInput,
    MediaKind,
    OperationType,
    QuotaExceededError,
    QuotaUsage,
    RenderSpec,
    UnknownModelError,
    VideoRequest,
    billing_period,
    default_catalog,
)
from videoforge.domain.job import Step
from videoforge.domain.keys import safe_segment, validate_key, video_key
from videoforge.domain.pricing import Flat, PerBlock, PerSecond, rates

catalog = default_catalog()


class TestCost:
    def test_is_exact_decimal(self):
        assert Cost("0.1") + Cost("0.2") == Cost("0.3")
        assert Cost("0.04") * 7 == Cost("0.28")

    def test_refuses_floats_and_negatives(self):
        with pytest.raises(TypeError):
            Cost(0.1)
        with pytest.raises(ValueError):
            Cost("-1")


class TestOperationType:
    @pytest.mark.parametrize("legacy,op", [("text-to-video", OperationType.TEXT_TO_VIDEO),
                                           ("image-to-video", OperationType.IMAGE_TO_VIDEO),
                                           ("talking-avatar", OperationType.AVATAR),
                                           ("enhancement_upscale", OperationType.ENHANCE),
                                           ("extend", OperationType.EXTEND), ("AVATAR", OperationType.AVATAR)])
    def test_accepts_legacy_spellings(self, legacy, op):
        assert OperationType.parse(legacy) is op

    def test_unknown_operation_lists_the_allowed(self):
        with pytest.raises(InvalidRequestError, match=r"operation: .*allowed: text_to_video, image_to_video"):
            OperationType.parse("video-to-music")


class TestPriceRules:
    def test_per_second_rounds_up_and_applies_minimum_and_cap(self):
        rule = PerSecond(rates(**{"480p": "0.03"}), min_seconds=5, max_seconds=600)
        assert rule.price("480p", 7.2) == Cost("0.24")
        assert rule.price("480p", 2) == Cost("0.15")
        assert rule.price("480p", 9999) == Cost("18")

    def test_per_block_bills_started_blocks(self):
        rule = PerBlock(rates(**{"720p": "0.30"}), block_seconds=5)
        assert rule.price("720p", 5) == Cost("0.30")
        assert rule.price("720p", 5.01) == Cost("0.60")
        assert rule.price("720p", 1) == Cost("0.30")

    def test_flat(self):
        assert Flat(rates(**{"*": "0.80"})).price("1080p", 5) == Cost("0.80")

    def test_missing_resolution_names_the_field(self):
        with pytest.raises(InvalidRequestError, match="resolution"):
            PerSecond(rates(**{"480p": "0.02"})).price("720p", 5)


class TestCatalog:
    def test_every_model_has_a_price_for_each_resolution_it_offers(self):
        for spec in catalog:
            for resolution in spec.resolutions:
                cost = spec.estimate(resolution, 5)  # raises when the rule has no rate for it
                assert cost == Cost(0) if spec.provider == "local" else cost > Cost(0), spec.id

    def test_local_models_are_free_and_have_a_default_for_every_operation_they_can_render(self):
        # Face swap and translation have no faithful cheap offline version: only WaveSpeed does them.
        offline = set(OperationType) - {OperationType.FACE_SWAP, OperationType.TRANSLATE}
        for operation in offline:
            spec = catalog.resolve(None, operation, "local")
            assert spec.provider == "local" and spec.estimate(spec.default_resolution, 20) == Cost(0)

    def test_required_models_are_there(self):
        ids = {s.id for s in catalog}
        assert {"wavespeed-ai/hunyuan-video-1.5/text-to-video", "wavespeed-ai/hunyuan-video-1.5/image-to-video",
                "lightricks/ltx-2-pro/text-to-video", "lightricks/ltx-2-fast/text-to-video",
                "alibaba/wan-2.5/text-to-video", "alibaba/wan-2.5/image-to-video", "alibaba/wan-2.5/video-extend",
                "wavespeed-ai/infinitetalk", "wavespeed-ai/hunyuan-avatar"} <= ids
        assert any(s.operation is OperationType.ENHANCE for s in catalog)

    def test_aliases_match_exactly_never_by_substring(self):
        assert catalog.resolve("hunyuan-video-1.5", OperationType.TEXT_TO_VIDEO).id.endswith("/text-to-video")
        assert catalog.resolve("hunyuan-video-1.5", OperationType.IMAGE_TO_VIDEO).id.endswith("/image-to-video")
        assert catalog.resolve("alibaba/wan-2.5", OperationType.EXTEND).id == "alibaba/wan-2.5/video-extend"
        for near_miss in ("hunyuan", "wan", "ltx-2", "HUNYUAN-VIDEO-1.5", "hunyuan-video-1.5 ", "talk"):
            with pytest.raises(UnknownModelError):
                catalog.resolve(near_miss, OperationType.TEXT_TO_VIDEO)

    def test_plan_fills_defaults_and_builds_the_render_spec(self):
        plan = catalog.plan(VideoRequest(operation="text_to_video", user_id="u", prompt="p", aspect_ratio="9:16",
                                         negative_prompt="blur", seed=7, generate_audio=True), "wavespeed")
        assert (plan.duration, plan.resolution, plan.width, plan.height) == (5, "720p", 720, 1280)
        assert plan.render_spec() == RenderSpec(
            model="wavespeed-ai/hunyuan-video-1.5/text-to-video", operation=OperationType.TEXT_TO_VIDEO, width=720,
            height=1280, resolution="720p", aspect_ratio="9:16", duration=5, prompt="p", negative_prompt="blur",
            seed=7)
        assert plan.ignored == ("generate_audio",)

    def test_wan_sizes_and_ltx_options(self):
        wan = catalog.plan(text_request(model="wan-2.5", resolution="1080p", duration=10), "wavespeed").render_spec()
        assert (wan.width, wan.height, wan.resolution) == (1920, 1080, "1080p")
        ltx = catalog.plan(text_request(model="ltx-2-pro", resolution=None, aspect_ratio=None, duration=6,
                                        generate_audio=False, seed=3), "wavespeed").render_spec()
        assert (ltx.prompt, ltx.resolution, ltx.duration) == ("a cat on a boat", "1080p", 6)
        assert (ltx.generate_audio, ltx.seed, ltx.negative_prompt) == (False, None, None)  # ltx takes no seed

    def test_a_render_spec_names_its_inputs_and_takes_its_length_from_them(self):
        image = MediaInput.from_bytes(MediaKind.IMAGE, b"x", "image/png")
        audio = MediaInput.from_bytes(MediaKind.AUDIO, b"x", "audio/mpeg")
        spec = catalog.plan(VideoRequest(operation="avatar", user_id="u", image=image, audio=audio, seed=4),
                            "wavespeed").render_spec()
        assert (spec.model, spec.duration, spec.inputs) == ("wavespeed-ai/infinitetalk", None,
                                                            (MediaKind.IMAGE, MediaKind.AUDIO))
        assert (spec.width, spec.height, spec.resolution, spec.seed) == (832, 480, "480p", 4)

    def test_input_duration_models_refuse_a_duration(self):
        image = MediaInput.from_bytes(MediaKind.IMAGE, b"x", "image/png")
        audio = MediaInput.from_bytes(MediaKind.AUDIO, b"x", "audio/mpeg")
        with pytest.raises(InvalidRequestError, match=r"duration: .*from the input audio"):
            catalog.plan(VideoRequest(operation="avatar", user_id="u", image=image, audio=audio, duration=5),
                         "wavespeed")

    def test_a_model_refuses_inputs_it_does_not_take(self):
        audio = MediaInput.from_bytes(MediaKind.AUDIO, b"x", "audio/mpeg")
        with pytest.raises(InvalidRequestError, match=r"audio: .*takes no audio"):
            catalog.plan(text_request(audio=audio), "wavespeed")

    def test_price_overrides(self):
        cheaper = catalog.with_prices({"wavespeed-ai/hunyuan-video-1.5/text-to-video":
                                       {"rule": "per_second", "rates": {"480p": "0.01", "720p": "0.03"}}})
        assert cheaper.get("wavespeed-ai/hunyuan-video-1.5/text-to-video").estimate("720p", 5) == Cost("0.15")
        assert catalog.get("wavespeed-ai/hunyuan-video-1.5/text-to-video").estimate("720p", 5) == Cost("0.20")

    @pytest.mark.parametrize("overrides,field", [
        ({"nope": {"rule": "flat", "rates": {"*": "1"}}}, "model"),
        ({"wavespeed-ai/infinitetalk": {"rule": "hourly", "rates": {"*": "1"}}}, "rule"),
        ({"wavespeed-ai/infinitetalk": {"rule": "flat", "rates": {"480p": 0.1, "720p": "1"}}}, "rates.480p"),
        ({"wavespeed-ai/infinitetalk": {"rule": "flat", "rates": {"480p": "1"}}}, "rates"),
    ])
    def test_bad_price_overrides_name_the_field(self, overrides, field):
        with pytest.raises(InvalidRequestError) as caught:
            catalog.with_prices(overrides)
        assert field in caught.value.field


class TestVideoRequest:
    def test_validates_fields(self):
        with pytest.raises(InvalidRequestError, match="user_id"):
            VideoRequest(operation="text_to_video", user_id=" ", prompt="x")
        for unsafe in ("../../etc", "a/b", "x" * 129, "a b", "..", "user\\x"):
            with pytest.raises(InvalidRequestError, match="user_id"):
                VideoRequest(operation="text_to_video", user_id=unsafe, prompt="x")
        assert VideoRequest(operation="text_to_video", user_id="user_2abc@example.com", prompt="x").user_id
        with pytest.raises(InvalidRequestError, match="duration"):
            text_request(duration=4.5)
        for bad_module in ("", "a b", "x" * 65, "blog/posts", "modül", 7, None):
            with pytest.raises(InvalidRequestError, match="source_module: must be 1 to 64 letters"):
                text_request(source_module=bad_module)
        with pytest.raises(InvalidRequestError, match="seed"):
            text_request(seed="7")

    def test_a_host_module_is_any_short_identifier(self):
        for module in ("blog", "crm.campaigns", "shop-v2_video", "x" * 64):
            assert text_request(source_module=module).source_module == module

    def test_media_must_be_of_its_kind(self):
        audio = MediaInput.from_bytes(MediaKind.AUDIO, b"x", "audio/mpeg")
        with pytest.raises(InvalidRequestError, match="image: expects image media"):
            VideoRequest(operation="image_to_video", user_id="u", image=audio)


    def test_an_input_not_kept_is_described_and_marked(self):
        lost = MediaInput.not_kept(MediaKind.IMAGE, "image/png", 2048, "face.png")
        request = VideoRequest(operation="image_to_video", user_id="u", image=lost)
        assert request.inputs_not_kept == (MediaKind.IMAGE,) and not request.persistable
        assert (lost.size, lost.filename, lost.data, lost.path) == (2048, "face.png", None, None)
        kept = MediaInput.from_path(MediaKind.IMAGE, "/in/face.png", "image/png", 2048)
        assert request.with_(image=kept).inputs_not_kept == ()
        with pytest.raises(InvalidRequestError, match="neither bytes nor a path"):
            MediaInput(MediaKind.IMAGE, "image/png", 3, data=b"abc", kept=False)


class TestVideoJob:
    def test_happy_path(self):
        j = job()
        j.start_submission(later(1))
        assert not j.running_at_provider and not j.delivered
        j.mark_submitted("p1", later(2))
        j.report_progress(50, "half", later(3))
        assert j.running_at_provider
        j.start_saving("https://x/y.mp4", later(4))
        assert not j.running_at_provider and not j.delivered
        j.complete("a1", Cost("0.2"), later(5))
        assert j.status is JobStatus.COMPLETED and j.progress == 100 and j.finished_at == later(5)
        assert j.delivered and not j.reconcilable

    @pytest.mark.parametrize("illegal", [
        lambda j: j.mark_submitted("p", T0),
        lambda j: j.start_saving("u", T0),
        lambda j: j.complete("a", Cost(0), T0),
        lambda j: j.report_progress(50, "m", T0),
    ])
    def test_illegal_transitions_raise(self, illegal):
        with pytest.raises(IllegalTransitionError):
            illegal(job())

    def test_finished_jobs_stay_finished(self):
        j = job()
        j.fail(JobError("x", "y"), later(1))
        for attempt in (lambda: j.cancel(later(2)), lambda: j.start_submission(later(2))):
            with pytest.raises(IllegalTransitionError):
                attempt()
        assert j.next_step is Step.NONE and not j.cancellable

    def test_submitting_cannot_be_cancelled_but_unknown_outcome_can_be_reconciled(self):
        j = job()
        j.start_submission(later(1))
        assert not j.cancellable and j.next_step is Step.RECOVER_SUBMISSION
        j.mark_outcome_unknown(later(2), "no answer")
        assert j.next_step is Step.NONE and not j.cancellable
        with pytest.raises(IllegalTransitionError):
            j.report_progress(50, "no", later(3))
        j.reconcile("p9", later(3))
        assert j.status is JobStatus.PROCESSING and j.provider_job_id == "p9" and j.progress == 10

    def test_a_deferred_submission_goes_back_to_pending_only_from_submitting(self):
        j = job()
        with pytest.raises(IllegalTransitionError):
            j.defer_submission(later(1), "busy")
        j.start_submission(later(1))
        assert j.defer_submission(later(2), "429") == 1 and j.status is JobStatus.PENDING
        j.start_submission(later(3))
        assert j.defer_submission(later(4), "429") == 2 and j.next_step is Step.SUBMIT

    def test_progress_never_goes_back(self):
        j = job()
        j.start_submission(later(1))
        j.mark_submitted("p", later(2))
        j.report_progress(60, "a", later(3))
        j.report_progress(40, "b", later(4))
        assert j.progress == 60


class TestQuotaRules:
    def test_unlimited_calls_still_bounded_by_cost(self):
        enterprise = DEFAULT_PLANS["enterprise"]
        enterprise.admit(QuotaUsage("2026-01", calls=10_000, cost=Cost("499")), Cost("1"))
        with pytest.raises(QuotaExceededError) as caught:
            enterprise.admit(QuotaUsage("2026-01", calls=1, cost=Cost("499"), reserved_cost=Cost("0.5")), Cost("1"))
        assert caught.value.error_type == "cost_limit"

    def test_billing_period_is_the_utc_month(self):
        assert billing_period(datetime(2026, 1, 31, 23, 30, tzinfo=UTC)) == "2026-01"
        assert default_catalog() is not catalog  # a fresh catalog each time: overrides never leak


class TestKeys:
    def test_user_ids_become_safe_distinct_segments(self):
        assert safe_segment("user_42") == "user_42"
        assert "/" not in safe_segment("../../etc") and ".." not in safe_segment("../../etc")
        assert safe_segment("a/b") != safe_segment("a_b")
        validate_key(video_key("../../etc", T0, "job1"))

    def test_decimal_rates_are_exact(self):
        assert isinstance(catalog.get("wavespeed-ai/video-upscaler").price.rates["720p"], Decimal)
