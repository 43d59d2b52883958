"""Webhook deliveries sent by the emulator over HTTP, verified as the HTTP API will verify them."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time

import pytest

from tests.contracts.provider import text_task
from tests.emulators.wavespeed import Delivery, Scenario
from videoforge.adapters.wavespeed import (
    InMemoryWebhookDedupe,
    WaveSpeedVideoProvider,
    WebhookVerificationError,
    WebhookVerifier,
    verify_webhook,
)
from videoforge.application.ports.provider import ProviderState
from videoforge.bootstrap.wavespeed import http_client
from videoforge.domain import ErrorCode

TASK = text_task("wavespeed-ai/hunyuan-video-1.5/text-to-video")


@pytest.fixture
async def provider(wavespeed_emulator):
    client = http_client(connect_timeout=2.0, read_timeout=5.0, max_connections=10)
    yield WaveSpeedVideoProvider(client, wavespeed_emulator.api_key, wavespeed_emulator.url, allow_private_urls=True,
                                 webhook_url=f"{wavespeed_emulator.url}/_sink")
    await client.aclose()


async def delivery(emulator, scenario: Scenario, provider) -> tuple[str, Delivery]:
    emulator.script(scenario)
    task_id = await provider.submit(TASK)
    for _ in range(200):
        if emulator.deliveries:
            return task_id, emulator.deliveries[-1]
        await asyncio.sleep(0.01)
    raise AssertionError("no webhook was delivered")


async def test_a_genuine_delivery_gives_the_task_and_its_outputs(provider, wavespeed_emulator):
    task_id, sent = await delivery(wavespeed_emulator, Scenario.succeed(after=0.02), provider)

    event = await WebhookVerifier(wavespeed_emulator.webhook_secret).verify(sent.headers, sent.body)

    assert event.task_id == task_id and event.raw_status == "completed"
    assert event.status.state is ProviderState.COMPLETED
    assert event.outputs == (wavespeed_emulator.output_url(task_id),)
    assert event.status.output.url == event.outputs[0] and event.webhook_id == sent.headers["webhook-id"]


async def test_a_failed_task_delivery_carries_our_error_code(provider, wavespeed_emulator):
    _, sent = await delivery(wavespeed_emulator, Scenario("fail", after=0.02, task_code=1402, error="404 on image"),
                             provider)

    event = await verify_webhook(sent.headers, sent.body, wavespeed_emulator.webhook_secret)

    assert event.status.state is ProviderState.FAILED and event.status.error_code is ErrorCode.MEDIA_UNREACHABLE
    assert event.outputs == ()


async def test_a_delivery_signed_with_another_secret_is_refused(provider, wavespeed_emulator):
    wavespeed_emulator.signing_secret = "whsec_someone-else"
    _, sent = await delivery(wavespeed_emulator, Scenario.succeed(after=0.02), provider)

    with pytest.raises(WebhookVerificationError, match="signature does not match"):
        await verify_webhook(sent.headers, sent.body, wavespeed_emulator.webhook_secret)


async def test_a_tampered_body_is_refused(provider, wavespeed_emulator):
    _, sent = await delivery(wavespeed_emulator, Scenario.succeed(after=0.02), provider)
    forged = sent.body.replace(b'"completed"', b'"failed"')

    with pytest.raises(WebhookVerificationError):
        await verify_webhook(sent.headers, forged, wavespeed_emulator.webhook_secret)


async def test_a_repeated_delivery_is_ignored(provider, wavespeed_emulator):
    _, sent = await delivery(wavespeed_emulator, Scenario.succeed(after=0.02), provider)
    verifier = WebhookVerifier(wavespeed_emulator.webhook_secret, InMemoryWebhookDedupe())

    assert await verifier.verify(sent.headers, sent.body) is not None
    assert await verifier.verify(sent.headers, sent.body) is None


def signed(secret: str, body: bytes, *, webhook_id: str = "msg_1", at: float | None = None) -> dict[str, str]:
    timestamp = str(int(at if at is not None else time.time()))
    key = secret.removeprefix("whsec_").encode()  # the rest of the secret, as is: not base64-decoded
    digest = hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return {"Webhook-Id": webhook_id, "Webhook-Timestamp": timestamp, "Webhook-Signature": f"v3,{digest}"}


BODY = json.dumps({"id": "t1", "status": "completed", "outputs": ["https://cdn.example.com/t1.mp4"]}).encode()


async def test_the_secret_is_used_without_its_prefix_and_not_base64_decoded():
    secret = "whsec_c2VjcmV0"  # valid base64: decoding it would give another key
    assert await verify_webhook(signed(secret, BODY), BODY, secret) is not None
    with pytest.raises(WebhookVerificationError):
        await verify_webhook(signed("whsec_secret", BODY), BODY, secret)


@pytest.mark.parametrize("age", [301, -301])
async def test_deliveries_older_than_300_s_or_from_the_future_are_refused(age):
    now = 1_800_000_000
    headers = signed("whsec_k", BODY, at=now - age)
    with pytest.raises(WebhookVerificationError, match="300 s"):
        await verify_webhook(headers, BODY, "whsec_k", now=now)
    assert await verify_webhook(signed("whsec_k", BODY, at=now - 299), BODY, "whsec_k", now=now) is not None


@pytest.mark.parametrize("missing", ["Webhook-Id", "Webhook-Timestamp", "Webhook-Signature"])
async def test_a_delivery_without_its_headers_is_refused(missing):
    headers = signed("whsec_k", BODY)
    del headers[missing]
    with pytest.raises(WebhookVerificationError, match="required"):
        await verify_webhook(headers, BODY, "whsec_k")


async def test_a_signed_body_that_is_not_a_task_is_refused():
    body = b'{"hello": "world"}'
    with pytest.raises(WebhookVerificationError, match="no task id"):
        await verify_webhook(signed("whsec_k", body), body, "whsec_k")


async def test_a_forged_delivery_does_not_burn_the_id_of_a_genuine_one():
    dedupe = InMemoryWebhookDedupe()
    verifier = WebhookVerifier("whsec_k", dedupe)
    with pytest.raises(WebhookVerificationError):
        await verifier.verify(signed("whsec_wrong", BODY), BODY)
    assert await verifier.verify(signed("whsec_k", BODY), BODY) is not None
