"""The WaveSpeed adapter against the emulator, over real HTTP on loopback."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import re
import socket
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tests.contracts.provider import (
    SubmissionHistoryContract,
    VideoProviderContract,
    text_task,
    wait_until_finished,
)
from tests.emulators.wavespeed import Scenario
from videoforge.adapters.fakes import fake_image, fake_video
from videoforge.adapters.wavespeed import WIRE_FORMATS, WaveSpeedVideoProvider, WireFormat
from videoforge.application.ports.provider import (
    InsufficientCreditError,
    ProviderError,
    ProviderOutcomeUnknownError,
    ProviderOutput,
    ProviderOutputError,
    ProviderRejectedError,
    ProviderState,
    ProviderTask,
    ProviderUnavailableError,
)
from videoforge.application.sources import InputSource
from videoforge.bootstrap.wavespeed import http_client
from videoforge.domain import Cost, ErrorCode, MediaInput, MediaKind, OperationType, VideoRequest, default_catalog

TASK = text_task("wavespeed-ai/hunyuan-video-1.5/text-to-video", seed=7)


@pytest.fixture
async def client():
    client = http_client(connect_timeout=2.0, read_timeout=5.0, max_connections=50)
    yield client
    await client.aclose()


@pytest.fixture
def make_provider(client, wavespeed_emulator):
    def make(**changes) -> WaveSpeedVideoProvider:
        options = {"allow_private_urls": True, "backoff_initial": 0.01, "backoff_max": 0.02, "submit_timeout": 0.5,
                   "poll_timeout": 0.5, "read_attempts": 3} | changes
        api_key = options.pop("api_key", wavespeed_emulator.api_key)
        base_url = options.pop("base_url", wavespeed_emulator.url)
        return WaveSpeedVideoProvider(client, api_key, base_url, **options)

    return make


@pytest.fixture
def provider(make_provider):
    return make_provider()


class TestWaveSpeedVideoProvider(VideoProviderContract, SubmissionHistoryContract):
    @pytest.fixture
    def provider(self, make_provider):
        return make_provider()

    @pytest.fixture
    def model(self):
        return "wavespeed-ai/hunyuan-video-1.5/text-to-video"

    @pytest.fixture
    def scenario(self, wavespeed_emulator):
        scenarios = {"succeed": Scenario.succeed(polls=2), "moderation": Scenario.fail(1200, "flagged"),
                     "reject": Scenario.reject(), "hang": Scenario("hang")}

        def apply(name, task):
            wavespeed_emulator.script(scenarios[name])
            return task

        return apply

    @pytest.fixture
    def unclear(self, wavespeed_emulator):
        scenarios = {"created": Scenario.error_after_create(500, polls=2),
                     "not_created": Scenario.reject(500, "internal server error"),
                     "twice": Scenario.error_after_create(503, twins=1)}
        return lambda kind: wavespeed_emulator.script(scenarios[kind])


# -- submit ---------------------------------------------------------------------------------------


async def test_submit_posts_the_catalog_payload_with_bearer_auth_and_client_name(provider, wavespeed_emulator):
    task_id = await provider.submit(TASK)

    assert wavespeed_emulator.tasks[task_id].payload == {"prompt": "a cat", "size": "1280*720", "duration": 5,
                                                         "seed": 7}
    [post] = wavespeed_emulator.requests_to("POST", "/api/v3/wavespeed-ai/")
    assert post.path == "/api/v3/wavespeed-ai/hunyuan-video-1.5/text-to-video"
    assert post.headers["authorization"] == f"Bearer {wavespeed_emulator.api_key}"
    assert post.headers["x-client-name"] == "videoforge"
    assert wavespeed_emulator.tasks[task_id].webhook is None


async def test_a_submit_that_never_answers_is_an_unknown_outcome_sent_once(provider, wavespeed_emulator):
    wavespeed_emulator.script(Scenario(submit="never_answer"))

    with pytest.raises(ProviderOutcomeUnknownError, match="no answer came"):
        await provider.submit(TASK)

    assert wavespeed_emulator.submission_count == 1 and len(wavespeed_emulator.tasks) == 1


@pytest.mark.parametrize("fault", ["drop", "no_id"])
async def test_a_submit_answer_cut_short_or_without_id_is_an_unknown_outcome(provider, wavespeed_emulator, fault):
    wavespeed_emulator.script(Scenario(submit=fault))

    with pytest.raises(ProviderOutcomeUnknownError):
        await provider.submit(TASK)

    assert wavespeed_emulator.submission_count == 1


@pytest.mark.parametrize(("status", "message", "error", "code", "retryable"), [
    (400, "invalid parameter: size", ProviderRejectedError, ErrorCode.INVALID_PARAMETER, False),
    (400, "Insufficient credits. Please top up.", InsufficientCreditError, ErrorCode.INSUFFICIENT_CREDIT, False),
    (402, "payment required", InsufficientCreditError, ErrorCode.INSUFFICIENT_CREDIT, False),
    (403, "this key's role may not run the model", ProviderRejectedError, ErrorCode.PROVIDER_REJECTED, False),
    (429, "too many requests", ProviderRejectedError, ErrorCode.PROVIDER_REJECTED, True),
    (422, "duration must be 5 or 10", ProviderRejectedError, ErrorCode.INVALID_PARAMETER, False),
])
async def test_a_refused_submission_raises_a_typed_error_and_is_not_sent_again(
        provider, wavespeed_emulator, status, message, error, code, retryable):
    wavespeed_emulator.script(Scenario.reject(status, message))

    with pytest.raises(error) as caught:
        await provider.submit(TASK)

    assert type(caught.value) is error and caught.value.code is code and caught.value.retryable is retryable
    assert message.split(":")[0].split(".")[0] in str(caught.value)  # the provider's words, inside ours
    assert wavespeed_emulator.submission_count == 1 and not wavespeed_emulator.tasks


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408])
async def test_a_server_error_on_submit_is_an_unknown_outcome_saying_what_was_sent(provider, wavespeed_emulator,
                                                                                  status):
    wavespeed_emulator.script(Scenario.reject(status, "gateway timeout"))

    with pytest.raises(ProviderOutcomeUnknownError, match=f"HTTP {status}") as caught:
        await provider.submit(TASK)
    assert wavespeed_emulator.submission_count == 1
    sent = caught.value.sent
    body = {"prompt": "a cat", "size": "1280*720", "duration": 5, "seed": 7}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert sent.record == {"model": TASK.spec.model, "input_sha256": hashlib.sha256(canonical).hexdigest()}
    assert sent.sent_at <= sent.answered_at


async def test_what_is_sent_is_announced_before_the_request_leaves_and_a_refused_record_sends_nothing(
        provider, wavespeed_emulator):
    seen = []

    async def record(sent):
        seen.append((sent, wavespeed_emulator.submission_count))

    task_id = await provider.submit(replace(TASK, before_sending=record))
    [(sent, submissions_then)] = seen
    assert submissions_then == 0 and wavespeed_emulator.submission_count == 1
    assert sent.record["model"] == TASK.spec.model and len(sent.record["input_sha256"]) == 64
    assert (sent.answered_at - sent.sent_at).total_seconds() > 30  # the latest the answer can come (timeout + margin)
    assert await provider.find_sent(sent) == [task_id]  # the record alone finds the task

    async def refuse(_sent):
        raise RuntimeError("the job could not be saved")

    with pytest.raises(RuntimeError):
        await provider.submit(replace(TASK, before_sending=refuse))
    assert wavespeed_emulator.submission_count == 1


async def test_the_statuses_that_prove_a_refusal_are_configurable(make_provider, wavespeed_emulator):
    wavespeed_emulator.script(Scenario.reject(504, "gateway timeout"))

    with pytest.raises(ProviderRejectedError):
        await make_provider(refusal_statuses={400, 504}).submit(TASK)


async def test_the_history_is_read_by_model_and_window_and_retried(provider, wavespeed_emulator):
    wavespeed_emulator.script(Scenario.error_after_create(500))
    with pytest.raises(ProviderOutcomeUnknownError) as caught:
        await provider.submit(TASK)
    wavespeed_emulator.fail_next_history_reads(502)

    [task_id] = await provider.find_sent(caught.value.sent)

    assert task_id in wavespeed_emulator.tasks
    reads = wavespeed_emulator.requests_to("POST", "/api/v3/predictions")
    assert len(reads) == 2 and all(r.path == "/api/v3/predictions" for r in reads)
    assert reads[-1].headers["authorization"] == f"Bearer {wavespeed_emulator.api_key}"


async def test_a_history_that_never_answers_cannot_tell(provider, wavespeed_emulator):
    wavespeed_emulator.script(Scenario.error_after_create(500))
    with pytest.raises(ProviderOutcomeUnknownError) as caught:
        await provider.submit(TASK)
    wavespeed_emulator.fail_next_history_reads(500, 500, 500)

    with pytest.raises(ProviderUnavailableError, match="task history"):
        await provider.find_sent(caught.value.sent)


async def test_a_task_of_the_window_whose_inputs_are_hidden_cannot_be_told(provider, wavespeed_emulator):
    wavespeed_emulator.script(Scenario.error_after_create(500))
    with pytest.raises(ProviderOutcomeUnknownError) as caught:
        await provider.submit(TASK)
    wavespeed_emulator.fail_next_reads(404)  # the task's own prediction cannot be read

    with pytest.raises(ProviderUnavailableError):
        await provider.find_sent(caught.value.sent)


async def test_a_wrong_key_is_refused_in_plain_words(make_provider, wavespeed_emulator):
    with pytest.raises(ProviderRejectedError, match=r"refused the API key .*WAVESPEED_API_KEY"):
        await make_provider(api_key="not-the-key").submit(TASK)
    assert not wavespeed_emulator.tasks


async def test_an_unreachable_provider_refuses_before_anything_is_sent(make_provider):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once closed
    with pytest.raises(ProviderRejectedError) as caught:
        await make_provider(base_url=f"http://127.0.0.1:{port}").submit(TASK)
    assert caught.value.code is ErrorCode.PROVIDER_UNAVAILABLE and caught.value.retryable


@pytest.mark.parametrize("model", ["../balance", "acme/video-9/text-to-video", "local/title-card"])
async def test_a_model_without_a_wire_format_is_refused_by_name_without_a_request(provider, wavespeed_emulator,
                                                                                 model):
    task = ProviderTask("j", replace(TASK.spec, model=model))
    with pytest.raises(ProviderRejectedError, match=f"^model: '{re.escape(model)}' is not a WaveSpeed model") as caught:
        await provider.submit(task)
    assert caught.value.code is ErrorCode.INVALID_PARAMETER and "wavespeed-ai/flashvsr" in str(caught.value)
    assert not wavespeed_emulator.requests


async def test_a_host_gives_the_wire_format_of_a_model_it_added(make_provider, wavespeed_emulator):
    spec = replace(TASK.spec, model="acme/new-video-model")
    provider = make_provider(wire_formats={"acme/new-video-model": WireFormat(resolution_field="resolution")})
    task_id = await provider.submit(ProviderTask("j", spec))
    assert wavespeed_emulator.tasks[task_id].payload == {"prompt": "a cat", "resolution": "720p", "duration": 5,
                                                         "seed": 7}


async def test_an_input_the_model_does_not_take_is_refused_by_name_without_a_request(provider, wavespeed_emulator):
    image = MediaInput.from_bytes(MediaKind.IMAGE, fake_image(), "image/png", "face.png")
    task = ProviderTask("j", replace(TASK.spec, inputs=(MediaKind.IMAGE,)), {MediaKind.IMAGE: InputSource(image)})
    with pytest.raises(ProviderRejectedError, match=r"^image: WaveSpeed's .* takes no image input \(allowed: none\)"):
        await provider.submit(task)
    assert not wavespeed_emulator.requests


async def test_a_configured_webhook_goes_in_the_query_not_the_body(make_provider, wavespeed_emulator):
    task_id = await make_provider(webhook_url="https://hooks.example.com/wavespeed?x=1").submit(TASK)

    assert wavespeed_emulator.tasks[task_id].webhook == "https://hooks.example.com/wavespeed?x=1"
    assert "webhook" not in wavespeed_emulator.tasks[task_id].payload


# -- poll -----------------------------------------------------------------------------------------


async def test_polls_ride_out_a_burst_of_429_and_5xx(provider, wavespeed_emulator):
    task_id = await provider.submit(TASK)
    wavespeed_emulator.fail_next_reads(429, 503)

    status = await provider.poll(task_id)

    assert status.state is ProviderState.COMPLETED
    assert len(wavespeed_emulator.requests_to("GET", "/api/v3/predictions/")) == 3


async def test_a_retry_after_on_an_unfinished_task_is_the_providers_hint_for_the_next_poll(
        provider, wavespeed_emulator):
    wavespeed_emulator.script(Scenario.succeed(polls=3, poll_after=7))
    task_id = await provider.submit(TASK)

    queued, running, done = [await provider.poll(task_id) for _ in range(3)]

    assert (queued.state, queued.poll_after) == (ProviderState.QUEUED, 7.0)
    assert (running.state, running.poll_after) == (ProviderState.RUNNING, 7.0)
    assert (done.state, done.poll_after) == (ProviderState.COMPLETED, None)


async def test_a_slow_status_read_is_asked_again(provider, wavespeed_emulator):
    task_id = await provider.submit(TASK)
    wavespeed_emulator.fail_next_reads(1.5)  # longer than the 0.5 s read timeout

    assert (await provider.poll(task_id)).state is ProviderState.COMPLETED
    assert len(wavespeed_emulator.requests_to("GET", "/api/v3/predictions/")) == 2


async def test_polls_give_up_after_the_configured_attempts(provider, wavespeed_emulator):
    task_id = await provider.submit(TASK)
    wavespeed_emulator.fail_next_reads(502, 503, 500, 502)

    with pytest.raises(ProviderUnavailableError, match="after 3 attempts") as caught:
        await provider.poll(task_id)

    assert caught.value.retryable
    assert len(wavespeed_emulator.requests_to("GET", "/api/v3/predictions/")) == 3
    assert wavespeed_emulator.submission_count == 1


@pytest.mark.parametrize(("task_code", "code"), [
    (1200, ErrorCode.CONTENT_MODERATION), (1400, ErrorCode.INVALID_PARAMETER), (1401, ErrorCode.INVALID_PARAMETER),
    (1402, ErrorCode.MEDIA_UNREACHABLE), (1403, ErrorCode.TASK_FAILED), (1405, ErrorCode.TASK_FAILED),
    (5000, ErrorCode.PROVIDER_INTERNAL), (5003, ErrorCode.PROVIDER_INTERNAL), (None, ErrorCode.TASK_FAILED),
])
async def test_failed_task_codes_map_to_our_error_codes(provider, wavespeed_emulator, task_code, code):
    wavespeed_emulator.script(Scenario.fail(task_code, "<b>model exploded</b> at step 3"))
    task_id = await provider.submit(TASK)

    status = await provider.poll(task_id)

    assert status.state is ProviderState.FAILED and status.error_code is code
    assert status.provider_code == task_code and status.output is None
    ours, _, theirs = status.error_message.partition("; the provider said: ")
    assert ours and "exploded" not in ours  # our own sentence first, theirs quoted after it
    assert theirs == "<b>model exploded</b> at step 3"


@pytest.mark.parametrize(("kind", "state", "code"), [
    ("cancelled", ProviderState.CANCELLED, ErrorCode.PROVIDER_CANCELLED),
    ("timeout", ProviderState.EXPIRED, ErrorCode.PROVIDER_EXPIRED),
    ("deleted", ProviderState.EXPIRED, ErrorCode.PROVIDER_EXPIRED),
    ("empty", ProviderState.FAILED, ErrorCode.OUTPUT_INVALID),
])
async def test_every_terminal_status_is_mapped(provider, wavespeed_emulator, kind, state, code):
    wavespeed_emulator.script(Scenario(kind))
    status = await provider.poll(await provider.submit(TASK))

    assert status.finished and status.state is state and status.error_code is code and status.output is None


async def test_queued_and_processing_are_not_finished(provider, wavespeed_emulator):
    wavespeed_emulator.script(Scenario.succeed(polls=3))
    task_id = await provider.submit(TASK)

    states = [(await provider.poll(task_id)).state for _ in range(3)]

    assert states == [ProviderState.QUEUED, ProviderState.RUNNING, ProviderState.COMPLETED]


async def test_an_unknown_status_is_taken_as_running_and_logged(provider, wavespeed_emulator, caplog):
    wavespeed_emulator.script(Scenario("mystery"))
    task_id = await provider.submit(TASK)

    with caplog.at_level(logging.WARNING, logger="videoforge.wavespeed"):
        status = await provider.poll(task_id)

    assert status.state is ProviderState.RUNNING and not status.finished
    assert "warming-up" in caplog.text


# -- outputs --------------------------------------------------------------------------------------


async def test_a_large_output_streams_in_bounded_chunks(make_provider, wavespeed_emulator):
    provider = make_provider(chunk_size=256 * 1024)
    wavespeed_emulator.script(Scenario.succeed(output_size=20 * 1024 * 1024))
    status = await provider.poll(await provider.submit(TASK))

    sizes, head = [], b""
    async for chunk in provider.stream_output(status.output):
        sizes.append(len(chunk))
        head = head or chunk

    assert sum(sizes) == 20 * 1024 * 1024 and max(sizes) <= 256 * 1024
    assert head.startswith(fake_video(5.0, 1280, 720)[:40])


async def test_a_truncated_download_is_a_retryable_output_error(provider, wavespeed_emulator):
    wavespeed_emulator.script(Scenario.succeed(output_size=3 * 1024 * 1024, truncate_at=1024 * 1024 + 5))
    status = await provider.poll(await provider.submit(TASK))

    with pytest.raises(ProviderOutputError) as caught:
        async for _ in provider.stream_output(status.output):
            pass
    assert caught.value.retryable


@pytest.mark.parametrize("status_code", [403, 410])
async def test_an_expired_output_url_is_not_retryable(provider, wavespeed_emulator, status_code):
    wavespeed_emulator.script(Scenario.succeed(output_status=status_code))
    status = await provider.poll(await provider.submit(TASK))

    with pytest.raises(ProviderOutputError, match=f"expired or is refused \\(HTTP {status_code}\\)") as caught:
        async for _ in provider.stream_output(status.output):
            pass
    assert not caught.value.retryable


async def test_outputs_on_private_addresses_or_plain_http_are_refused_by_default(make_provider, wavespeed_emulator):
    strict = make_provider(allow_private_urls=False)
    for url in (wavespeed_emulator.output_url("x"), "https://127.0.0.1/x.mp4", "https://169.254.169.254/latest",
                "https://10.0.0.8/v.mp4", "https://[::1]/v.mp4", "https://localhost/v.mp4", "file:///etc/passwd"):
        with pytest.raises(ProviderOutputError, match="refused") as caught:
            async for _ in strict.stream_output(ProviderOutput(url)):
                pass
        assert not caught.value.retryable
    assert not wavespeed_emulator.requests_to("GET", "/outputs/")


async def test_outputs_are_fetched_without_the_api_key(provider, wavespeed_emulator):
    status = await provider.poll(await provider.submit(TASK))
    async for _ in provider.stream_output(status.output):
        pass
    [download] = wavespeed_emulator.requests_to("GET", "/outputs/")
    assert "authorization" not in download.headers


# -- inputs ---------------------------------------------------------------------------------------


def image_task(model: str, data: bytes) -> ProviderTask:
    image = MediaInput.from_bytes(MediaKind.IMAGE, data, "image/png", "face.png")
    request = VideoRequest(operation=OperationType.IMAGE_TO_VIDEO, user_id="u1", model=model, prompt="wave",
                           duration=5, resolution="720p", image=image)
    return ProviderTask("job-2", default_catalog().plan(request).render_spec(), {MediaKind.IMAGE: InputSource(image)})


async def test_inputs_go_up_by_ticket_and_a_put_without_the_api_key(provider, wavespeed_emulator):
    data = fake_image() + bytes(300_000)
    task_id = await provider.submit(image_task("wavespeed-ai/hunyuan-video-1.5/image-to-video", data))

    [put] = wavespeed_emulator.requests_to("PUT", "/_storage/")
    assert "authorization" not in put.headers and "x-client-name" not in put.headers
    assert put.headers["content-type"] == "image/png" and put.headers["x-upload-token"]
    url = wavespeed_emulator.tasks[task_id].payload["image"]
    assert url.startswith(f"{wavespeed_emulator.url}/_media/")
    assert wavespeed_emulator.uploads[url.rsplit("/", 1)[1]] == data
    assert not wavespeed_emulator.requests_to("POST", "/api/v3/media/upload/binary")


@pytest.mark.parametrize("fault", ["ticket_status", "put_status"])
async def test_uploads_fall_back_to_the_binary_endpoint(provider, wavespeed_emulator, fault):
    setattr(wavespeed_emulator.faults, fault, 404 if fault == "ticket_status" else 403)
    data = fake_image() + bytes(700_000)

    task_id = await provider.submit(image_task("wavespeed-ai/hunyuan-video-1.5/image-to-video", data))

    url = wavespeed_emulator.tasks[task_id].payload["image"]
    assert url.endswith("-binary") and wavespeed_emulator.uploads[url.rsplit("/", 1)[1]] == data
    [binary] = wavespeed_emulator.requests_to("POST", "/api/v3/media/upload/binary")
    assert binary.headers["authorization"] == f"Bearer {wavespeed_emulator.api_key}"


async def test_small_images_go_inline_where_the_model_takes_data_uris(make_provider, wavespeed_emulator):
    data = fake_image()
    task_id = await make_provider().submit(image_task("alibaba/wan-2.5/image-to-video", data))

    assert wavespeed_emulator.tasks[task_id].payload["image"] == \
        "data:image/png;base64," + base64.b64encode(data).decode()
    assert not wavespeed_emulator.uploads

    for provider, model in ((make_provider(inline_images=False), "alibaba/wan-2.5/image-to-video"),
                            (make_provider(), "wavespeed-ai/hunyuan-video-1.5/image-to-video")):
        task_id = await provider.submit(image_task(model, data))
        assert wavespeed_emulator.tasks[task_id].payload["image"].startswith(f"{wavespeed_emulator.url}/_media/")


def test_the_wire_formats_say_which_models_take_images_inline():
    inline = {model for model, wire in WIRE_FORMATS.items() if wire.inline_images}
    assert inline == {"alibaba/wan-2.5/image-to-video", "wavespeed-ai/infinitetalk", "wavespeed-ai/hunyuan-avatar"}


async def test_an_input_that_cannot_be_read_is_a_refusal_and_nothing_is_sent(make_provider, wavespeed_emulator,
                                                                               tmp_path):
    gone = MediaInput.from_path(MediaKind.IMAGE, str(tmp_path / "moved-away.png"), "image/png", 700_000)
    task = replace(image_task("wavespeed-ai/hunyuan-video-1.5/image-to-video", fake_image()),
                   inputs={MediaKind.IMAGE: InputSource(gone)})
    with pytest.raises(ProviderRejectedError, match="the image input could not be read"):
        await make_provider().submit(task)
    assert wavespeed_emulator.submission_count == 0


# -- cancel and balance ---------------------------------------------------------------------------


async def test_cancel_says_honestly_whether_it_was_accepted(provider, wavespeed_emulator):
    wavespeed_emulator.script(Scenario("hang"))
    task_id = await provider.submit(TASK)

    assert await provider.cancel(task_id) is True
    assert (await wait_until_finished(provider, task_id)).state is ProviderState.CANCELLED
    assert await provider.cancel("no-such-task") is False
    assert len(wavespeed_emulator.requests_to("DELETE", "/api/v3/predictions/")) == 2


async def test_balance_reads_the_account_balance(provider):
    assert await provider.balance() == Decimal("12.34")


async def test_billing_records_are_read_page_by_page_within_the_window(make_provider, wavespeed_emulator):
    now = datetime.now(UTC)
    for i in range(5):
        wavespeed_emulator.add_billing(f"task-{i}", "deduct", "0.2", at=now - timedelta(minutes=10 - i))
    wavespeed_emulator.add_billing("task-1", "refund", "0.2", at=now - timedelta(minutes=3))
    wavespeed_emulator.add_billing("task-old", "deduct", "9", at=now - timedelta(days=40))
    wavespeed_emulator.add_billing(None, "deduct", "1.5", at=now - timedelta(minutes=2))  # tied to no task

    charges = [c async for c in make_provider(billing_page_size=2).charges(now - timedelta(hours=1), now)]

    assert [(c.task_id, c.kind.value, c.amount) for c in charges] == [
        *((f"task-{i}", "deduct", Cost("0.2")) for i in range(5)), ("task-1", "refund", Cost("0.2")),
        (None, "deduct", Cost("1.5"))]
    searches = wavespeed_emulator.requests_to("POST", "/api/v3/billings/search")
    assert len(searches) == 4 and all(r.headers["authorization"].startswith("Bearer ") for r in searches)


async def test_an_unreadable_billing_answer_is_an_unavailable_provider(make_provider, wavespeed_emulator):
    wavespeed_emulator.add_billing("task-1", "deduct", "0.2")
    wavespeed_emulator.billings[0]["price"] = "not a number"
    now = datetime.now(UTC)
    with pytest.raises(ProviderUnavailableError, match="billing record"):
        [c async for c in make_provider().charges(now - timedelta(hours=1), now + timedelta(hours=1))]


# -- the API key never shows ----------------------------------------------------------------------


def _chain(error: BaseException):
    while error is not None:
        yield error
        error = error.__cause__ or error.__context__


async def test_the_api_key_appears_in_no_error_and_no_log(make_provider, wavespeed_emulator, caplog):
    wrong = "ws-live-secret-0123456789abcdef"  # the emulator echoes a wrong key back in its 401 message
    right = wavespeed_emulator.api_key
    caplog.set_level(logging.DEBUG)
    errors: list[BaseException] = []
    bad = make_provider(api_key=wrong)
    good = make_provider()

    async def catch(coroutine):
        try:
            return await coroutine
        except ProviderError as e:
            errors.append(e)

    await catch(bad.submit(TASK))
    await catch(bad.poll("some-task"))
    await catch(bad.balance())
    assert await bad.cancel("some-task") is False
    await catch(bad.submit(image_task("wavespeed-ai/hunyuan-video-1.5/image-to-video", fake_image())))
    wavespeed_emulator.script(Scenario.reject(400, f"bad request from key {right}"), Scenario(submit="never_answer"),
                              Scenario.fail(1403, f"worker saw Authorization: Bearer {right}"))
    await catch(good.submit(TASK))
    await catch(good.submit(TASK))
    failed = await good.poll(await good.submit(TASK))
    wavespeed_emulator.fail_next_reads(503, 503, 503)
    await catch(good.poll("x"))

    assert len(errors) == 7
    texts = [caplog.text, failed.error_message, repr(good), repr(bad)]
    texts += [text for e in errors for link in _chain(e) for text in (str(link), repr(link))]
    for text in texts:
        assert wrong not in text and right not in text
    assert "[redacted]" in failed.error_message


async def test_an_output_host_that_keeps_failing_is_a_retryable_output_error(provider, wavespeed_emulator):
    wavespeed_emulator.script(Scenario.succeed(output_status=503))
    status = await provider.poll(await provider.submit(TASK))

    with pytest.raises(ProviderOutputError, match="after 3 attempts") as caught:
        async for _ in provider.stream_output(status.output):
            pass
    assert caught.value.retryable and len(wavespeed_emulator.requests_to("GET", "/outputs/")) == 3


async def test_redirects_of_an_output_are_followed_hop_by_hop_and_bounded(provider, wavespeed_emulator):
    status = await provider.poll(await provider.submit(TASK))
    hop = f"{wavespeed_emulator.url}/_redirect?to={status.output.url}"

    data = b"".join([chunk async for chunk in provider.stream_output(ProviderOutput(hop))])
    assert data.startswith(b"VFAKE")

    with pytest.raises(ProviderOutputError, match="redirected more than 5 times") as caught:
        async for _ in provider.stream_output(ProviderOutput(f"{wavespeed_emulator.url}/_redirect")):
            pass
    assert not caught.value.retryable


async def test_the_disputed_paths_are_options(make_provider, wavespeed_emulator):
    provider = make_provider(result_path="/api/v3/predictions/{id}", two_step_upload=False)
    task_id = await provider.submit(image_task("wavespeed-ai/hunyuan-video-1.5/image-to-video", fake_image()))

    assert (await provider.poll(task_id)).state is ProviderState.COMPLETED
    assert [r.path for r in wavespeed_emulator.requests_to("GET", "/api/v3/")] == [f"/api/v3/predictions/{task_id}"]
    assert not wavespeed_emulator.requests_to("POST", "/api/v3/media/uploads")
    assert wavespeed_emulator.tasks[task_id].payload["image"].endswith("-binary")


async def test_a_retry_after_hint_is_respected(make_provider, wavespeed_emulator):
    provider = make_provider(backoff_max=1.0)
    task_id = await provider.submit(TASK)
    wavespeed_emulator.fail_next_reads(429)
    wavespeed_emulator.retry_after = "0.4"

    started = asyncio.get_running_loop().time()
    assert (await provider.poll(task_id)).state is ProviderState.COMPLETED
    assert asyncio.get_running_loop().time() - started >= 0.4


async def test_the_address_actually_connected_to_is_checked_too(wavespeed_emulator):
    """Against DNS rebinding: the name may have resolved to a public address when checked, the
    connection is what counts."""
    import httpx

    from videoforge.adapters.safe_urls import UnsafeURLError, check_connected_peer

    async with httpx.AsyncClient() as client:
        request = client.build_request("GET", wavespeed_emulator.url + "/_emulator/stats")
        response = await client.send(request, stream=True)
        try:
            check_connected_peer(response, allow_private=True)
            with pytest.raises(UnsafeURLError, match="non-public address"):
                check_connected_peer(response, allow_private=False)
        finally:
            await response.aclose()


def test_a_plain_http_base_url_is_refused_outside_tests(monkeypatch):
    from videoforge.bootstrap import ConfigurationError, Settings, build_container

    settings = Settings(wavespeed_api_key="k", wavespeed_base_url="http://api.example.com", backend="memory")
    with pytest.raises(ConfigurationError, match="VIDEOFORGE_WAVESPEED_BASE_URL must be an https URL"):
        build_container(settings)
