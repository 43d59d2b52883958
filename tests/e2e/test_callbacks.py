"""Signed callbacks to the caller: a receiver on loopback (uvicorn in a thread) gets each finished
job once, signed per Standard Webhooks (checked with the `standardwebhooks` package itself), and a
failing receiver is tried again. Loopback is reachable only because these tests turn on
VIDEOFORGE_ALLOW_PRIVATE_URLS; the refusals below run with the production checks."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator

import httpx
import jwt
import pytest
import uvicorn
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.conftest import settings_for_tests
from tests.contracts.builders import text_request
from videoforge.adapters.fakes import Outcome
from videoforge.application.errors import JobFailedError
from videoforge.bootstrap import build_container, open_container
from videoforge.bootstrap.http import build_app
from videoforge.domain.callbacks import DeliveryState

SECRET = "whsec_" + base64.b64encode(b"callback-signing-key-for-tests-0001").decode()
JWT = "callbacks-test-jwt-secret-at-least-32-bytes"


class Receiver:
    """Answers the scripted statuses in turn (then 204) and keeps every request."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.received: list[tuple[dict[str, str], bytes]] = []

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.received.append(({k.decode(): v.decode() for k, v in scope["headers"]}, body))
        status = self.statuses.pop(0) if self.statuses else 204
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})


@pytest.fixture(scope="module")
def receiver() -> Iterator[tuple[Receiver, str]]:
    app = Receiver()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    yield app, f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}/hooks/videos"
    server.should_exit = True
    thread.join(timeout=5)


@pytest.fixture
async def container(receiver, tmp_path):
    receiver[0].received.clear()
    settings = settings_for_tests(backend="sql", data_dir=tmp_path, callback_secret=SECRET, allow_private_urls=True,
                                  poll_interval=0.01)
    container = build_container(settings)
    container.notify_caller.add_kwargs(backoff_initial=0.05, backoff_max=0.1)
    async with open_container(container=container):
        yield container


def verified(headers: dict[str, str], body: bytes) -> dict:
    return Webhook(SECRET).verify(body, headers)


async def test_each_finished_job_is_delivered_once_signed(container, receiver):
    app, url = receiver
    done = await container.generate_video()(text_request(callback_url=url))
    container.fake_provider().script(Outcome.fail(message="the model gave up"))
    with pytest.raises(JobFailedError) as failed:
        await container.generate_video()(text_request(callback_url=url))
    await container.run_job()(done.job_id)  # running a finished job again sends nothing more

    assert len(app.received) == 2
    (first_headers, first_body), (second_headers, second_body) = app.received
    completed, error = verified(first_headers, first_body), verified(second_headers, second_body)
    assert completed["task_id"] == done.job_id and completed["status"] == "completed"
    assert completed["progress"] == 100 and completed["result"]["asset_id"] == done.asset_id
    assert error["task_id"] == failed.value.job.id and error["status"] == "failed" and error["error"]
    assert first_headers["webhook-signature"].startswith("v1,") and first_headers["webhook-id"].startswith("msg_")
    with pytest.raises(WebhookVerificationError):  # a forged body does not verify
        Webhook(SECRET).verify(first_body.replace(b"completed", b"cancelled"), first_headers)
    delivery = await container.get_callback_delivery()(done.job_id, "u1")
    assert (delivery.state, delivery.attempts, delivery.last_status) == (DeliveryState.DELIVERED, 1, 204)


async def test_a_failing_receiver_is_tried_again_with_the_same_message(container, receiver):
    app, url = receiver
    app.statuses[:] = [500, 503]
    done = await container.generate_video()(text_request(callback_url=url))

    assert len(app.received) == 3
    ids = {headers["webhook-id"] for headers, _ in app.received}
    assert len(ids) == 1 and all(verified(h, b)["task_id"] == done.job_id for h, b in app.received)
    delivery = await container.get_callback_delivery()(done.job_id, "u1")
    assert (delivery.state, delivery.attempts, delivery.last_status) == (DeliveryState.DELIVERED, 3, 204)


async def test_a_receiver_that_never_succeeds_is_given_up_in_bounded_time(receiver, tmp_path):
    app, url = receiver
    app.statuses[:] = [500] * 50
    settings = settings_for_tests(data_dir=tmp_path, callback_secret=SECRET, allow_private_urls=True,
                                  poll_interval=0.01, callback_retry_for=0.5)
    container = build_container(settings)
    container.notify_caller.add_kwargs(backoff_initial=0.05, backoff_max=0.1)
    async with open_container(container=container):
        started = time.monotonic()
        done = await container.generate_video()(text_request(callback_url=url))
        delivery = await container.get_callback_delivery()(done.job_id, "u1")
    app.statuses.clear()
    assert time.monotonic() - started < 5
    assert delivery.state is DeliveryState.FAILED and delivery.attempts >= 3 and delivery.last_status == 500
    assert delivery.last_error == "the receiver answered HTTP 500"


@pytest.mark.parametrize("url,says", [
    ("http://hooks.example.com/videos", "only https"),
    ("https://127.0.0.1/hooks", "non-public address"),
    ("https://10.1.2.3/hooks", "non-public address"),
    ("https://[::1]/hooks", "non-public address"),
    ("https://other.example.org/hooks", "may not call back"),
    ("ftp://hooks.example.com/x", "must be an https URL"),
    ("https://user:pw@hooks.example.com/x", "no credentials"),
])
async def test_a_callback_url_that_is_not_public_https_is_422_and_nothing_is_reserved(tmp_path, url, says):
    settings = settings_for_tests(data_dir=tmp_path, callback_secret=SECRET, jwt_secret=JWT,
                                  callback_hosts={"u1": ["hooks.example.com", "127.0.0.1", "10.1.2.3", "::1"]})
    app = build_app(settings, build_container(settings), resume_on_startup=False)
    token = jwt.encode({"sub": "u1", "exp": int(time.time()) + 600}, JWT, algorithm="HS256")
    job = {"operation": "text-to-video", "prompt": "a koi pond", "model": "hunyuan-video-1.5", "duration": 5,
           "callback_url": url}
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://t") as api:
        answer = await api.post("/api/video/jobs", json=job, headers={"Authorization": f"Bearer {token}"})
        usage = (await api.get("/api/video/usage", headers={"Authorization": f"Bearer {token}"})).json()
    assert answer.status_code == 422 and answer.json()["field"] == "callback_url", answer.text
    assert says in answer.json()["message"]
    assert usage["reserved_calls"] == 0 and json.dumps(answer.json()).count(SECRET) == 0
