"""What every studio shares: turning legacy arguments into a request, and results and errors
into the legacy dictionaries. No pricing, storage, quota or provider code lives here."""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from videoforge.application.errors import JobFailedError, JobNotFinishedError
from videoforge.application.results import VideoResult
from videoforge.application.use_cases import GenerateVideo
from videoforge.domain import DomainError, InvalidRequestError, MediaInput, MediaKind, QuotaExceededError, VideoRequest
from videoforge.domain.media import sniff_content_type

log = logging.getLogger("videoforge.studios")

_GENERIC_TYPE = {MediaKind.IMAGE: "image/png", MediaKind.AUDIO: "audio/mpeg", MediaKind.VIDEO: "video/mp4"}


def media(kind: MediaKind, data: bytes | str | None, filename: str | None = None) -> MediaInput | None:
    """Legacy callers pass raw bytes, base64 or data URIs; the probe later checks what it really is."""
    if data is None or data == b"" or data == "":
        return None
    if isinstance(data, str):
        data = decode_base64(kind.value, data)
    return MediaInput.from_bytes(kind, data, sniff_content_type(data, _GENERIC_TYPE[kind]), filename)


def decode_base64(field: str, value: str) -> bytes:
    payload = value.split(",", 1)[1] if value.startswith("data:") else value
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidRequestError(field, "is not valid base64 or a data URI") from None


def error_code(error: Exception) -> str:
    if isinstance(error, JobFailedError):
        return str(error.code)
    if isinstance(error, QuotaExceededError):
        return error.error_type
    if isinstance(error, InvalidRequestError):
        return "invalid_request"
    if isinstance(error, JobNotFinishedError):
        return "not_finished"
    return "internal_error"


def failure(error: Exception) -> dict[str, Any]:
    """The legacy `{success: False, error}`, with our typed code added."""
    body: dict[str, Any] = {"success": False, "error": str(error), "error_code": error_code(error)}
    if isinstance(error, QuotaExceededError):
        body["usage_info"] = legacy_usage_info(error.usage_info)
    if isinstance(error, JobFailedError | JobNotFinishedError):
        body["job_id"] = error.job.id
        body["prediction_id"] = error.job.provider_job_id
    return body


def legacy_usage_info(info: dict[str, Any] | None) -> dict[str, Any] | None:
    """The quota figures as the legacy dictionaries carry them: amounts as JSON numbers (floats),
    the studios' callers' contract; the HTTP API writes the same figures as decimal strings."""
    if info is None:
        return None
    return {k: float(v) if isinstance(v, Decimal) else v for k, v in info.items()}


EXPECTED = (DomainError, JobFailedError, JobNotFinishedError)


class AssetLinks:
    """Where callers fetch a stored video: by default the HTTP API's owner-checked route, never a
    path on this server's disk."""

    def __init__(self, template: str = "/api/video/assets/{asset_id}/video"):
        self._template = template

    def linked(self, result: VideoResult) -> VideoResult:
        return replace(result, file_url=self._template.format(asset_id=result.asset_id, job_id=result.job_id))


async def generate_or_failure(generate: GenerateVideo, links: AssetLinks, request: Callable[[], VideoRequest],
                              shape: Callable[[VideoResult], dict[str, Any]],
                              progress: Callable | None = None) -> dict[str, Any]:
    """Run one request; the legacy success dict from `shape`, or the legacy failure dict."""
    try:
        result = await generate(request(), progress)
    except EXPECTED as e:
        log.info("studio request refused or failed: %s", e)
        return failure(e)
    return shape(links.linked(result))


def video_fields(result: VideoResult) -> dict[str, Any]:
    """The fields the video studio's callers read."""
    return {
        "success": True, "video_url": result.file_url, "cost": result.cost.as_float(),
        "duration": result.duration, "estimated_duration": result.duration, "model_used": result.model_name,
        "provider": result.provider, "resolution": result.resolution, "width": result.width,
        "height": result.height, "file_size": result.file_size, "metadata": result.metadata,
        "asset_id": result.asset_id, "job_id": result.job_id, "prediction_id": result.prediction_id,
    }


def file_name(result: VideoResult) -> str:
    return result.file_path.rsplit("/", 1)[-1]
