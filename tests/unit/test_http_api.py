"""The HTTP API in-process (real ASGI app, real httpx client over ASGITransport) on the fakes."""

from __future__ import annotations

import base64
import time

import httpx
import jwt
import pytest

from tests.contracts.builders import text_request
from videoforge.adapters.fakes import Outcome, fake_image, fake_video
from videoforge.bootstrap import Settings
from videoforge.bootstrap.http import build_app
from videoforge.domain import DEFAULT_PLANS, Cost, Plan

SECRET = "test-secret-for-hs256-at-least-32-bytes-long"


def token(sub: str, secret: str = SECRET, exp: float | None = None, **extra) -> dict[str, str]:
    # Valid for hours: U1 and U2 are made at import, and a loaded machine's full run can take long.
    claims = {"sub": sub, "exp": int(exp if exp is not None else time.time() + 6 * 3600), **extra}
    return {"Authorization": "Bearer " + jwt.encode(claims, secret, algorithm="HS256")}


# Made at import and shared by other modules: valid for a day, so a slow suite never outlives them.
U1, U2 = token("u1", exp=time.time() + 86400), token("u2", exp=time.time() + 86400)


async def finish(api) -> None:
    await api.app.state.runner.wait()


TEXT_JOB = {"operation": "text-to-video", "prompt": "a koi pond", "model": "hunyuan-video-1.5", "duration": 5}


async def test_a_job_is_created_polled_and_downloaded(api, harness):
    created = await api.post("/api/video/jobs", json=TEXT_JOB, headers=U1)
    assert created.status_code == 202
    body = created.json()
    assert body["status"] == "pending" and set(body) == {"task_id", "status", "message"}
    await finish(api)
    status = (await api.get(f"/api/video/jobs/{body['task_id']}", headers=U1)).json()
    assert status["status"] == "completed" and status["progress"] == 100
    assert {"task_id", "status", "progress", "message", "created_at", "updated_at", "result"} <= set(status)
    result = status["result"]
    assert result["cost"] == "0.2" and "token" not in result["video_url"]  # money: a decimal string
    assert status["estimated_cost"] == "0.2" and [a["cost"] for a in status["attempts"]] == ["0.2"]

    video = await api.get(result["video_url"], headers=U1)
    stored = harness.storage.objects[harness.videos()[0]]
    assert video.status_code == 200 and video.content == stored
    assert video.headers["accept-ranges"] == "bytes" and video.headers["content-type"] == "video/mp4"
    part = await api.get(result["video_url"], headers=U1 | {"Range": "bytes=10-29"})
    assert part.status_code == 206 and part.content == stored[10:30]
    assert part.headers["content-range"] == f"bytes 10-29/{len(stored)}"
    tail = await api.get(result["video_url"], headers=U1 | {"Range": "bytes=-7"})
    assert tail.content == stored[-7:]
    beyond = await api.get(result["video_url"], headers=U1 | {"Range": f"bytes={len(stored)}-"})
    assert beyond.status_code == 416 and beyond.headers["content-range"] == f"bytes */{len(stored)}"
    for ignored in ("bytes=5-3", "bytes=0-1,4-5", "items=0-3"):
        whole = await api.get(result["video_url"], headers=U1 | {"Range": ignored})
        assert whole.status_code == 200 and whole.content == stored, ignored
    thumb = await api.get(result["thumbnail_url"], headers=U1)
    assert thumb.status_code == 200 and thumb.content[:2] == b"\xff\xd8"

    assets = (await api.get("/api/video/assets", headers=U1)).json()
    assert [a["id"] for a in assets] == [result["asset_id"]] and assets[0]["source_module"] == "api"
    usage = (await api.get("/api/video/usage", headers=U1)).json()
    assert (usage["video_calls"], usage["video_cost"], usage["plan"]) == (1, "0.2", "pro")
    assert (usage["total_cost"], usage["monthly_cost_limit"], usage["reserved_cost"]) == ("0.2", "100", "0")
    [video] = usage["videos"]
    assert (video["job_id"], video["cost"], video["provider"], video["source_module"]) == (
        body["task_id"], "0.2", "wavespeed", "api")


async def test_no_token_or_a_bad_one_is_401(api):
    assert (await api.get("/api/video/jobs")).status_code == 401
    assert (await api.get("/api/video/jobs", headers=token("u1", secret="another-secret-of-32-bytes-or-more!"))
            ).status_code == 401
    expired = await api.get("/api/video/jobs", headers=token("u1", exp=time.time() - 3600))
    assert expired.status_code == 401 and expired.json()["error"] == "unauthorized"


async def test_another_users_job_and_asset_are_404(api):
    task_id = (await api.post("/api/video/jobs", json=TEXT_JOB, headers=U1)).json()["task_id"]
    await finish(api)
    asset_id = (await api.get(f"/api/video/jobs/{task_id}", headers=U1)).json()["result"]["asset_id"]
    for path in (f"/api/video/jobs/{task_id}", f"/api/video/assets/{asset_id}", f"/api/video/assets/{asset_id}/video"):
        assert (await api.get(path, headers=U2)).status_code == 404, path
    assert (await api.post(f"/api/video/jobs/{task_id}/cancel", headers=U2)).status_code == 404
    assert (await api.get("/api/video/assets", headers=U2)).json() == []


async def test_quota_refusal_is_429_with_the_legacy_body(api, harness):
    harness.quota.assign("u1", DEFAULT_PLANS["free"])
    for _ in range(2):
        assert (await api.post("/api/video/jobs", json=TEXT_JOB, headers=U1)).status_code == 202
    refused = await api.post("/api/video/jobs", json=TEXT_JOB, headers=U1)
    assert refused.status_code == 429
    body = refused.json()
    assert set(body) == {"error", "message", "provider", "usage_info"} and body["provider"] == "video"
    assert body["usage_info"]["error_type"] == "video_limit" and body["usage_info"]["limit"] == 2
    assert (body["usage_info"]["current_cost"], body["usage_info"]["cost_limit"]) == ("0.4", "2")


async def test_bad_input_is_422_naming_the_field(api, harness):
    bad = await api.post("/api/video/jobs", json=TEXT_JOB | {"duration": 7}, headers=U1)
    assert bad.status_code == 422
    assert bad.json()["field"] == "duration" and bad.json()["allowed"] == ["5", "8", "10"]
    missing = await api.post("/api/video/jobs", json={"operation": "image_to_video"}, headers=U1)
    assert missing.status_code == 422 and missing.json()["field"] == "image"
    schema = await api.post("/api/video/jobs", json={"prompt": "no operation"}, headers=U1)
    assert schema.status_code == 422 and schema.json()["detail"][0]["loc"][-1] == "operation"
    module = await api.post("/api/video/jobs", json=TEXT_JOB | {"source_module": "crm/campaigns"}, headers=U1)
    assert module.status_code == 422 and module.json()["field"] == "source_module"
    assert harness.quota.reservations == {}


async def test_a_host_module_is_kept_on_the_asset(api):
    await api.post("/api/video/jobs", json=TEXT_JOB | {"source_module": "crm.campaigns"}, headers=U1)
    await finish(api)
    listed = (await api.get("/api/video/assets", params={"source_module": "crm.campaigns"}, headers=U1)).json()
    assert [a["source_module"] for a in listed] == ["crm.campaigns"]


async def test_inputs_by_upload_and_by_reference(api, harness):
    uploaded = await api.post("/api/video/uploads", data={"kind": "image"},
                              files={"file": ("face.png", fake_image(), "image/png")}, headers=U1)
    assert uploaded.status_code == 201
    upload_id = uploaded.json()["upload_id"]
    job = {"operation": "image-to-video", "prompt": "pan", "inputs": {"image": {"upload_id": upload_id}}}
    assert (await api.post("/api/video/jobs", json=job, headers=U1)).status_code == 202
    foreign = await api.post("/api/video/jobs", json=job, headers=U2)
    assert foreign.status_code == 422 and foreign.json()["field"] == "image"
    encoded = base64.b64encode(fake_image()).decode()
    inline = {"operation": "image-to-video",
              "inputs": {"image": {"data_base64": encoded, "content_type": "image/png"}}}
    assert (await api.post("/api/video/jobs", json=inline, headers=U1)).status_code == 202
    await finish(api)
    [asset, *_] = (await api.get("/api/video/assets", headers=U1)).json()
    extend = {"operation": "extend", "prompt": "and then", "duration": 3, "resolution": "480p",
              "inputs": {"video": {"asset_id": asset["id"]}}}
    created = await api.post("/api/video/jobs", json=extend, headers=U1)
    assert created.status_code == 202
    await finish(api)
    done = (await api.get(f"/api/video/jobs/{created.json()['task_id']}", headers=U1)).json()
    assert done["status"] == "completed" and done["result"]["duration"] == asset["duration"] + 3


async def test_failed_job_reports_the_legacy_error_fields(api, harness):
    harness.provider.script(Outcome.fail(provider_code=1403, message="task failed"))
    task_id = (await api.post("/api/video/jobs", json=TEXT_JOB, headers=U1)).json()["task_id"]
    await finish(api)
    status = (await api.get(f"/api/video/jobs/{task_id}", headers=U1)).json()
    assert status["status"] == "failed" and status["error"] == "task failed"
    assert status["error_data"]["code"] == "provider_task_failed" and status["error_data"]["provider_code"] == 1403


async def test_cancel(api, harness):
    harness.provider.script(Outcome.hang())
    harness.container.poll_policy.override(harness.container.poll_policy.cls(interval=2, deadline=10**9))
    task_id = (await api.post("/api/video/jobs", json=TEXT_JOB, headers=U1)).json()["task_id"]
    for _ in range(100):
        if harness.provider.polls:
            break
        await harness.clock.sleep(0)
    cancelled = await api.post(f"/api/video/jobs/{task_id}/cancel", headers=U1)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    await finish(api)
    again = await api.post(f"/api/video/jobs/{task_id}/cancel", headers=U1)
    assert again.status_code == 409


async def test_models_estimate_preflight(api, harness):
    models = (await api.get("/api/video/models", params={"operation": "avatar"})).json()
    assert {m["id"] for m in models} == {"wavespeed-ai/infinitetalk", "wavespeed-ai/hunyuan-avatar"}
    estimate = (await api.post("/api/video/estimate", json=TEXT_JOB | {"duration": 10}, headers=U1)).json()
    assert estimate["cost"] == "0.4" and estimate["allowed"]
    harness.quota.assign("u1", Plan("tiny", 0, Cost("0.10")))
    preflight = (await api.post("/api/video/preflight", json=TEXT_JOB, headers=U1)).json()
    assert preflight["allowed"] is False and preflight["usage_info"]["error_type"] == "cost_limit"
    assert (preflight["cost"], preflight["usage_info"]["cost_limit"], preflight["usage_info"]["requested_cost"]) == (
        "0.2", "0.1", "0.2")
    assert harness.quota.reservations == {}


async def test_openapi_documents_every_endpoint(api):
    schema = (await api.get("/openapi.json")).json()
    paths = schema["paths"]
    for path in ("/api/video/jobs", "/api/video/jobs/{task_id}", "/api/video/jobs/{task_id}/cancel",
                 "/api/video/uploads", "/api/video/assets", "/api/video/assets/{asset_id}",
                 "/api/video/assets/{asset_id}/video", "/api/video/assets/{asset_id}/thumbnail",
                 "/api/video/models", "/api/video/estimate", "/api/video/preflight", "/api/video/usage",
                 "/api/video/webhooks/wavespeed"):
        assert path in paths, path
    create = paths["/api/video/jobs"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("CreateJobIn")
    assert create["responses"]["202"]["content"]["application/json"]["schema"]["$ref"].endswith("TaskCreatedOut")
    assert create["responses"]["429"]["content"]["application/json"]["schema"]["$ref"].endswith("QuotaErrorOut")
    assert {"TaskOut", "AssetOut", "ModelOut", "UsageOut", "EstimateOut", "ErrorOut"} <= set(
        schema["components"]["schemas"])


async def test_a_signed_webhook_drives_its_job_and_a_forged_one_is_refused(harness):
    import json as _json

    from dependency_injector import providers

    from videoforge.adapters.wavespeed import WebhookVerifier
    from videoforge.adapters.wavespeed.webhooks import signature
    from videoforge.domain import JobStatus

    secret = "whsec_test-secret"
    harness.container.wavespeed_webhooks.override(providers.Object(WebhookVerifier(secret)))
    app = build_app(Settings(jwt_secret=SECRET), harness.container, resume_on_startup=False)
    job = await harness.container.submit_video()(text_request())
    harness.provider.fail_next("poll", RuntimeError("process died while following"))
    with pytest.raises(RuntimeError):
        await harness.container.run_job()(job.id)

    body = _json.dumps({"id": "fake-1", "status": "completed", "outputs": ["https://cdn.example/o.mp4"]}).encode()
    stamp = str(int(time.time()))
    headers = {"webhook-id": "msg-1", "webhook-timestamp": stamp,
               "webhook-signature": "v3," + signature(secret, "msg-1", stamp, body)}
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        forged = await client.post("/api/video/webhooks/wavespeed", content=body,
                                   headers=headers | {"webhook-signature": "v3,00"})
        assert forged.status_code == 400 and forged.json()["error"] == "invalid_webhook"
        first = await client.post("/api/video/webhooks/wavespeed", content=body, headers=headers)
        assert first.status_code == 200 and first.json()["job_id"] == job.id
        await app.state.runner.wait()
        again = await client.post("/api/video/webhooks/wavespeed", content=body, headers=headers)
        assert again.json()["duplicate"] is True
    assert (await harness.jobs.get(job.id)).status is JobStatus.COMPLETED


async def test_admin_routes_refuse_a_non_admin_token_with_403(api):
    for headers in (U1, token("u2", videoforge_admin="yes"), token("u3", role="admin")):
        for method, path, body in (("GET", "/admin/plans", None), ("GET", "/admin/users/u1/plan", None),
                                   ("PUT", "/admin/users/u1/plan", {"plan": "enterprise"})):
            answer = await api.request(method, "/api/video" + path, json=body, headers=headers)
            assert answer.status_code == 403 and answer.json()["error"] == "forbidden", (path, headers)
    assert (await api.get("/api/video/admin/plans")).status_code == 401
    assert (await api.get("/api/video/usage", headers=U1)).json()["plan"] == "pro"


async def test_an_admin_sets_a_plan_and_the_next_request_sees_it(api, harness):
    harness.quota.assign("u1", DEFAULT_PLANS["free"])
    for _ in range(2):
        assert (await api.post("/api/video/jobs", json=TEXT_JOB, headers=U1)).status_code == 202
        await finish(api)
    assert (await api.post("/api/video/jobs", json=TEXT_JOB, headers=U1)).status_code == 429

    by_claim, by_subject = token("billing-bot", videoforge_admin=True), token("ops-lead")
    listed = (await api.get("/api/video/admin/plans", headers=by_claim)).json()
    assert listed["default"] == "free"
    assert [p["name"] for p in listed["plans"]] == ["free", "basic", "pro", "enterprise"]
    assert listed["plans"][1] == {"name": "basic", "video_calls_limit": 10, "monthly_cost_limit": "25",
                                  "concurrent_jobs": 0, "upload_count_limit": 100, "upload_bytes_limit": 2 * 2**30}
    changed = await api.put("/api/video/admin/users/u1/plan", json={"plan": "basic"}, headers=by_subject)
    assert changed.status_code == 200 and changed.json()["plan"]["name"] == "basic" and changed.json()["assigned"]
    assert harness.container.plan_source().assigned_by["u1"] == "ops-lead"

    assert (await api.post("/api/video/jobs", json=TEXT_JOB, headers=U1)).status_code == 202
    shown = (await api.get("/api/video/admin/users/u2/plan", headers=by_claim)).json()
    assert (shown["plan"]["name"], shown["assigned"]) == ("free", False)
    unknown = await api.put("/api/video/admin/users/u1/plan", json={"plan": "gold"}, headers=by_claim)
    assert unknown.status_code == 422 and unknown.json()["field"] == "plan"
    assert "enterprise" in unknown.json()["allowed"]
    bad_user = await api.put("/api/video/admin/users/a%20b/plan", json={"plan": "pro"}, headers=by_claim)
    assert bad_user.status_code == 422 and bad_user.json()["field"] == "user_id"
async def test_the_new_operations_are_accepted_with_their_options(api):
    video = {"data_base64": base64.b64encode(fake_video(4.0)).decode(), "content_type": "video/mp4"}
    face = {"data_base64": base64.b64encode(fake_image()).decode(), "content_type": "image/png"}
    swap = {"operation": "face-swap", "model": "video-face-swap", "options": {"target_gender": "female"},
            "inputs": {"video": video, "image": face}}
    assert (await api.post("/api/video/jobs", json=swap, headers=U1)).status_code == 202
    wrong = {"operation": "translate", "options": {"language": "Klingon"}, "inputs": {"video": video}}
    refused = await api.post("/api/video/jobs", json=wrong, headers=U1)
    assert refused.status_code == 422 and refused.json()["field"] == "language"
    missing = await api.post("/api/video/jobs", json={"operation": "add_audio"}, headers=U1)
    assert missing.status_code == 422 and missing.json()["field"] == "video"
    await finish(api)
    [job] = (await api.get("/api/video/jobs", headers=U1)).json()
    assert job["status"] == "completed" and job["model"] == "wavespeed-ai/video-face-swap"


async def test_enhancing_then_extending_an_asset_by_reference_chains_three_assets(api):
    first = {"operation": "text_to_video", "prompt": "a heron"}
    assert (await api.post("/api/video/jobs", json=first, headers=U1)).status_code == 202
    await finish(api)
    [origin] = (await api.get("/api/video/assets", headers=U1)).json()
    enhance = {"operation": "enhance", "inputs": {"video": {"asset_id": origin["id"]}}}
    assert (await api.post("/api/video/jobs", json=enhance, headers=U1)).status_code == 202
    await finish(api)
    enhanced = next(a for a in (await api.get("/api/video/assets", headers=U1)).json() if a["operation"] == "enhance")
    extend = {"operation": "extend", "prompt": "and then", "duration": 3,
              "inputs": {"video": {"asset_id": enhanced["id"]}}}
    assert (await api.post("/api/video/jobs", json=extend, headers=U1)).status_code == 202
    await finish(api)
    assets = {a["operation"]: a for a in (await api.get("/api/video/assets", headers=U1)).json()}
    assert len(assets) == 3 and assets["text_to_video"]["parent_asset_ids"] == []
    assert assets["enhance"]["parent_asset_ids"] == [origin["id"]]
    shown = (await api.get(f"/api/video/assets/{assets['extend']['id']}", headers=U1)).json()
    assert shown["parent_asset_ids"] == [enhanced["id"]]
