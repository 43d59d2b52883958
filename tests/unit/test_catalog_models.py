"""The catalog's WaveSpeed rows as issue 12 left them: the models the legacy backend used or
named, the corrections the published docs call for, and model options checked by the domain."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from videoforge.adapters.cli.app import build_cli
from videoforge.adapters.fakes import fake_image, fake_video
from videoforge.bootstrap.cli import open_use_cases
from videoforge.domain import (
    Cost,
    InvalidRequestError,
    MediaInput,
    MediaKind,
    OperationType,
    PerSecond,
    VideoRequest,
    default_catalog,
)

CATALOG = default_catalog()
NEW_MODELS = ("google/veo3.1/text-to-video", "google/veo3.1-fast/text-to-video",
              "kwaivgi/kling-v2.5-turbo-std/image-to-video", "wavespeed-ai/kandinsky5-pro/image-to-video",
              "bytedance/seedance-v1.5-pro/video-extend", "wavespeed-ai/wan-2.2-spicy/video-extend",
              "alibaba/wan-2.6/text-to-video", "alibaba/wan-2.6/image-to-video")


def video_input() -> MediaInput:
    return MediaInput.from_bytes(MediaKind.VIDEO, fake_video(4.0), "video/mp4", "clip.mp4")


def image_input() -> MediaInput:
    return MediaInput.from_bytes(MediaKind.IMAGE, fake_image(), "image/png", "face.png")


def test_flashvsr_is_billed_per_second_rounded_up_with_a_five_second_minimum():
    spec = CATALOG.get("wavespeed-ai/flashvsr")
    assert isinstance(spec.price, PerSecond) and spec.verified
    assert spec.estimate("1080p", 12.0) == Cost("0.216")  # 12 s x $0.09 / 5, not 3 started blocks ($0.27)
    assert spec.estimate("4k", 6.2) == Cost("0.224")  # rounded up to 7 s x $0.032
    assert spec.estimate("720p", 2.0) == Cost("0.06")  # the 5 s minimum
    assert spec.estimate("720p", 900.0) == Cost("7.20")  # at most 600 s


def test_wan_25_extend_requires_a_prompt():
    request = VideoRequest(operation="extend", user_id="u1", model="alibaba/wan-2.5/video-extend", video=video_input())
    with pytest.raises(InvalidRequestError) as refused:
        CATALOG.plan(request)
    assert refused.value.field == "prompt"
    assert CATALOG.plan(request.with_(prompt="the boat sails on")).spec.id == "alibaba/wan-2.5/video-extend"


def test_the_video_upscaler_offers_its_1080p_2k_and_4k_tiers_marked_unverified():
    spec = CATALOG.get("wavespeed-ai/video-upscaler")
    assert spec.resolutions == ("720p", "1080p", "2k", "4k") and not spec.verified
    assert spec.estimate("720p", 10.0) == Cost("0.05")  # the published $0.025 per 5 s
    assert "unverified" in spec.source


def test_every_model_the_legacy_backend_used_is_in_the_catalog_with_its_source():
    for model in NEW_MODELS:
        spec = CATALOG.get(model)
        assert spec.provider == "wavespeed" and spec.source and spec.durations, model


def test_a_price_that_depends_on_sound_follows_the_request_and_the_default():
    fast = VideoRequest(operation="text_to_video", user_id="u1", model="veo3.1-fast", prompt="a lighthouse")
    plan = CATALOG.plan(fast)
    assert plan.request.generate_audio is True and plan.estimate(8) == Cost("1.20")
    assert CATALOG.plan(fast.with_(generate_audio=False)).estimate(8) == Cost("0.80")
    extend = VideoRequest(operation="extend", user_id="u1", model="seedance-1.5-pro", video=video_input(),
                          resolution="720p", duration=10)
    assert CATALOG.plan(extend).estimate(10) == Cost("0.52")
    assert CATALOG.plan(extend.with_(generate_audio=False)).estimate(10) == Cost("0.26")


def test_model_options_are_checked_and_defaulted_by_the_catalog():
    kling = VideoRequest(operation="image_to_video", user_id="u1", model="kling-v2.5-turbo-std", prompt="go",
                         image=image_input())
    assert CATALOG.plan(kling).render_spec().options == {"guidance_scale": 0.5}
    with pytest.raises(InvalidRequestError) as refused:
        CATALOG.plan(kling.with_(options={"guidance_scale": 1.5}))
    assert refused.value.field == "guidance_scale" and "between 0 and 1" in str(refused.value)
    with pytest.raises(InvalidRequestError) as unknown:
        CATALOG.plan(kling.with_(options={"camera_fixed": True}))
    assert unknown.value.field == "camera_fixed" and unknown.value.allowed == ("guidance_scale",)
    wan = VideoRequest(operation="text_to_video", user_id="u1", model="wan-2.6", prompt="a harbour",
                       options={"shot_type": "panorama"})
    with pytest.raises(InvalidRequestError) as choice:
        CATALOG.plan(wan)
    assert choice.value.field == "shot_type" and choice.value.allowed == ("single", "multi")


def test_options_are_part_of_what_a_request_asks_for():
    base = VideoRequest(operation="text_to_video", user_id="u1", model="wan-2.6", prompt="a harbour")
    assert base.fingerprint() != base.with_(options={"shot_type": "multi"}).fingerprint()


def test_a_family_alias_picks_the_member_for_the_operation():
    assert CATALOG.resolve("wan-2.6", OperationType.IMAGE_TO_VIDEO).id == "alibaba/wan-2.6/image-to-video"
    assert CATALOG.resolve("wavespeed/kandinsky5-pro", OperationType.IMAGE_TO_VIDEO).id == \
        "wavespeed-ai/kandinsky5-pro/image-to-video"


def test_models_json_lists_each_model_with_operation_durations_resolutions_price_rule_and_verified(monkeypatch,
                                                                                                  tmp_path):
    monkeypatch.setenv("VIDEOFORGE_FAKE_PROVIDERS", "true")
    monkeypatch.setenv("VIDEOFORGE_DEFAULT_PROVIDER", "wavespeed")
    monkeypatch.setenv("VIDEOFORGE_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    app = build_cli(open_use_cases)
    rows = {r["id"]: r for r in json.loads(runner.invoke(app, ["models", "--json"]).stdout)}
    for model in (*NEW_MODELS, "wavespeed-ai/flashvsr", "wavespeed-ai/video-upscaler"):
        row = rows[model]
        assert {"operation", "durations", "resolutions", "pricing", "verified"} <= set(row), model
    assert rows["wavespeed-ai/flashvsr"]["pricing"].startswith("720p $0.012/s") and rows["wavespeed-ai/flashvsr"][
        "verified"]
    assert rows["google/veo3.1/text-to-video"]["verified"] is False
    assert rows["kwaivgi/kling-v2.5-turbo-std/image-to-video"]["options"]["guidance_scale"]["maximum"] == 1
    table = runner.invoke(app, ["models", "--operation", "text_to_video"]).stdout
    assert "(unverified)" in table

