"""fal's queue protocol over httpx.

Protocol notes (sources: fal-client `fal_client/client.py` (AsyncClient.submit, AsyncRequestHandle
.status/.get/.cancel, `_parse_application`, `Queued(position)`: "the relative position in the queue
(0-indexed)"); fal docs https://fal.ai/docs/inference-api/queue/cancel; huggingface_hub
`inference/_providers/fal_ai.py` (FalAITextToVideoTask, FalAIImageToVideoTask)):

- Submit: `POST {queue}/{model_id}` with the model's JSON input; fal answers
  `{"request_id", "status_url", "response_url", "cancel_url"}`. Direct: queue = https://queue.fal.run,
  header `Authorization: Key <FAL_KEY>`. Through Hugging Face: queue = https://router.huggingface.co/fal-ai,
  header `Authorization: Bearer <HF_TOKEN>`, and `?_subdomain=queue` on every queue URL.
- Status, result and cancel address the application (`owner/app`, the first two segments of the
  model id, never the endpoint path): `GET {queue}/{owner}/{app}/requests/{id}/status?logs=1`
  answers `{"status": "IN_QUEUE", "queue_position": n}` (the job shows its place), `IN_PROGRESS`
  with `logs` (`[{"message", "level", ...}]`: the latest line is the job's detail), or `COMPLETED`
  (which may carry `error`/`error_type`: a failure). `GET .../requests/{id}` is the result
  (`{"video": {"url", "content_type"}}` for video models). `PUT .../requests/{id}/cancel` answers
  202 CANCELLATION_REQUESTED, 400 ALREADY_COMPLETED or 404 NOT_FOUND.
- fal retries its own 5xx server-side; a submit here is never retried: a 5xx or a network error
  after sending is an unknown outcome (ProviderOutcomeUnknownError), a 4xx a refusal.
- Files: every file field takes a URL or a base64 data URI. On the direct route an input over
  `inline_max` (or of a model that takes files by URL) is uploaded to fal's storage first and
  named by its URL; smaller ones go inline. fal's storage takes a fal key only, so through
  Hugging Face's router every input goes inline, as huggingface_hub sends them (`_as_url`).
  storage.py holds that protocol and its sources; the JSON body is streamed either way (a data
  URI is encoded chunk by chunk, its length sent first), so no input is ever read whole.
- Charges (https://docs.fal.ai/documentation/model-apis/pricing, "FAQ"): "you pay only for
  successful outputs, and you are never charged for server errors or time spent waiting in the
  queue"; an invalid input (422) "may still be charged". So a cancelled request, and a result that
  is a server error, are shown `charged=False` (the job may fall back); a COMPLETED-with-error is
  not (its charge is unknown).
- Webhooks (`?fal_webhook=` on submit) on the direct route only. Hugging Face's router documents no
  webhook for its providers, and neither huggingface_hub (`FalAIQueueTask`) nor huggingface.js
  sends one (both poll the status URL), so through the router nothing is asked for and the job is
  followed by polling.

The provider job id is "<owner>/<app>/<request id>": enough to rebuild every queue URL on
either route. Outputs are fetched with WaveSpeed's download guard (https-only public hosts,
peer checked after connecting, every redirect hop checked).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from videoforge.adapters.fal.models import FAL_FORMATS, FalFormat
from videoforge.adapters.fal.storage import FalStorage, data_uri_body, json_object
from videoforge.adapters.safe_urls import UnsafeURLError, open_checked
from videoforge.application.ports.media import MediaSource
from videoforge.application.ports.provider import (
    ProviderOutcomeUnknownError,
    ProviderOutput,
    ProviderOutputError,
    ProviderRejectedError,
    ProviderState,
    ProviderStatus,
    ProviderTask,
    ProviderUnavailableError,
    VideoProvider,
)
from videoforge.domain.job import ErrorCode

log = logging.getLogger("videoforge.fal")

FAL_QUEUE = "https://queue.fal.run"
HF_ROUTER_QUEUE = "https://router.huggingface.co/fal-ai"
INLINE_MAX = 1024 * 1024  # larger inputs go through fal's storage (direct route); smaller ones inline
_MODERATION = ("content_policy_violation", "content_moderation")


@dataclass(frozen=True, slots=True)
class Route:
    """Where the queue is and how to sign in: fal directly or Hugging Face's router."""

    queue: str
    authorization: str
    query: Mapping[str, str]


def direct_route(fal_key: str, queue: str = FAL_QUEUE) -> Route:
    if not fal_key:
        raise ValueError("a fal key (FAL_KEY) is required")
    return Route(queue.rstrip("/"), f"Key {fal_key}", {})


def router_route(hf_token: str, queue: str = HF_ROUTER_QUEUE) -> Route:
    if not hf_token:
        raise ValueError("a Hugging Face token (HF_TOKEN) is required")
    return Route(queue.rstrip("/"), f"Bearer {hf_token}", {"_subdomain": "queue"})


def _application(model_id: str) -> str:
    parts = model_id.split("/")
    if len(parts) < 2:
        raise ProviderRejectedError(f"{model_id!r} is not a fal model id (owner/app[/path])",
                                    code=ErrorCode.INVALID_PARAMETER)
    return "/".join(parts[:2])


class FalVideoProvider(VideoProvider):
    """fal's queue API over one caller-owned httpx.AsyncClient carrying no credentials."""

    name = "fal"

    def __init__(self, client: httpx.AsyncClient, route: Route, *, allow_private_urls: bool = False,
                 chunk_size: int = 1024 * 1024, max_redirects: int = 5,
                 formats: Mapping[str, FalFormat] | None = None, webhook_url: str | None = None,
                 storage: FalStorage | None = None, inline_max: int = INLINE_MAX):
        self._client = client
        self._route = route
        self._storage, self._inline_max = storage, inline_max
        self._webhook_url = webhook_url
        self._formats = {**FAL_FORMATS, **(formats or {})}
        self._allow_private = allow_private_urls
        self._chunk_size = chunk_size
        self._max_redirects = max_redirects

    async def submit(self, task: ProviderTask) -> str:
        app = _application(task.spec.model)
        content, length = await self._body(task)
        headers = self._headers() | {"Content-Type": "application/json"}
        if length is not None:
            headers["Content-Length"] = str(length)
        try:
            response = await self._client.post(f"{self._route.queue}/{task.spec.model}", content=content,
                                               params=self._submit_params(app), headers=headers)
        except httpx.TransportError as e:
            raise ProviderOutcomeUnknownError(f"fal could not be reached after sending the submission "
                                              f"({type(e).__name__}); a request may exist") from e
        if response.status_code >= 500 or response.status_code == 408:
            raise ProviderOutcomeUnknownError(f"fal answered the submission with HTTP {response.status_code}; "
                                              "a request may exist", provider_code=response.status_code)
        if response.status_code >= 400:
            code = ErrorCode.INVALID_PARAMETER if response.status_code == 422 else ErrorCode.PROVIDER_REJECTED
            raise ProviderRejectedError(f"fal refused the submission (HTTP {response.status_code})",
                                        code=code, provider_code=response.status_code)
        request_id = json_object(response).get("request_id")
        if not isinstance(request_id, str) or not request_id:
            raise ProviderOutcomeUnknownError("fal accepted the submission without a request id")
        return f"{app}/{request_id}"

    def _submit_params(self, app: str) -> dict[str, str]:
        """The route's query, and where fal is to deliver the end of the request: the webhook URL
        carries the app, which fal's delivery does not (webhooks.py)."""
        params = dict(self._route.query)
        if self._webhook_url:
            joiner = "&" if "?" in self._webhook_url else "?"
            params["fal_webhook"] = f"{self._webhook_url}{joiner}{urlencode({'app': app})}"
        return params

    async def _body(self, task: ProviderTask) -> tuple[AsyncIterator[bytes], int | None]:
        """The submission's JSON as a stream and its length: each file input uploaded to fal's
        storage and named by URL, or inline as a streamed data URI (`_uploads` decides)."""
        wire = self._formats.get(task.spec.model)
        if wire is None:
            raise ProviderRejectedError(f"{task.spec.model} has no fal wire format here; nothing was sent",
                                        code=ErrorCode.INVALID_PARAMETER)
        refused = sorted(kind.value for kind in task.inputs if kind not in wire.inputs)
        if refused:
            raise ProviderRejectedError(f"{task.spec.model} takes no {', '.join(refused)} input; nothing was sent",
                                        code=ErrorCode.INVALID_PARAMETER)
        fields, inline = wire.body(task.spec, {}), {}
        for kind, source in task.inputs.items():
            if self._storage is not None and self._uploads(wire, source):
                fields[wire.field(kind)] = await self._storage.upload(source)
            else:
                inline[wire.field(kind)] = source
        return await data_uri_body(fields, inline)

    def _uploads(self, wire: FalFormat, source: MediaSource) -> bool:
        """Uploaded to fal's storage when the model takes its files by URL, or the file is over
        `inline_max` (or of unknown size); else inline. Only on the direct route (`storage`)."""
        return wire.by_url or source.size is None or source.size > self._inline_max

    async def poll(self, provider_job_id: str) -> ProviderStatus:
        base = self._request_url(provider_job_id)
        if base is None:
            return _gone()
        response = await self._get(base + "/status", {"logs": "1"})
        if response.status_code == 404:
            return _gone()
        data = self._read_ok(response, "the status")
        state = data.get("status")
        if state == "IN_QUEUE":
            return ProviderStatus(ProviderState.QUEUED, queue_position=_position(data.get("queue_position")))
        if state == "IN_PROGRESS":
            return ProviderStatus(ProviderState.RUNNING, progress=_progress(data.get("logs")),
                                  detail=_last_log(data.get("logs")))
        if state != "COMPLETED":
            raise ProviderUnavailableError(f"fal answered an unknown status {state!r}")
        if data.get("error"):
            return _failed(data)
        return await self._result(base)

    async def _result(self, base: str) -> ProviderStatus:
        response = await self._get(base, {})
        if response.status_code == 404:
            return _gone()
        data = json_object(response)
        if data.get("status") == "CANCELLED" or response.status_code == 499:
            # fal bills outputs only ("you pay only for successful outputs"): a cancelled request made none
            return ProviderStatus(ProviderState.CANCELLED, error_code=ErrorCode.PROVIDER_CANCELLED,
                                  error_message="the request was cancelled", charged=False)
        if response.status_code >= 500:
            if not data.get("detail"):  # the gateway, not the request's stored answer: read again later
                raise ProviderUnavailableError(f"fal answered HTTP {response.status_code} reading the result",
                                               provider_code=response.status_code)
            # the request's own answer is a server error, which fal never charges: aborted on fal's side
            return ProviderStatus(ProviderState.FAILED, error_code=ErrorCode.PROVIDER_INTERNAL,
                                  error_message=f"fal aborted the request: {str(data['detail'])[:300]}",
                                  provider_code=response.status_code, charged=False)
        if response.status_code >= 400 or data.get("error") or data.get("detail"):
            return _failed(data, response.status_code)
        video = data.get("video")
        if not isinstance(video, dict) or not isinstance(video.get("url"), str):
            return ProviderStatus(ProviderState.FAILED, error_code=ErrorCode.OUTPUT_INVALID,
                                  error_message="fal completed the request without a video")
        return ProviderStatus(ProviderState.COMPLETED, progress=1.0,
                              output=ProviderOutput(video["url"], str(video.get("content_type") or "video/mp4")))

    async def cancel(self, provider_job_id: str) -> bool:
        base = self._request_url(provider_job_id)
        if base is None:
            return False
        try:
            response = await self._client.put(base + "/cancel", params=self._route.query, headers=self._headers())
        except httpx.TransportError as e:
            log.warning("fal: cancelling %s failed (%s)", provider_job_id, type(e).__name__)
            return False
        said = json_object(response).get("status")
        log.info("fal: cancel %s answered HTTP %s %s", provider_job_id, response.status_code, said)
        return response.status_code in (200, 202) and said in (None, "CANCELLATION_REQUESTED")

    async def stream_output(self, output: ProviderOutput) -> AsyncIterator[bytes]:
        response = await self._open_output(output.url)
        try:
            if response.status_code != 200:
                retryable = response.status_code == 429 or response.status_code >= 500
                raise ProviderOutputError(f"the output URL answered HTTP {response.status_code}", retryable=retryable)
            try:
                async for chunk in response.aiter_bytes(self._chunk_size):
                    yield chunk
            except httpx.TransportError as e:
                raise ProviderOutputError(f"the download broke off ({type(e).__name__})", retryable=True) from e
        finally:
            await response.aclose()

    async def _open_output(self, url: str) -> httpx.Response:
        try:
            return await open_checked(url, self._send_output, allow_private=self._allow_private,
                                      max_redirects=self._max_redirects)
        except UnsafeURLError as e:
            raise ProviderOutputError(f"the output URL is refused: {e}") from e

    async def _send_output(self, url: str) -> httpx.Response:
        try:
            return await self._client.send(self._client.build_request("GET", url), stream=True)
        except httpx.TransportError as e:
            raise ProviderOutputError(f"the output could not be fetched ({type(e).__name__})", retryable=True) from e

    def _request_url(self, provider_job_id: str) -> str | None:
        parts = provider_job_id.split("/")
        if len(parts) != 3 or not all(parts):
            return None
        owner, app, request_id = (quote(p, safe="") for p in parts)
        return f"{self._route.queue}/{owner}/{app}/requests/{request_id}"

    async def _get(self, url: str, params: Mapping[str, str]) -> httpx.Response:
        try:
            return await self._client.get(url, params={**params, **self._route.query}, headers=self._headers())
        except httpx.TransportError as e:
            raise ProviderUnavailableError(f"fal could not be reached ({type(e).__name__})") from e

    def _read_ok(self, response: httpx.Response, what: str) -> dict[str, Any]:
        if response.status_code in (401, 403):
            raise ProviderUnavailableError(f"fal refused the credentials reading {what} (HTTP "
                                           f"{response.status_code}): check FAL_KEY or HF_TOKEN",
                                           provider_code=response.status_code)
        if response.status_code >= 400:
            raise ProviderUnavailableError(f"fal refused reading {what} (HTTP {response.status_code})",
                                           provider_code=response.status_code)
        return json_object(response)

    def _headers(self) -> dict[str, str]:
        return {"Authorization": self._route.authorization, "Accept": "application/json"}


def _progress(logs: Any) -> float | None:
    """fal's logs carry no progress figure; a model's log line "progress: 0.4" is read when present."""
    if not isinstance(logs, list):
        return None
    for entry in reversed(logs):
        message = str(entry.get("message", "")) if isinstance(entry, dict) else ""
        if message.startswith("progress:"):
            try:
                return min(max(float(message.split(":", 1)[1]), 0.0), 1.0)
            except ValueError:
                return None
    return None


def _position(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _last_log(logs: Any) -> str | None:
    """The latest log line of a running request, as one short line (never the progress figure)."""
    if not isinstance(logs, list):
        return None
    for entry in reversed(logs):
        message = " ".join(str(entry.get("message", "")).split()) if isinstance(entry, dict) else ""
        if message and not message.startswith("progress:"):
            return message[:120]
    return None


def _failed(data: Mapping[str, Any], http_status: int | None = None) -> ProviderStatus:
    kind = str(data.get("error_type") or "")
    detail = data.get("error") or data.get("detail") or "fal reported an error"
    moderated = any(word in kind or word in str(detail) for word in _MODERATION)
    return ProviderStatus(ProviderState.FAILED,
                          error_code=ErrorCode.CONTENT_MODERATION if moderated else ErrorCode.PROVIDER_INTERNAL,
                          error_message=str(detail)[:500], provider_code=http_status)


def _gone() -> ProviderStatus:
    return ProviderStatus(ProviderState.EXPIRED, error_code=ErrorCode.PROVIDER_EXPIRED,
                          error_message="fal has no such request (expired, never created or malformed id)")
