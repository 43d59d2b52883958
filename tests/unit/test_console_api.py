"""The browser console's page and the API routes it needs (who am I, signed media links, lineage,
every user's spend), in-process on the fakes. The browser itself: tests/e2e/test_console_browser.py."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from fastapi import FastAPI

from tests.unit.test_http_api import SECRET, U1, U2, finish, token
from videoforge.adapters.http.media_links import MediaLinks
from videoforge.bootstrap import Settings
from videoforge.bootstrap.http import media_links, router

ADMIN = token("ops-lead")  # an admin by VIDEOFORGE_ADMIN_SUBJECTS


async def completed(api, headers=U1, **job) -> dict:
    body = {"operation": "text_to_video", "prompt": "a heron at dusk", "duration": 5} | job
    created = await api.post("/api/video/jobs", json=body, headers=headers)
    assert created.status_code == 202, created.text
    await finish(api)
    task = (await api.get(f"/api/video/jobs/{created.json()['task_id']}", headers=headers)).json()
    assert task["status"] == "completed", task
    return task


async def test_the_console_page_and_its_two_files_are_served_with_a_strict_policy(api):
    page = await api.get("/console")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "connect-src 'self'" in policy
    assert page.headers["referrer-policy"] == "no-referrer"
    assert '<script src="/console/static/console.js"' in page.text and "console.css" in page.text
    for name, kind in (("console.js", "text/javascript"), ("console.css", "text/css")):
        served = await api.get(f"/console/static/{name}")
        assert served.status_code == 200 and served.headers["content-type"].startswith(kind) and served.text
    assert (await api.get("/console/static/index.html")).status_code == 404
    assert (await api.get("/console/static/..%2Fconsole.js")).status_code == 404
    assert "/console" not in (await api.get("/openapi.json")).json()["paths"]


async def test_a_host_embedding_the_router_gets_the_console_with_its_token_url(harness):
    hosted = router(Settings(jwt_secret=SECRET, console_token_url='/auth/token?for="x"&y=<1>'), harness.container)
    app = FastAPI()
    hosted.include_in(app)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://host.test") as client:
        page = (await client.get("/console")).text
    assert 'content="/auth/token?for=&quot;x&quot;&amp;y=&lt;1&gt;"' in page
    bare = FastAPI()
    hosted.include_in(bare, console=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=bare), base_url="http://host.test") as client:
        assert (await client.get("/console")).status_code == 404


async def test_me_says_who_the_token_is_and_whether_an_admin(api):
    assert (await api.get("/api/video/me", headers=U1)).json() == {"user_id": "u1", "admin": False}
    assert (await api.get("/api/video/me", headers=ADMIN)).json() == {"user_id": "ops-lead", "admin": True}
    by_claim = token("billing-bot", videoforge_admin=True)
    assert (await api.get("/api/video/me", headers=by_claim)).json()["admin"] is True
    assert (await api.get("/api/video/me")).status_code == 401


async def test_signed_links_serve_the_owners_files_with_ranges_and_nothing_else(api, harness):
    asset_id = (await completed(api))["result"]["asset_id"]
    minted = await api.post("/api/video/assets/links", json={"asset_ids": [asset_id, asset_id]}, headers=U1)
    assert minted.status_code == 200
    [link] = minted.json()["links"]
    assert 500 < minted.json()["expires_at"] - time.time() <= 600
    assert U1["Authorization"].split()[1] not in link["video_url"]  # the login token never goes in a URL
    stored = harness.storage.objects[harness.videos()[0]]

    video = await api.get(link["video_url"])  # no Authorization header: the link is the permission
    assert video.status_code == 200 and video.content == stored and video.headers["accept-ranges"] == "bytes"
    part = await api.get(link["video_url"], headers={"Range": "bytes=4-9"})
    assert part.status_code == 206 and part.content == stored[4:10]
    thumb = await api.get(link["thumbnail_url"])
    assert thumb.status_code == 200 and thumb.content[:2] == b"\xff\xd8"

    signed = parse_qs(urlsplit(link["video_url"]).query)["token"][0]
    for refused in (f"/api/video/media/{asset_id}/video", f"/api/video/media/{asset_id}/video?token=x{signed}",
                    f"/api/video/media/{asset_id}/thumbnail?token={signed}",  # a link to the video only
                    f"/api/video/media/other-asset/video?token={signed}"):
        answer = await api.get(refused)
        assert answer.status_code == 401 and answer.json()["error"], refused
    login_token = U1["Authorization"].split()[1]
    assert (await api.get(f"/api/video/media/{asset_id}/video?token={login_token}")).status_code == 401
    assert (await api.get(f"/api/video/media/{asset_id}/poster?token={signed}")).status_code == 422

    assert (await api.post("/api/video/assets/links", json={"asset_ids": [asset_id]}, headers=U2)).status_code == 404
    assert (await api.post("/api/video/assets/links", json={"asset_ids": []}, headers=U1)).status_code == 422
    assert (await api.post("/api/video/assets/links", json={"asset_ids": [asset_id]})).status_code == 401


def test_a_media_link_expires_and_the_key_is_the_deployments():
    links = MediaLinks(b"k" * 32, ttl=60)
    old = links.link("u1", "a1", "video", now=time.time() - 3600)
    token_ = parse_qs(urlsplit(old.url).query)["token"][0]
    with pytest.raises(Exception, match="expired"):
        links.owner(token_, "a1", "video")
    fresh = parse_qs(urlsplit(links.link("u1", "a1", "video").url).query)["token"][0]
    assert links.owner(fresh, "a1", "video") == "u1"
    with pytest.raises(Exception, match="invalid"):
        MediaLinks(b"j" * 32).owner(fresh, "a1", "video")
    derived = media_links(Settings(jwt_secret=SECRET))
    minted = parse_qs(urlsplit(derived.link("u1", "a1", "video").url).query)["token"][0]
    with pytest.raises(jwt.InvalidSignatureError):  # not signed with the login secret itself
        jwt.decode(minted, SECRET, algorithms=["HS256"], audience="videoforge-media")
    assert media_links(Settings(jwt_secret=SECRET)).owner(minted, "a1", "video") == "u1"  # same key in every process


async def test_lineage_shows_the_job_its_inputs_and_the_parent_assets(api):
    origin = (await completed(api))["result"]
    enhanced = (await completed(api, operation="enhance", prompt=None, duration=None,
                                inputs={"video": {"asset_id": origin["asset_id"]}}))["result"]
    lineage = await api.get(f"/api/video/assets/{enhanced['asset_id']}/lineage", headers=U1)
    assert lineage.status_code == 200
    body = lineage.json()
    assert body["asset"]["id"] == enhanced["asset_id"] and body["job"]["operation"] == "enhance"
    assert body["job"]["model"] == enhanced["model"] and body["asset"]["cost"] == enhanced["cost"]
    [source] = body["inputs"]
    assert (source["kind"], source["asset_id"]) == ("video", origin["asset_id"])
    [parent] = body["parents"]
    assert parent["asset"]["id"] == origin["asset_id"] and parent["job"]["prompt"] == "a heron at dusk"
    assert parent["inputs"] == [] and parent["parents"] == []
    assert (await api.get(f"/api/video/assets/{enhanced['asset_id']}/lineage", headers=U2)).status_code == 404


async def test_an_admin_sees_every_users_spend_against_their_plan(api, harness):
    await completed(api)
    await completed(api)
    await completed(api, headers=U2)
    spend = await api.get("/api/video/admin/spend", headers=ADMIN)
    assert spend.status_code == 200
    body = spend.json()
    assert body["period"] == harness.clock.now().strftime("%Y-%m")
    assert [(u["user_id"], u["video_calls"], u["video_cost"], u["plan"]["name"]) for u in body["users"]] == [
        ("u1", 2, "0.4", "pro"), ("u2", 1, "0.2", "free")]  # money: decimal strings
    assert (await api.get("/api/video/admin/spend?period=1999-01", headers=ADMIN)).json()["users"] == []
    bad = await api.get("/api/video/admin/spend?period=2026-13", headers=ADMIN)
    assert bad.status_code == 422 and bad.json()["field"] == "period"
    assert (await api.get("/api/video/admin/spend", headers=U1)).status_code == 403
