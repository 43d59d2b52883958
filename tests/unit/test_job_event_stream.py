"""The SSE route on the fakes, for finished jobs (the stream ends): what it replays, where it
resumes, and what it refuses. Live following across processes: tests/e2e/test_job_events.py."""

from __future__ import annotations

import json

from tests.unit.test_http_api import TEXT_JOB, finish, token
from videoforge.adapters.fakes import Outcome


def parse(text: str) -> list[dict]:
    events = []
    for block in text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if line and not line.startswith(":")
                      and ": " in line)
        if "data" in fields:
            events.append(fields | {"data": json.loads(fields["data"])})
    return events


async def test_a_finished_job_replays_every_change_and_resumes_after_an_id(api, harness):
    harness.provider.script(Outcome.succeed(after_polls=3))
    job_id = (await api.post("/api/video/jobs", json=TEXT_JOB, headers=token("u1"))).json()["task_id"]
    await finish(api)

    whole = await api.get(f"/api/video/jobs/{job_id}/events", headers=token("u1"))
    assert whole.status_code == 200 and whole.text.startswith("retry: ")
    events = parse(whole.text)
    assert [int(e["id"]) for e in events] == list(range(1, len(events) + 1))
    assert events[-1]["event"] == "result" and events[-1]["data"]["result"]["asset_id"]
    assert {e["event"] for e in events} == {"status", "progress", "result"}
    resumed = parse((await api.get(f"/api/video/jobs/{job_id}/events",
                                   headers=token("u1") | {"Last-Event-ID": events[-3]["id"]})).text)
    assert resumed == events[-2:]
    assert parse((await api.get(f"/api/video/jobs/{job_id}/events",
                                headers=token("u1") | {"Last-Event-ID": events[-1]["id"]})).text) == []


async def test_a_failed_job_ends_with_an_error_event(api, harness):
    harness.provider.script(Outcome.fail("content_moderation"))
    job_id = (await api.post("/api/video/jobs", json=TEXT_JOB, headers=token("u1"))).json()["task_id"]
    await finish(api)
    last = parse((await api.get(f"/api/video/jobs/{job_id}/events", headers=token("u1"))).text)[-1]
    assert last["event"] == "error" and last["data"]["status"] == "failed" and last["data"]["error"]


async def test_another_users_job_is_not_found_and_a_bad_last_event_id_is_named(api, harness):
    job_id = (await api.post("/api/video/jobs", json=TEXT_JOB, headers=token("u1"))).json()["task_id"]
    await finish(api)
    assert (await api.get(f"/api/video/jobs/{job_id}/events", headers=token("u2"))).status_code == 404
    assert (await api.get("/api/video/jobs/nope/events", headers=token("u1"))).status_code == 404
    bad = await api.get(f"/api/video/jobs/{job_id}/events", headers=token("u1") | {"Last-Event-ID": "x7"})
    assert bad.status_code == 422 and bad.json()["field"] == "Last-Event-ID"
    assert (await api.get(f"/api/video/jobs/{job_id}/events")).status_code == 401


async def test_the_providers_queue_position_shows_as_progress_in_the_events_and_the_task(api, harness):
    harness.provider.script(Outcome.succeed(after_polls=2, queued_polls=3))
    job_id = (await api.post("/api/video/jobs", json=TEXT_JOB, headers=token("u1"))).json()["task_id"]
    await finish(api)

    events = parse((await api.get(f"/api/video/jobs/{job_id}/events", headers=token("u1"))).text)
    queued = [(e["data"]["progress"], e["data"]["message"]) for e in events if "queue" in e["data"]["message"]]
    assert queued == [(17, "waiting in the provider's queue (position 3)"),
                      (18, "waiting in the provider's queue (position 2)"), (19, "next in the provider's queue")]
    working = [e["data"]["progress"] for e in events if e["data"]["message"].startswith("Video generation")]
    assert working and min(working) >= 20  # then the provider works: 20-80
