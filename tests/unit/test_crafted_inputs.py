"""Regression tests for the crafted inputs of the hardening review (issue 11): each one is a 4xx
with the documented error body (`error`, `message`, `field`), never a 500, and nothing is
reserved for it."""

from __future__ import annotations

import pytest

from tests.contracts.builders import T0
from tests.unit.test_http_api import TEXT_JOB, U1, finish, token
from videoforge.adapters.fakes import fake_image
from videoforge.bootstrap import Settings
from videoforge.domain import InvalidRequestError, VideoRequest
from videoforge.domain.keys import legacy_upload_key, upload_key, user_segment, video_key


async def one(data: bytes):
    yield data


def refused(response, field: str, status: int = 422) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == "invalid_request" and body["field"] == field and body["message"], body
    return body


async def test_a_token_whose_subject_is_not_exactly_a_user_id_is_refused(api, harness):
    for sub in ("alice ", " alice", "alice\x00", "al ice", "a" * 129, "../x"):
        answer = await api.post("/api/video/jobs", json=TEXT_JOB, headers=token(sub))
        assert answer.status_code == 401 and answer.json()["error"] == "unauthorized", sub
        assert "subject" in answer.json()["message"]
    assert harness.quota.reservations == {} and not harness.jobs.jobs


def test_the_request_keeps_the_user_id_byte_for_byte():
    with pytest.raises(InvalidRequestError, match="user_id"):
        VideoRequest(operation="text_to_video", user_id="alice ", prompt="x")
    assert VideoRequest(operation="text_to_video", user_id="alice", prompt="x", idempotency_key=" k").idempotency_key \
        == " k"


def test_user_folders_are_injective_and_older_uploads_stay_readable():
    carol, lookalike = "carol@example.com", "carol_example_com-e0d47ca1"
    assert user_segment(carol) != user_segment(lookalike)
    assert video_key(carol, T0, "j") != video_key(lookalike, T0, "j")
    assert upload_key(carol, "up1") != upload_key(lookalike, "up1")
    assert user_segment(carol).startswith("carol_example_com.")
    # an older release kept carol's uploads in `carol_example_com-e0d47ca1`: still hers, never the lookalike's
    assert legacy_upload_key(carol, "up1") == "uploads/carol_example_com-e0d47ca1/up1"
    assert legacy_upload_key(lookalike, "up1") is None
    assert legacy_upload_key("alice", "up1") == "uploads/alice/up1"
    assert user_segment("-x").startswith("_") or user_segment("-x")[0].isalnum()


async def test_an_upload_is_the_exact_users_only(api, harness):
    carol, lookalike = token("carol@example.com"), token("carol_example_com-e0d47ca1")
    uploaded = await api.post("/api/video/uploads", data={"kind": "image"},
                              files={"file": ("a.png", fake_image(), "image/png")}, headers=carol)
    upload_id = uploaded.json()["upload_id"]
    job = {"operation": "image-to-video", "prompt": "pan", "inputs": {"image": {"upload_id": upload_id}}}
    refused(await api.post("/api/video/estimate", json=job, headers=lookalike), "image")
    # an upload an older release kept in the shared folder: carol's, not the lookalike's
    await harness.storage.save(f"uploads/carol_example_com-e0d47ca1/{'0' * 32}", one(fake_image()), "image/png")
    old = {"operation": "image-to-video", "prompt": "pan", "inputs": {"image": {"upload_id": "0" * 32}}}
    refused(await api.post("/api/video/estimate", json=old, headers=lookalike), "image")
    assert (await api.post("/api/video/estimate", json=old, headers=carol)).status_code == 200


@pytest.mark.parametrize(("change", "field"), [
    ({"duration": "5e999"}, "duration"),
    ({"duration": "NaN"}, "duration"),
    ({"duration": "1" + "0" * 400}, "duration"),
    ({"seed": str(2**70)}, "seed"),
])
async def test_numbers_json_cannot_hold_are_422(api, harness, change, field):
    body = '{"operation": "text-to-video", "prompt": "p", "model": "hunyuan-video-1.5", "duration": 5}'
    (name, literal), = change.items()
    raw = body[:-1] + f', "{name}": {literal}}}'
    answer = await api.post("/api/video/jobs", content=raw, headers=U1 | {"Content-Type": "application/json"})
    refused(answer, field)
    assert harness.quota.reservations == {}


@pytest.mark.parametrize(("change", "field"), [
    ({"prompt": "a\x00b"}, "prompt"),
    ({"prompt": "x" * 10_001}, "prompt"),
    ({"negative_prompt": "\x00"}, "negative_prompt"),
    ({"idempotency_key": "k" * 256}, "idempotency_key"),
    ({"idempotency_key": "k\x00"}, "idempotency_key"),
    ({"model": "m\x00"}, "model"),
    ({"inputs": {"image": {"upload_id": "\x00"}}, "operation": "image-to-video"}, "image.upload_id"),
    ({"inputs": {"video": {"asset_id": "a" * 65}}, "operation": "extend"}, "asset_id"),
])
async def test_strings_a_database_cannot_store_are_422_naming_the_field(api, harness, change, field):
    for route in ("/api/video/jobs", "/api/video/estimate"):
        refused(await api.post(route, json=TEXT_JOB | change, headers=U1), field)
    assert harness.quota.reservations == {} and not harness.jobs.jobs


async def test_ids_and_query_values_in_the_url_are_checked(api):
    refused(await api.get("/api/video/jobs/a%00b", headers=U1), "task_id")
    refused(await api.get("/api/video/jobs/" + "a" * 65, headers=U1), "task_id")
    refused(await api.post("/api/video/jobs/a%00b/cancel", headers=U1), "task_id")
    refused(await api.get("/api/video/assets/a%00b", headers=U1), "asset_id")
    refused(await api.get("/api/video/assets/a%00b/video", headers=U1), "asset_id")
    refused(await api.get("/api/video/assets", params={"source_module": "a\x00"}, headers=U1), "source_module")
    refused(await api.get("/api/video/jobs", params={"offset": 2**63 + 5}, headers=U1), "offset")
    refused(await api.get("/api/video/assets", params={"offset": 2**64}, headers=U1), "offset")
    refused(await api.get("/api/video/jobs", params={"limit": "1e999"}, headers=U1), "limit")


async def test_a_range_of_thousands_of_digits_is_answered_not_a_500(api, harness):
    task_id = (await api.post("/api/video/jobs", json=TEXT_JOB, headers=U1)).json()["task_id"]
    await finish(api)
    url = (await api.get(f"/api/video/jobs/{task_id}", headers=U1)).json()["result"]["video_url"]
    stored = harness.storage.objects[harness.videos()[0]]
    huge = "9" * 5000
    past = await api.get(url, headers=U1 | {"Range": f"bytes={huge}-"})
    assert past.status_code == 416 and past.json()["error"] == "range_not_satisfiable"
    tail = await api.get(url, headers=U1 | {"Range": f"bytes=-{huge}"})
    assert tail.status_code == 206 and tail.content == stored
    head = await api.get(url, headers=U1 | {"Range": f"bytes=0-{huge}"})
    assert head.status_code == 206 and head.content == stored


def test_a_model_refuses_an_image_over_its_pixel_cap():
    from videoforge.domain import MediaInfo, MediaInput, MediaKind, default_catalog
    from videoforge.domain.catalog import MAX_IMAGE_PIXELS

    image = MediaInput.from_bytes(MediaKind.IMAGE, fake_image(), "image/png")
    catalog = default_catalog()
    plan = catalog.plan(VideoRequest(operation="image_to_video", user_id="u", prompt="p", image=image,
                                     model="alibaba/wan-2.5/image-to-video"))
    with pytest.raises(InvalidRequestError, match=r"6000x6000 pixels; .* at most 25000000 pixels"):
        plan.check_probed({MediaKind.IMAGE: MediaInfo(MediaKind.IMAGE, width=6000, height=6000)})
    plan.check_probed({MediaKind.IMAGE: MediaInfo(MediaKind.IMAGE, width=5000, height=5000)})
    assert catalog.max_input_pixels() == MAX_IMAGE_PIXELS < 40_000_000


def test_a_short_jwt_secret_is_a_configuration_error():
    from videoforge.bootstrap import ConfigurationError
    from videoforge.bootstrap.http import verifier_from

    for short in ("abc", "x" * 31):
        with pytest.raises(ConfigurationError, match="at least 32"):
            verifier_from(Settings(jwt_secret=short))
    assert verifier_from(Settings(jwt_secret="x" * 32)) is not None


async def test_media_answers_are_not_sniffed_nor_shared_and_health_says_only_up(api, harness):
    task_id = (await api.post("/api/video/jobs", json=TEXT_JOB, headers=U1)).json()["task_id"]
    await finish(api)
    result = (await api.get(f"/api/video/jobs/{task_id}", headers=U1)).json()["result"]
    for url, extra in ((result["video_url"], {}), (result["video_url"], {"Range": "bytes=0-9"}),
                       (result["thumbnail_url"], {})):
        answer = await api.get(url, headers=U1 | extra)
        assert answer.headers["x-content-type-options"] == "nosniff", url
        assert answer.headers["cache-control"] == "private", url
    assert (await api.get("/health")).json() == {"status": "ok"}
