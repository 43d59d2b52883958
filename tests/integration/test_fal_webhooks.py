"""fal's webhook deliveries: the verifier against the emulator's published keys (real HTTP on
loopback), and the generic webhook route driving a job of the container wired to the emulator."""

from __future__ import annotations

import time

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.contracts.builders import text_request
from tests.emulators.fal import FalScenario, fal_environment
from videoforge.adapters.fal import FalWebhookError, FalWebhookVerifier
from videoforge.application.errors import JobNotFinishedError
from videoforge.bootstrap import Settings, build_container, open_container
from videoforge.bootstrap.http import build_app
from videoforge.bootstrap.wavespeed import http_client
from videoforge.domain import JobStatus

APP = {"app": "fal-ai/hunyuan-video"}


@pytest.fixture
async def client():
    client = http_client(connect_timeout=2.0, read_timeout=5.0, max_connections=10)
    yield client
    await client.aclose()


@pytest.fixture
def verifier(client, fal_emulator):
    return FalWebhookVerifier(client, fal_emulator.jwks_url, allow_private_urls=True)


async def test_a_genuine_delivery_names_the_task_and_the_keys_are_cached(verifier, fal_emulator):
    first = await verifier.verify(*fal_emulator.delivery("req-7"), APP)
    second = await verifier.verify(*fal_emulator.delivery("req-8", status="ERROR"), APP)
    assert (first.provider_job_id, first.ok) == ("fal-ai/hunyuan-video/req-7", True)
    assert (second.provider_job_id, second.ok) == ("fal-ai/hunyuan-video/req-8", False)
    assert fal_emulator.jwks_reads == 1


@pytest.mark.parametrize("fault", ["forged", "old", "future", "unsigned", "tampered", "no app", "not hex"])
async def test_a_delivery_that_is_not_genuine_and_fresh_is_refused(verifier, fal_emulator, fault):
    headers, body = fal_emulator.delivery(
        "req-7", key=Ed25519PrivateKey.generate() if fault == "forged" else None, signed=fault != "unsigned",
        sent_at={"old": time.time() - 301, "future": time.time() + 301}.get(fault))
    if fault == "tampered":
        body = body.replace(b'"OK"', b'"ERROR"')
    if fault == "not hex":
        headers["x-fal-webhook-signature"] = "zz" * 64
    with pytest.raises(FalWebhookError):
        await verifier.verify(headers, body, {} if fault == "no app" else APP)


async def test_a_replayed_delivery_is_refused_and_a_forged_one_refetches_the_keys_at_most_once_a_minute(
        verifier, fal_emulator):
    headers, body = fal_emulator.delivery("req-7")
    await verifier.verify(headers, body, APP)
    with pytest.raises(FalWebhookError, match="replay"):
        await verifier.verify(headers, body, APP)
    for _ in range(3):
        with pytest.raises(FalWebhookError, match="does not match"):
            await verifier.verify(*fal_emulator.delivery("req-9", key=Ed25519PrivateKey.generate()), APP)
    assert fal_emulator.jwks_reads == 1  # fetched just now: a forgery does not make us fetch again


async def test_rotated_keys_are_fetched_again(client, fal_emulator):
    now = [time.time()]
    verifier = FalWebhookVerifier(client, fal_emulator.jwks_url, allow_private_urls=True, clock=lambda: now[0])
    await verifier.verify(*fal_emulator.delivery("req-1", sent_at=now[0]), APP)
    fal_emulator.signing_key = Ed25519PrivateKey.generate()  # fal rotates its key
    now[0] += 61
    assert (await verifier.verify(*fal_emulator.delivery("req-2", sent_at=now[0]), APP)).ok
    assert fal_emulator.jwks_reads == 2


async def test_unreadable_keys_refuse_the_delivery(client, fal_emulator):
    verifier = FalWebhookVerifier(client, fal_emulator.url + "/nowhere", allow_private_urls=True)
    with pytest.raises(FalWebhookError, match="signing keys"):
        await verifier.verify(*fal_emulator.delivery("req-1"), APP)
    private = FalWebhookVerifier(client, fal_emulator.jwks_url)  # loopback without the test opt-in
    with pytest.raises(FalWebhookError, match="signing keys"):
        await private.verify(*fal_emulator.delivery("req-1"), APP)


@pytest.fixture
async def served(monkeypatch, tmp_path, fal_emulator):
    env = fal_environment(fal_emulator, "direct", VIDEOFORGE_FAL_WEBHOOK_URL="http://t/api/video/webhooks/fal",
                          VIDEOFORGE_FAL_JWKS_URL=fal_emulator.jwks_url, VIDEOFORGE_POLL_DEADLINE="0.2",
                          VIDEOFORGE_JWT_SECRET="s" * 32, VIDEOFORGE_STORAGE="memory",
                          VIDEOFORGE_DATA_DIR=str(tmp_path), VIDEOFORGE_DEFAULT_PLAN="pro")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    container = build_container(settings)
    app = build_app(settings, container, resume_on_startup=False)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        yield container, app, http


async def test_a_genuine_fal_webhook_drives_its_job_and_a_repeat_changes_nothing(served, fal_emulator):
    container, app, http = served
    fal_emulator.real_media = True
    fal_emulator.script(FalScenario(queue_polls=10_000))
    with pytest.raises(JobNotFinishedError) as waiting:
        await container.generate_video()(text_request(model="fal-ai/hunyuan-video"))
    job = await container.job_repository().get(waiting.value.job.id)
    [request] = fal_emulator.requests.values()
    assert request.webhook == "http://t/api/video/webhooks/fal?app=fal-ai%2Fhunyuan-video"
    fal_emulator.finish(request.id)

    def post(delivery, **query):
        headers, body = delivery
        return http.post("/api/video/webhooks/fal", content=body, headers=headers, params=query or APP)

    for refused in (fal_emulator.delivery(request.id, key=Ed25519PrivateKey.generate()),
                    fal_emulator.delivery(request.id, sent_at=time.time() - 600),
                    fal_emulator.delivery(request.id, signed=False)):
        answer = await post(refused)
        assert answer.status_code == 400 and answer.json()["error"] == "invalid_webhook"
    assert (await container.job_repository().get(job.id)).status is JobStatus.PROCESSING

    genuine = fal_emulator.delivery(request.id)
    assert (await post(genuine)).json() == {"accepted": True, "duplicate": False, "job_id": job.id}
    await app.state.runner.wait()
    done = await container.job_repository().get(job.id)
    assert done.status is JobStatus.COMPLETED, done.error

    again = await post(fal_emulator.delivery(request.id, sent_at=time.time() - 5))  # fal delivering again
    assert again.json() == {"accepted": True, "duplicate": False, "job_id": None}
    assert (await post(genuine)).status_code == 400  # the same delivery replayed
    assert (await container.job_repository().get(job.id)).version == done.version
    assert fal_emulator.submissions == 1


async def test_a_provider_without_webhooks_here_is_a_404_and_the_old_wavespeed_path_is_documented(served):
    _, app, http = served
    answer = await http.post("/api/video/webhooks/replicate", content=b"{}")
    assert answer.status_code == 404 and "fal" in answer.json()["message"]
    paths = app.openapi()["paths"]
    assert {"/api/video/webhooks/wavespeed", "/api/video/webhooks/{provider}"} <= set(paths)


async def test_through_the_router_no_webhook_is_asked_for_and_the_job_completes_by_polling(
        monkeypatch, tmp_path, fal_emulator):
    env = fal_environment(fal_emulator, "router",
                          VIDEOFORGE_FAL_WEBHOOK_URL="https://videoforge.example/api/video/webhooks/fal",
                          VIDEOFORGE_STORAGE="memory", VIDEOFORGE_DATA_DIR=str(tmp_path), VIDEOFORGE_DEFAULT_PLAN="pro")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    fal_emulator.real_media = True
    fal_emulator.script(FalScenario(queue_polls=2, progress_polls=2))
    container = build_container(Settings())
    async with open_container(container=container):
        result = await container.generate_video()(text_request(model="fal-ai/hunyuan-video"))

    [request] = fal_emulator.requests.values()
    assert request.webhook is None  # Hugging Face's router documents no fal_webhook: the job is polled
    assert result.provider == "fal" and set(fal_emulator.routes) == {"router"}
