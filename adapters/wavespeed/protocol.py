"""What WaveSpeed's answers mean: envelopes, task statuses and error codes, in one place.

Shared by the provider (polling) and the webhook verifier, so both read a task alike.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

import httpx

from videoforge.application.ports.provider import ProviderOutput, ProviderState, ProviderStatus
from videoforge.domain.job import ErrorCode

log = logging.getLogger("videoforge.wavespeed")

QUEUED_STATUSES = frozenset({"created", "pending", "queued"})
STATUSES = {
    "processing": ProviderState.RUNNING,
    "completed": ProviderState.COMPLETED,
    "failed": ProviderState.FAILED,
    "cancelled": ProviderState.CANCELLED,
    "timeout": ProviderState.EXPIRED,
    "deleted": ProviderState.EXPIRED,
} | {name: ProviderState.QUEUED for name in QUEUED_STATUSES}

_TASK_CODES = {
    1200: (ErrorCode.CONTENT_MODERATION, "the content was refused by the provider's moderation"),
    1400: (ErrorCode.INVALID_PARAMETER, "the provider found a parameter missing"),
    1401: (ErrorCode.INVALID_PARAMETER, "the provider found a parameter invalid"),
    1402: (ErrorCode.MEDIA_UNREACHABLE, "the provider could not fetch an input file"),
    1403: (ErrorCode.TASK_FAILED, "the provider could not generate the video"),
    1405: (ErrorCode.TASK_FAILED, "the provider could not generate the video"),
}
_END_MESSAGES = {
    "cancelled": (ErrorCode.PROVIDER_CANCELLED, "the task was cancelled at the provider"),
    "timeout": (ErrorCode.PROVIDER_EXPIRED, "the task timed out at the provider"),
    "deleted": (ErrorCode.PROVIDER_EXPIRED, "the task was deleted at the provider"),
}

# No dedicated status or code is documented for an empty balance: WaveSpeed says it in words.
INSUFFICIENT_CREDIT = re.compile(
    r"\b(insufficient|not enough|no)\s+(credits?|balance|funds)\b|\bbalance\b.{0,40}\b(insufficient|too low)\b"
    r"|\btop[ -]?up\b", re.IGNORECASE)

MAX_PROVIDER_TEXT = 300


def task_error(code: int | None) -> tuple[ErrorCode, str]:
    """Our error code and our own sentence for a WaveSpeed task code."""
    if code in _TASK_CODES:
        return _TASK_CODES[code]
    if code is not None and 5000 <= code <= 5999:
        return ErrorCode.PROVIDER_INTERNAL, "the provider had an internal error"
    return ErrorCode.TASK_FAILED, "the provider could not generate the video"


def quoted(text: object, *secrets: str) -> str:
    """Provider text made safe to show inside our own message: one line, bounded, no secret."""
    value = " ".join(str(text).split())
    for secret in secrets:
        if secret:
            value = value.replace(secret, "[redacted]")
    if len(value) > MAX_PROVIDER_TEXT:
        value = value[:MAX_PROVIDER_TEXT] + "..."
    return value


def as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def envelope(response: httpx.Response) -> tuple[int | None, str, Mapping[str, Any]]:
    """(envelope code, message, data) of an answer; tolerant of the shapes seen in the wild
    ({code, message, data}, {"error": ...}, {"detail": ...}, non-JSON gateway pages)."""
    try:
        body = response.json()
    except ValueError:
        return None, response.text[:MAX_PROVIDER_TEXT], {}
    if not isinstance(body, dict):
        return None, "", {}
    message = next((str(body[k]) for k in ("message", "error", "detail") if body.get(k)), "")
    data = body.get("data")
    if isinstance(data, dict) and not message and data.get("error"):
        message = str(data["error"])
    return as_int(body.get("code")), message, data if isinstance(data, dict) else {}


def output_of(outputs: Any) -> str | None:
    """The first output's URL: a string, or an object with `url` / `video_url`."""
    if not isinstance(outputs, list) or not outputs:
        return None
    first = outputs[0]
    if isinstance(first, dict):
        first = first.get("url") or first.get("video_url")
    if isinstance(first, str) and first.startswith(("https://", "http://")):
        return first
    return None


def status_of(data: Mapping[str, Any], *secrets: str) -> ProviderStatus:
    """A task as WaveSpeed describes it (`data` of a result, or a webhook body) as a ProviderStatus."""
    raw = str(data.get("status") or "").lower()
    state = STATUSES.get(raw)
    if state is None:
        # An unknown status (the server's enum may grow) is taken as still running; the overall
        # deadline of the poll loop bounds the wait.
        log.warning("wavespeed task %s has unknown status %r: treated as still running", data.get("id"), raw)
        return ProviderStatus(ProviderState.RUNNING)
    if state in (ProviderState.QUEUED, ProviderState.RUNNING):
        return ProviderStatus(state)
    provider_code = as_int(data.get("code"))
    provider_code = provider_code if provider_code not in (None, 0, 200) else None
    detail = quoted(data.get("error") or "", *secrets)
    if state is ProviderState.COMPLETED:
        url = output_of(data.get("outputs"))
        if url is not None:
            return ProviderStatus(ProviderState.COMPLETED, progress=1.0, output=ProviderOutput(url))
        return ProviderStatus(ProviderState.FAILED, error_code=ErrorCode.OUTPUT_INVALID,
                              error_message="the provider reported the task completed but returned no video URL",
                              provider_code=provider_code)
    if state is ProviderState.FAILED:
        code, sentence = task_error(provider_code)
    else:
        code, sentence = _END_MESSAGES[raw]
    suffix = f" (provider code {provider_code})" if provider_code else ""
    message = f"{sentence}{suffix}" + (f"; the provider said: {detail}" if detail else "")
    return ProviderStatus(state, error_code=code, error_message=message, provider_code=provider_code)
