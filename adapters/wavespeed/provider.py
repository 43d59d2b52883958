from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from videoforge.adapters.safe_urls import UnsafeURLError, check_fetchable, open_checked
from videoforge.adapters.wavespeed.billing import BILLINGS_PATH, page_of, search_body
from videoforge.adapters.wavespeed.models import WIRE_FORMATS, WireFormat
from videoforge.adapters.wavespeed.protocol import INSUFFICIENT_CREDIT, as_int, envelope, quoted, status_of
from videoforge.application.ports.billing import ProviderAccount
from videoforge.application.ports.media import MediaSource
from videoforge.application.ports.provider import (
    InsufficientCreditError,
    ProviderError,
    ProviderOutcomeUnknownError,
    ProviderOutput,
    ProviderOutputError,
    ProviderRejectedError,
    ProviderState,
    ProviderStatus,
    ProviderTask,
    ProviderUnavailableError,
    SentSubmission,
    SubmissionHistory,
    VideoProvider,
)
from videoforge.domain.billing import ProviderCharge
from videoforge.domain.job import ErrorCode
from videoforge.domain.media import MediaKind

log = logging.getLogger("videoforge.wavespeed")

DEFAULT_BASE_URL = "https://api.wavespeed.ai"
# The answers to a submit that prove nothing was created: a refusal of the request itself. Any
# other answer (a 5xx: WaveSpeed documents 504s for requests that completed; a 408; anything
# unexpected) may come after the task was created and billed.
REFUSAL_STATUSES = frozenset({400, 401, 402, 403, 404, 405, 409, 413, 415, 422, 429})
_TICKET_MISSING = frozenset({404, 405, 501})
_AUTH = ("WaveSpeed refused the API key (HTTP {status}): check WAVESPEED_API_KEY; keys work only once the "
         "account has been topped up, and some models need a paid balance")


class _Transient(Exception):
    """An answer worth asking again: 429 or 5xx."""

    def __init__(self, response: httpx.Response):
        super().__init__(f"HTTP {response.status_code}")
        self.status = response.status_code
        self.retry_after = _retry_after(response)


class _TicketUnavailable(Exception):
    """The two-step upload cannot be used for this file: fall back to the binary upload."""


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers.get("retry-after", ""))
    except ValueError:
        return None


def _transient(response: httpx.Response, read_envelope: bool) -> bool:
    if response.status_code == 429 or response.status_code >= 500:
        return True
    if read_envelope and response.status_code == 200 and "json" in response.headers.get("content-type", ""):
        code = envelope(response)[0]
        return code is not None and (code == 429 or code >= 500)
    return False


class WaveSpeedVideoProvider(VideoProvider, ProviderAccount, SubmissionHistory):
    """WaveSpeed's REST API (v3) over one shared httpx.AsyncClient.

    The client is owned by the caller (the container closes it); it must carry no API key of
    its own: this adapter adds the key to API requests only, never to upload or output URLs.
    Where WaveSpeed's documents disagree, the choice is an option: `result_path` (default the
    `/result` form every official client polls), `balance_path`, `two_step_upload` (ticket + PUT
    first, the binary upload as fallback), `refusal_statuses` (the submit answers taken as proof that nothing
    was created; every other answer is an unknown outcome), `inline_images` (small images as data URIs
    where the model's wire format takes them, see models.py; off: always upload). `wire_formats` maps
    each model id to its request body (default: the catalog's WaveSpeed models); a host that adds
    a WaveSpeed model to its own catalog gives its format here.
    Submissions are never retried. Reads (poll, cancel, balance, upload steps, opening an
    output) retry 429, 5xx and network errors with jittered exponential backoff, `read_attempts`
    times in all. The poll loop itself, its interval and overall deadline, belong to RunJob.

    It offers `SubmissionHistory`: `find_sent` lists the account's recent tasks (`POST
    /api/v3/predictions` with the model and a creation window: the submission's, widened by
    `history_skew` seconds for the clocks' difference; at most `history_pages` pages) and keeps
    those whose inputs are exactly the body sent, read from each task's prediction (`GET
    /api/v3/predictions/{id}`; history items carry no inputs). A task whose inputs cannot be read
    makes the history unable to tell, never a match or a miss.
    """

    name = "wavespeed"

    def __init__(self, client: httpx.AsyncClient, api_key: str, base_url: str = DEFAULT_BASE_URL, *,
                 read_attempts: int = 5, backoff_initial: float = 1.0, backoff_max: float = 20.0,
                 submit_timeout: float | None = 60.0, poll_timeout: float | None = 30.0,
                 allow_private_urls: bool = False, webhook_url: str | None = None,
                 refusal_statuses: Collection[int] = REFUSAL_STATUSES,
                 history_path: str = "/api/v3/predictions", history_page_size: int = 50, history_pages: int = 4,
                 history_skew: float = 120.0, prediction_path: str = "/api/v3/predictions/{id}",
                 inline_images: bool = True, wire_formats: Mapping[str, WireFormat] = WIRE_FORMATS,
                 inline_image_max_bytes: int = 512 * 1024, balance_path: str = "/api/v3/balance",
                 result_path: str = "/api/v3/predictions/{id}/result", two_step_upload: bool = True,
                 client_name: str = "videoforge", billing_page_size: int = 100, chunk_size: int = 1024 * 1024,
                 max_redirects: int = 5):
        if not api_key:
            raise ValueError("a WaveSpeed API key is required")
        if read_attempts < 1:
            raise ValueError("read_attempts must be at least 1")
        self._client = client
        self._key = api_key
        self._base = base_url.rstrip("/")
        self._attempts = read_attempts
        self._jitter = wait_random_exponential(multiplier=backoff_initial, max=backoff_max)
        self._backoff_max = backoff_max
        self._submit_timeout = submit_timeout
        self._poll_timeout = poll_timeout
        self._allow_private = allow_private_urls
        self._webhook_url = webhook_url
        self._refusals = frozenset(refusal_statuses)
        self._history_path, self._history_pages = history_path, history_pages
        self._history_page_size = history_page_size
        self._history_skew = timedelta(seconds=history_skew)
        self._prediction_path = prediction_path
        self._inline_allowed = inline_images
        self._wire_formats = dict(wire_formats)
        self._inline_max = inline_image_max_bytes
        self._balance_path = balance_path
        self._result_path = result_path
        self._two_step_upload = two_step_upload
        self._client_name = client_name
        self._billing_page = billing_page_size
        self._chunk_size = chunk_size
        self._max_redirects = max_redirects

    def __repr__(self) -> str:
        return f"WaveSpeedVideoProvider(base_url={self._base!r})"

    # -- submit: never retried ------------------------------------------------------------------

    async def submit(self, task: ProviderTask) -> str:
        spec = task.spec
        wire = self._wire_formats.get(spec.model)
        if wire is None:
            raise ProviderRejectedError(f"model: {spec.model!r} is not a WaveSpeed model this build can submit "
                                        f"(allowed: {', '.join(self._wire_formats)}); nothing was sent",
                                        code=ErrorCode.INVALID_PARAMETER)
        for kind in task.inputs:
            if kind not in wire.input_fields:
                allowed = ", ".join(wire.input_fields.values()) or "none"
                raise ProviderRejectedError(f"{kind.value}: WaveSpeed's {spec.model} takes no {kind.value} input "
                                            f"(allowed: {allowed}); nothing was sent", code=ErrorCode.INVALID_PARAMETER)
        unknown = [name for name in spec.options if name not in wire.option_fields]
        if unknown:
            raise ProviderRejectedError(f"{unknown[0]}: WaveSpeed's {spec.model} takes no such option (allowed: "
                                        f"{', '.join(wire.option_fields) or 'none'}); nothing was sent",
                                        code=ErrorCode.INVALID_PARAMETER)
        references: dict[MediaKind, str] = {}
        for kind, source in task.inputs.items():
            field = wire.input_fields[kind]
            try:
                references[kind] = await self._input_reference(wire, field, source)
            except ProviderError:
                raise
            except Exception as e:
                raise ProviderRejectedError(f"the {field} input could not be read ({type(e).__name__}), so nothing "
                                            "was submitted", code=ErrorCode.INVALID_PARAMETER) from e
        return await self._send(spec.model, wire.body(spec, references), task.before_sending)

    async def _send(self, model: str, payload: dict[str, Any],
                    before_sending: Callable[[SentSubmission], Awaitable[None]] | None = None) -> str:
        """The one request of a submission, announced first to `before_sending` (the window ends
        when its answer must have come: the submit timeout, plus a margin). Only a connection that
        never opened proves nothing went out; any other failure is an unknown outcome carrying what
        was sent. What was sent is recorded as the model and a digest of the canonical body."""
        params = {"webhook": self._webhook_url} if self._webhook_url else None
        record = {"model": model, "input_sha256": _digest(payload)}
        sent_at = datetime.now(UTC)
        if before_sending is not None:
            latest = sent_at + timedelta(seconds=(self._submit_timeout or _NO_TIMEOUT_WINDOW) + _RECORD_MARGIN)
            await before_sending(SentSubmission(sent_at, latest, record))

        def sent() -> SentSubmission:
            return SentSubmission(sent_at, datetime.now(UTC), record)

        try:
            response = await self._client.post(self._url(f"/api/v3/{model}"), json=payload, params=params,
                                               headers=self._headers(), timeout=self._timeout(self._submit_timeout))
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as e:
            raise ProviderRejectedError(f"WaveSpeed could not be reached ({type(e).__name__}); the request was not "
                                        "sent and nothing was created", code=ErrorCode.PROVIDER_UNAVAILABLE,
                                        retryable=True) from e
        except httpx.TransportError as e:
            raise ProviderOutcomeUnknownError(
                f"the request was sent to WaveSpeed but no answer came ({type(e).__name__}); a task may exist "
                "and be billed, so it is not sent again blindly", sent=sent()) from e
        try:
            return self._task_id(response)
        except ProviderOutcomeUnknownError as e:
            e.sent = sent()
            raise

    def _task_id(self, response: httpx.Response) -> str:
        code, message, data = envelope(response)
        status = response.status_code
        if status == 200 and code in (None, 200):
            task_id = data.get("id")
            if isinstance(task_id, str) and task_id:
                return task_id
            raise ProviderOutcomeUnknownError("WaveSpeed answered the submission without a task id; a task may "
                                              "exist and be billed, so it is not sent again blindly")
        effective = status if status != 200 else (code or status)
        said = quoted(message, self._key)
        detail = f": {said}" if said else ""
        if effective not in self._refusals and not INSUFFICIENT_CREDIT.search(message):
            raise ProviderOutcomeUnknownError(f"WaveSpeed answered the submission with HTTP {effective}, which does "
                                              "not say whether the task was created; it is not sent again blindly")
        if effective == 402 or INSUFFICIENT_CREDIT.search(message):
            raise InsufficientCreditError(f"the WaveSpeed account has not enough credit for this video; top it up "
                                          f"to continue (HTTP {effective}{detail})", provider_code=effective)
        if effective in (401, 403):
            raise ProviderRejectedError(_AUTH.format(status=effective) + detail, provider_code=effective)
        if effective == 429:
            raise ProviderRejectedError(f"WaveSpeed is rate limiting this account (HTTP 429); nothing was created, "
                                        f"try again in a minute{detail}", provider_code=429, retryable=True)
        task_code = as_int(data.get("code"))
        if effective in (400, 422) or task_code in (1400, 1401):
            raise ProviderRejectedError(f"WaveSpeed refused the parameters (HTTP {effective}){detail}",
                                        code=ErrorCode.INVALID_PARAMETER, provider_code=task_code or effective)
        raise ProviderRejectedError(f"WaveSpeed refused the submission (HTTP {effective}){detail}",
                                    provider_code=effective)

    # -- the task history: which tasks an unanswered submission created ----------------------------

    async def find_sent(self, sent: SentSubmission) -> list[str]:
        model, body = sent.record.get("model"), sent.record.get("input")
        digest = _digest(body) if isinstance(body, Mapping) else sent.record.get("input_sha256")
        if not isinstance(model, str) or not isinstance(digest, str):
            raise ProviderUnavailableError("this submission was not sent by the WaveSpeed adapter")
        after, before = sent.sent_at - self._history_skew, sent.answered_at + self._history_skew
        matches: list[str] = []
        for page in range(1, self._history_pages + 1):
            items, total = await self._history_page(model, after, before, page)
            for item in items:
                if await self._same_submission(item, model, digest, after, before):
                    matches.append(str(item["id"]))
            if not items or page * self._history_page_size >= total:
                return matches
        raise ProviderUnavailableError(f"WaveSpeed's history holds more than {self._history_pages} pages of "
                                       f"{model} tasks in the submission's window: it cannot tell which is this one")

    async def _history_page(self, model: str, after: datetime, before: datetime,
                            page: int) -> tuple[list[Mapping[str, Any]], int]:
        what = "the task history"
        query = {"page": page, "page_size": self._history_page_size, "model": model,
                 "created_after": _iso(after), "created_before": _iso(before)}
        response = await self._read("POST", self._history_path, what, json=query)
        code, message, data = envelope(response)
        self._raise_for_read(response, code, message, what)
        items = data.get("items")
        if not isinstance(items, list):
            raise ProviderUnavailableError("WaveSpeed answered the history read without items")
        total = as_int(data.get("total"))
        shown = [item for item in items if isinstance(item, Mapping) and item.get("id")]
        return shown, total if total is not None else page * self._history_page_size + len(shown)

    async def _same_submission(self, item: Mapping[str, Any], model: str, digest: str,
                               after: datetime, before: datetime) -> bool:
        """Whether a history item is a task made from exactly the body of this digest, in the window."""
        created = _parse_time(item.get("created_at"))
        if item.get("model") not in (None, model) or (created is not None and not after <= created <= before):
            return False
        inputs = item.get("input")
        if not isinstance(inputs, Mapping):
            inputs = await self._inputs_of(str(item["id"]))
        return _digest(inputs) == digest

    async def _inputs_of(self, task_id: str) -> Mapping[str, Any]:
        what = f"the inputs of task {task_id}"
        path = self._prediction_path.format(id=quote(task_id, safe=""))
        response = await self._read("GET", path, what, timeout=self._timeout(self._poll_timeout))
        code, message, data = envelope(response)
        self._raise_for_read(response, code, message, what)
        inputs = data.get("input")
        if not isinstance(inputs, Mapping):
            raise ProviderUnavailableError(f"WaveSpeed does not show {what}, so the history cannot tell whether it "
                                           "is this submission's")
        return inputs

    # -- poll, cancel, balance: reads, retried ------------------------------------------------

    async def poll(self, provider_job_id: str) -> ProviderStatus:
        what = f"the status of task {provider_job_id}"
        path = self._result_path.format(id=quote(provider_job_id, safe=""))
        response = await self._read("GET", path, what, timeout=self._timeout(self._poll_timeout))
        code, message, data = envelope(response)
        if response.status_code == 404 or code == 404:
            return ProviderStatus(ProviderState.EXPIRED, error_code=ErrorCode.PROVIDER_EXPIRED,
                                  error_message="the provider has no such task (deleted, expired or never created)")
        self._raise_for_read(response, code, message, what)
        if not data:
            raise ProviderUnavailableError(f"WaveSpeed answered reading {what} without the task")
        status = status_of(data, self._key)
        hint = _retry_after(response)  # a Retry-After on the answer: when the provider wants to be asked again
        return replace(status, poll_after=hint) if hint is not None and hint >= 0 and not status.finished else status

    async def cancel(self, provider_job_id: str) -> bool:
        what = f"cancelling task {provider_job_id}"
        try:
            response = await self._read("DELETE", f"/api/v3/predictions/{quote(provider_job_id, safe='')}", what)
        except ProviderUnavailableError as e:
            log.warning("wavespeed: %s", e)
            return False
        code, message, _ = envelope(response)
        accepted = response.status_code == 200 and code in (None, 200)
        if not accepted:
            log.info("wavespeed refused %s: HTTP %s %s", what, response.status_code, quoted(message, self._key))
        return accepted

    async def balance(self) -> Decimal:  # ProviderAccount
        """The account's balance in USD (`GET /api/v3/balance`). Raises ProviderUnavailableError."""
        what = "the account balance"
        response = await self._read("GET", self._balance_path, what)
        code, message, data = envelope(response)
        self._raise_for_read(response, code, message, what)
        try:
            return Decimal(str(data["balance"]))
        except (KeyError, InvalidOperation) as e:
            raise ProviderUnavailableError("WaveSpeed answered the balance read without a balance") from e

    async def charges(self, since: datetime, until: datetime) -> AsyncIterator[ProviderCharge]:
        """The account's deductions and refunds in [since, until), from `billings/search`, page by page."""
        page, more = 1, True
        while more:
            what = f"page {page} of the billing records"
            response = await self._read("POST", BILLINGS_PATH, what, json=search_body(page, self._billing_page, since,
                                                                                       until))
            code, message, data = envelope(response)
            self._raise_for_read(response, code, message, what)
            charges, more = page_of(data)
            for charge in charges:
                yield charge
            page += 1

    def _raise_for_read(self, response: httpx.Response, code: int | None, message: str, what: str) -> None:
        if response.status_code in (401, 403):
            raise ProviderUnavailableError(_AUTH.format(status=response.status_code),
                                           provider_code=response.status_code)
        if response.status_code != 200 or code not in (None, 200):
            said = quoted(message, self._key)
            raise ProviderUnavailableError(f"WaveSpeed refused reading {what} (HTTP {response.status_code}, code "
                                           f"{code})" + (f": {said}" if said else ""),
                                           provider_code=code or response.status_code)

    async def _read(self, method: str, path: str, what: str, **kwargs: Any) -> httpx.Response:
        url = self._url(path)
        return await self._retrying(what, lambda: self._client.request(method, url, headers=self._headers(), **kwargs))

    async def _retrying(self, what: str, send: Callable[[], Awaitable[httpx.Response]],
                        error: Callable[[str], Exception] = ProviderUnavailableError,
                        read_envelope: bool = True) -> httpx.Response:
        """`send` again on 429, 5xx and network errors, with jittered backoff; for safe requests only.
        When the attempts run out, raises `error(message)`."""
        retrying = AsyncRetrying(stop=stop_after_attempt(self._attempts), wait=self._wait, reraise=True,
                                 retry=retry_if_exception_type((httpx.TransportError, _Transient)),
                                 before_sleep=lambda state: self._log_retry(what, state))
        try:
            async for attempt in retrying:
                with attempt:
                    response = await send()
                    if _transient(response, read_envelope):
                        await response.aclose()
                        raise _Transient(response)
                    return response
        except _Transient as e:
            raise error(f"WaveSpeed kept failing for {what}: HTTP {e.status} after {self._attempts} attempts") from None
        except httpx.TransportError as e:
            raise error(f"WaveSpeed could not be reached for {what}: {type(e).__name__} after {self._attempts} "
                        "attempts") from e
        raise AssertionError("unreachable: tenacity either returns or raises")

    def _wait(self, state: RetryCallState) -> float:
        delay = self._jitter(state)
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, _Transient) and error.retry_after is not None:
            delay = max(delay, min(error.retry_after, self._backoff_max))
        return delay

    def _log_retry(self, what: str, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        log.warning("wavespeed: %s failed (%s), attempt %d of %d, retrying in %.2f s", what,
                    type(error).__name__ if not isinstance(error, _Transient) else error, state.attempt_number,
                    self._attempts, state.upcoming_sleep)

    # -- inputs ------------------------------------------------------------------------------------

    async def _input_reference(self, wire: WireFormat, field: str, source: MediaSource) -> str:
        """What goes in the payload for an input file: bare base64 (images, for the models that
        take nothing else), a data URI (small images, where its wire format says the model takes
        them) or the URL of an upload."""
        if wire.raw_base64_images and source.content_type.startswith("image/"):
            return base64.b64encode(b"".join([chunk async for chunk in source.chunks()])).decode()
        if (wire.inline_images and self._inline_allowed and source.content_type.startswith("image/")
                and source.size is not None and source.size <= self._inline_max):
            data = b"".join([chunk async for chunk in source.chunks()])
            return f"data:{source.content_type};base64,{base64.b64encode(data).decode()}"
        try:
            try:
                return await self._upload_by_ticket(source)
            except _TicketUnavailable as e:
                log.info("wavespeed: two-step upload of %s not possible (%s); using the binary upload", field, e)
                return await self._upload_binary(source)
        except ProviderUnavailableError as e:
            raise ProviderRejectedError(f"an input could not be uploaded to WaveSpeed, so nothing was submitted: {e}",
                                        code=ErrorCode.PROVIDER_UNAVAILABLE, retryable=True) from e

    async def _upload_by_ticket(self, source: MediaSource) -> str:
        if not self._two_step_upload:
            raise _TicketUnavailable("the two-step upload is turned off")
        if source.size is None:
            raise _TicketUnavailable("the file's size is unknown")
        body = {"filename": _filename(source), "size": source.size, "content_type": source.content_type}
        response = await self._read("POST", "/api/v3/media/uploads", "an upload ticket", json=body)
        code, _, data = envelope(response)
        if response.status_code in (401, 403):
            raise ProviderRejectedError(_AUTH.format(status=response.status_code), provider_code=response.status_code)
        if response.status_code in _TICKET_MISSING or response.status_code != 200 or code not in (None, 200):
            raise _TicketUnavailable(f"HTTP {response.status_code}")
        upload = data.get("upload") if isinstance(data.get("upload"), dict) else {}
        url, method = upload.get("url"), str(upload.get("method") or "PUT").upper()
        download_url = data.get("download_url")
        headers = upload.get("headers") if isinstance(upload.get("headers"), dict) else {}
        if not isinstance(url, str) or not isinstance(download_url, str) or method != "PUT":
            raise _TicketUnavailable("the ticket has no PUT URL or no download URL")
        try:
            await check_fetchable(url, allow_private=self._allow_private)
        except UnsafeURLError as e:
            raise _TicketUnavailable(f"the signed URL is refused: {e}") from e

        async def put() -> httpx.Response:
            # Exactly the ticket's headers: the API key and our own headers never go to the storage host.
            request = self._client.build_request("PUT", url, content=source.chunks(),
                                                 headers={**{str(k): str(v) for k, v in headers.items()},
                                                          "Content-Length": str(source.size)})
            for name in ("authorization", "x-client-name"):
                if name not in {k.lower() for k in headers}:
                    request.headers.pop(name, None)
            return await self._client.send(request)

        response = await self._retrying("uploading an input", put, error=_TicketUnavailable)
        if not response.is_success:
            raise _TicketUnavailable(f"the signed URL answered HTTP {response.status_code}")
        return download_url

    async def _upload_binary(self, source: MediaSource) -> str:
        boundary = secrets.token_hex(16)
        head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{_filename(source)}"\r\n'
                f"Content-Type: {source.content_type}\r\n\r\n").encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        headers = self._headers() | {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        if source.size is not None:
            headers["Content-Length"] = str(len(head) + source.size + len(tail))

        async def body() -> AsyncIterator[bytes]:
            yield head
            async for chunk in source.chunks():
                yield chunk
            yield tail

        url = self._url("/api/v3/media/upload/binary")
        response = await self._retrying(
            "uploading an input", lambda: self._client.post(url, content=body(), headers=headers))
        code, message, data = envelope(response)
        if response.status_code in (401, 403):
            raise ProviderRejectedError(_AUTH.format(status=response.status_code), provider_code=response.status_code)
        download_url = data.get("download_url")
        if response.status_code != 200 or code not in (None, 200) or not isinstance(download_url, str):
            said = quoted(message, self._key)
            raise ProviderRejectedError(f"WaveSpeed refused an input file (HTTP {response.status_code})"
                                        + (f": {said}" if said else ""), code=ErrorCode.INVALID_PARAMETER,
                                        provider_code=code or response.status_code)
        return download_url

    # -- outputs -----------------------------------------------------------------------------------

    async def stream_output(self, output: ProviderOutput) -> AsyncIterator[bytes]:
        response = await self._open_output(output.url)
        try:
            if response.status_code != 200:
                retryable = response.status_code == 429 or response.status_code >= 500
                reason = "could not be downloaded yet" if retryable else "has expired or is refused"
                raise ProviderOutputError(f"the output URL {reason} (HTTP {response.status_code})", retryable=retryable)
            expected = as_int(response.headers.get("content-length"))
            try:
                async for chunk in response.aiter_bytes(self._chunk_size):
                    yield chunk
            except httpx.TransportError as e:
                raise ProviderOutputError(f"the download broke off after {response.num_bytes_downloaded} bytes "
                                          f"({type(e).__name__})", retryable=True) from e
            if expected is not None and response.num_bytes_downloaded < expected:
                raise ProviderOutputError(f"the download ended after {response.num_bytes_downloaded} of {expected} "
                                          "bytes", retryable=True)
        finally:
            await response.aclose()

    async def _open_output(self, url: str) -> httpx.Response:
        """The output's response, headers read, body not yet, every redirect hop checked
        (safe_urls.open_checked); opening is retried, a started download is not."""
        try:
            return await open_checked(url, self._send_output, allow_private=self._allow_private,
                                      max_redirects=self._max_redirects)
        except UnsafeURLError as e:
            raise ProviderOutputError(f"the output URL is refused: {e}") from e

    async def _send_output(self, url: str) -> httpx.Response:
        request = self._client.build_request("GET", url)
        return await self._retrying("downloading the output",
                                    lambda: self._client.send(request, stream=True),
                                    error=_retryable_output_error, read_envelope=False)

    # -- helpers -----------------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return self._base + path

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._key}", "X-Client-Name": self._client_name,
                "Accept": "application/json"}

    def _timeout(self, read: float | None) -> Any:
        if read is None:
            return httpx.USE_CLIENT_DEFAULT
        default = self._client.timeout
        return httpx.Timeout(connect=default.connect, read=read, write=default.write, pool=default.pool)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse_time(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None  # a time it cannot read does not exclude a task
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _digest(body: Any) -> str:
    """What a submission sent, as kept with its job and compared with the history: the sha256 of
    the canonical JSON body (an inline image makes the body itself large)."""
    return hashlib.sha256(_canonical(body).encode()).hexdigest()


_NO_TIMEOUT_WINDOW = 600.0  # seconds an answer may take when submits have no read timeout
_RECORD_MARGIN = 30.0  # seconds between recording a submission and its request leaving, at most


def _filename(source: MediaSource) -> str:
    name = source.filename or "input"
    return re.sub(r'[\r\n"\\/]', "_", name)[:200]


def _retryable_output_error(message: str) -> ProviderOutputError:
    return ProviderOutputError(message, retryable=True)
