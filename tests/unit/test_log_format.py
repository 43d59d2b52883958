"""The log formats: one JSON object per line with the context's job and user, text lines alike, and
what both cut out: every configured secret (in messages, exception texts and tracebacks), JWTs,
bearer credentials, URL passwords and credential query parameters."""

from __future__ import annotations

import io
import json
import logging

import pytest

from videoforge.adapters.logs import JsonFormatter, Redactor, TextFormatter, bound
from videoforge.bootstrap.logs import configure_logging, secrets_of
from videoforge.bootstrap.settings import Settings

KEY = "ws-live-key-0123456789abcdef"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLW9mLWEtdG9rZW4"


@pytest.fixture
def logged():
    """A logger writing through a handler whose formatter the test sets; the lines written."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("videoforge.test_log_format")
    logger.handlers, logger.propagate, logger.level = [handler], False, logging.DEBUG

    def lines(formatter: logging.Formatter) -> tuple[logging.Logger, callable]:
        handler.setFormatter(formatter)
        return logger, lambda: stream.getvalue().splitlines()

    yield lines
    logger.handlers = []


def test_a_json_line_has_time_level_logger_message_and_the_bound_job(logged):
    logger, lines = logged(JsonFormatter(trace_ids=lambda: ("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331")))
    with bound(job_id="job-1", user="alice", nothing=None):
        logger.warning("job %s: provider unreadable, retrying", "job-1")
    logger.info("outside")
    first, second = (json.loads(line) for line in lines())
    assert first["level"] == "WARNING" and first["logger"] == "videoforge.test_log_format"
    assert first["message"] == "job job-1: provider unreadable, retrying"
    assert first["job_id"] == "job-1" and first["user"] == "alice" and "nothing" not in first
    assert first["trace_id"] == "0af7651916cd43dd8448eb211c80319c" and first["span_id"] == "b7ad6b7169203331"
    assert first["time"].endswith("+00:00") and "T" in first["time"]
    assert "job_id" not in second


def test_an_exception_is_one_json_line_with_its_traceback_and_no_secret(logged):
    logger, lines = logged(JsonFormatter(Redactor([KEY])))
    try:
        raise RuntimeError(f"upstream said: invalid key {KEY} for https://u:{KEY}@api.example.com/x?token={JWT}")
    except RuntimeError:
        logger.exception("submit failed with %s", KEY)
    [line] = lines()
    entry = json.loads(line)
    assert "Traceback" in entry["exception"] and "RuntimeError: upstream said" in entry["exception"]
    assert entry["message"] == "submit failed with [redacted]"
    assert KEY not in line and JWT not in line


@pytest.mark.parametrize("text", [
    f"Authorization: Bearer {KEY}", f"Authorization: Key {KEY}", f"token {JWT} refused",
    f"GET /api/video/jobs/j1/events?access_token={KEY}", f"https://cdn.example.com/v.mp4?X-Amz-Signature={KEY}&a=1",
    f"https://cdn.example.com/v.mp4?Expires=1&Signature={KEY}", f"postgresql+asyncpg://videoforge:{KEY}@db/videoforge",
    f"https://api.example.com/hook?sig={KEY}", f"https://api.example.com/x?api_key={KEY}#frag",
])
def test_what_looks_like_a_credential_is_cut_even_when_not_configured(text):
    redacted = Redactor()(text)
    assert KEY not in redacted and JWT not in redacted and "[redacted]" in redacted


def test_ordinary_text_and_query_parameters_are_kept():
    text = "GET /api/video/jobs?limit=10&status=completed HTTP/1.1 200; job abc: Key points made"
    assert Redactor(["short"])(text) == text  # a 5-character value is not taken as a secret


def test_text_lines_carry_the_bound_fields_and_are_redacted(logged):
    logger, lines = logged(TextFormatter(Redactor([KEY])))
    with bound(job_id="job-2"):
        logger.error("the key %s leaked", KEY)
    [line] = lines()
    assert line.endswith("ERROR videoforge.test_log_format: the key [redacted] leaked [job_id=job-2]")


def test_the_settings_secrets_are_all_known(monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws-secret-value-42")
    settings = Settings(wavespeed_api_key=KEY, wavespeed_webhook_secret="whsec_d2F2ZXNwZWVkLXdlYmhvb2s=",
                        fal_key="fal-key-value:secret", hf_token="hf_tokenvalue123", jwt_secret="j" * 32,
                        callback_secret="whsec_Y2FsbGJhY2stc2VjcmV0LWJ5dGVz",
                        database_url="postgresql+asyncpg://videoforge:db-pass-word@db:5432/videoforge")
    secrets = set(secrets_of(settings))
    assert {KEY, "whsec_d2F2ZXNwZWVkLXdlYmhvb2s=", "d2F2ZXNwZWVkLXdlYmhvb2s=", "fal-key-value:secret",
            "hf_tokenvalue123", "j" * 32, "whsec_Y2FsbGJhY2stc2VjcmV0LWJ5dGVz", "Y2FsbGJhY2stc2VjcmV0LWJ5dGVz",
            "aws-secret-value-42", "db-pass-word"} <= secrets


def test_configure_logging_sends_every_logger_through_one_handler(monkeypatch):
    stream = io.StringIO()
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging(Settings(log_format="JSON", log_level="debug", wavespeed_api_key=KEY), stream=stream)
        logging.getLogger("uvicorn.access").info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5", "GET",
                                                 f"/api/video/jobs?token={KEY}", "1.1", 200)
        logging.getLogger("videoforge.wavespeed").debug("with %s", KEY)
    finally:
        root.handlers, root.level = saved
    entries = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [e["logger"] for e in entries] == ["uvicorn.access", "videoforge.wavespeed"]
    assert KEY not in stream.getvalue()


async def test_a_runs_records_carry_its_job_and_user(harness, logged):
    from tests.contracts.builders import text_request
    from videoforge.application.ports import ProviderUnavailableError

    logger, lines = logged(JsonFormatter())
    run_logger = logging.getLogger("videoforge.run")  # where the steps log
    run_logger.addHandler(logger.handlers[0])
    try:
        harness.provider.fail_next("poll", ProviderUnavailableError("503 from the provider"), times=1)
        result = await harness.container.generate_video()(text_request("u1"))
    finally:
        run_logger.removeHandler(logger.handlers[0])
    [entry] = [json.loads(line) for line in lines() if "provider unreadable" in line]
    assert entry["job_id"] == result.job_id and entry["user"] == "u1" and entry["level"] == "WARNING"
