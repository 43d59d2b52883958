"""A WaveSpeed API emulator: a real HTTP server on 127.0.0.1 (uvicorn, in a thread of its own),
following ../shared/reference/wavespeed-protocol.md, with scripted outcomes and faults.

    with WaveSpeedEmulator(api_key="k") as emulator:
        emulator.script(Scenario.fail(1200))
        ... point the adapter at emulator.url ...
        assert emulator.submission_count == 1

Outputs are served from the same server over http (so the adapter needs allow_private_urls) as
`fake_video` bytes sized by the task's parameters, padded on the fly to `output_size` bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import httpx
import uvicorn

from videoforge.adapters.fakes import fake_video
from videoforge.adapters.wavespeed.webhooks import signature
from videoforge.domain.catalog import dimensions

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
CHUNK = 1024 * 1024


class _BreakConnection(Exception):
    """Raised inside a response to make the server drop the connection midway."""


@dataclass(frozen=True, slots=True)
class Scenario:
    """What the emulator does with one submission and the task it creates."""

    kind: str = "succeed"  # succeed | fail | cancelled | timeout | deleted | hang | mystery | empty
    polls: int = 1  # result reads before the end shows
    after: float | None = None  # or: seconds after creation (then webhooks fire by themselves)
    task_code: int | None = None
    error: str = ""
    output_size: int = 0
    truncate_at: int | None = None  # the output download breaks off after this many bytes
    output_status: int = 200  # e.g. 403 or 410: the output URL has expired
    # answer | never_answer | drop | reject | no_id | error_after_create (the task is created,
    # the answer is `reject_status`, e.g. a 500)
    submit: str = "answer"
    reject_status: int = 400
    reject_message: str = "invalid parameter: prompt"
    twins: int = 0  # more tasks created with the same inputs (the history shows them all)
    charge: str | None = None  # deducted when the task is created (else the emulator's price of the model)
    refund: bool = True  # a failed task's deduction is refunded when it fails
    poll_after: float | None = None  # a Retry-After header (seconds) on the reads of an unfinished task

    @classmethod
    def succeed(cls, polls: int = 1, **changes: Any) -> Scenario:
        return cls("succeed", polls, **changes)

    @classmethod
    def fail(cls, task_code: int, error: str = "the model could not render this", polls: int = 1) -> Scenario:
        return cls("fail", polls, task_code=task_code, error=error)

    @classmethod
    def reject(cls, status: int = 400, message: str = "invalid parameter: prompt") -> Scenario:
        return cls(submit="reject", reject_status=status, reject_message=message)

    @classmethod
    def error_after_create(cls, status: int = 500, twins: int = 0, **changes: Any) -> Scenario:
        """The task is created (and billed), then the answer is an error: only the history tells."""
        return cls(submit="error_after_create", reject_status=status, reject_message="internal server error",
                   twins=twins, **changes)


@dataclass
class Task:
    id: str
    model: str
    payload: dict[str, Any]
    scenario: Scenario
    created: float
    webhook: str | None = None
    polls: int = 0
    ended_as: str | None = None  # set by DELETE
    delivered: bool = False
    refunded: bool = False
    body: bytes = b""  # the submission's JSON exactly as it came over the wire
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass
class Delivery:
    headers: dict[str, str]
    body: bytes


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    client: tuple[str, int] | None


@dataclass
class _Faults:
    reads: list[int | float] = field(default_factory=list)  # next result reads: HTTP status, or seconds of delay
    ticket_status: int | None = None  # answer /media/uploads with this status (404: not offered)
    put_status: int | None = None  # the signed URL answers this status
    history: list[int] = field(default_factory=list)  # next history reads: HTTP status to answer instead
    history_lag: float = 0.0  # seconds before a new task shows in the history


class WaveSpeedEmulator:
    def __init__(self, api_key: str = "ws-test-key", *, webhook_secret: str = "whsec_emulator-secret",
                 balance: str = "12.34"):
        self.api_key = api_key
        self.webhook_secret = webhook_secret
        self.signing_secret = webhook_secret  # what deliveries are signed with (tests may make it wrong)
        self.balance = balance
        self._initial_balance = balance
        # Billing records, as `POST /api/v3/billings/search` lists them: a deduction for each task
        # created (its scenario's `charge`, else `prices[model]`; none when neither is set), a
        # refund when a task fails; tests plant others with `add_billing`.
        self.prices: dict[str, str] = {}
        self.billings: list[dict[str, Any]] = []
        self.default = Scenario()
        self._script: list[Scenario] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.tasks: dict[str, Task] = {}
        self.submissions: Counter[str] = Counter()
        self.polls: Counter[str] = Counter()
        self.requests: list[Request] = []
        self.uploads: dict[str, bytes] = {}
        self.deliveries: list[Delivery] = []
        self.connections: set[tuple[str, int]] = set()
        self.faults = _Faults()
        self.retry_after: str | None = None  # sent with the faulty reads' answers
        self.keep_requests = True
        # Serve real H.264 MP4s (made with PyAV, cached by shape) instead of `fake_video` stand-ins,
        # for runs whose media probe is the real one.
        self.real_media = False
        self._real: dict[tuple[float, int, int, bool], bytes] = {}
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._background: set[asyncio.Task] = set()
        self.url = ""

    # -- control, from the test's thread -----------------------------------------------------

    def script(self, *scenarios: Scenario) -> WaveSpeedEmulator:
        with self._lock:
            self._script.extend(scenarios)
        return self

    def fail_next_history_reads(self, *statuses: int) -> None:
        with self._lock:
            self.faults.history.extend(statuses)

    def fail_next_reads(self, *faults: int | float) -> None:
        """The next result reads answer these HTTP statuses (ints) or wait these seconds (floats)."""
        with self._lock:
            self.faults.reads.extend(faults)

    def reset(self) -> None:
        with self._lock:
            self.default = Scenario()
            self.real_media = False
            self._script.clear()
            self.tasks.clear()
            self.submissions.clear()
            self.polls.clear()
            self.requests.clear()
            self.uploads.clear()
            self.deliveries.clear()
            self.connections.clear()
            self.prices.clear()
            self.billings.clear()
            self.balance = self._initial_balance
            self.faults = _Faults()
            self.retry_after = None
            self.signing_secret = self.webhook_secret

    @property
    def submission_count(self) -> int:
        return sum(self.submissions.values())

    def requests_to(self, method: str, prefix: str) -> list[Request]:
        return [r for r in self.requests if r.method == method and r.path.startswith(prefix)]

    def add_billing(self, task_id: str | None, kind: str, price: str, at: datetime | None = None) -> dict[str, Any]:
        """Record a deduction or refund (`kind`) for a task, as WaveSpeed's billing would."""
        record = {"uuid": uuid.uuid4().hex, "billing_type": kind, "price": float(price),
                  "created_at": (at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                  "access_key_name": "default",
                  **({"prediction": {"uuid": task_id, "model_uuid": "m", "status": "completed"}} if task_id else {})}
        with self._lock:
            self.billings.append(record)
        return record

    def output_url(self, task_id: str) -> str:
        return f"{self.url}/outputs/{task_id}.mp4"

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> WaveSpeedEmulator:
        config = uvicorn.Config(self, host="127.0.0.1", port=0, log_level="critical", lifespan="off", http="h11",
                                loop="asyncio", timeout_keep_alive=30, timeout_graceful_shutdown=1,
                                backlog=4096)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="wavespeed-emulator", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the WaveSpeed emulator did not start")
            time.sleep(0.01)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            self._server.force_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> WaveSpeedEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the ASGI application ------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        self._loop = asyncio.get_running_loop()
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        method, path = scope["method"], scope["path"]
        client = tuple(scope["client"]) if scope.get("client") else None
        with self._lock:
            if client:
                self.connections.add(client)
            if self.keep_requests:
                self.requests.append(Request(method, path, headers, client))
        query = {k: v[0] for k, v in parse_qs(scope.get("query_string", b"").decode()).items()}
        if path.startswith("/outputs/"):
            return await self._output(path.removeprefix("/outputs/").removesuffix(".mp4"), send)
        if path.startswith("/_storage/"):
            return await self._put_upload(path.removeprefix("/_storage/"), headers, receive, send)
        if path.startswith("/_media/"):
            data = self.uploads.get(path.removeprefix("/_media/"))
            return await _respond(send, 404 if data is None else 200, data or b"", "application/octet-stream")
        if path == "/_redirect":  # a CDN hop: 302 to `to`
            location = query.get("to", "/_redirect").encode()
            await send({"type": "http.response.start", "status": 302,
                        "headers": [(b"location", location), (b"content-length", b"0")]})
            return await send({"type": "http.response.body", "body": b""})
        if path == "/_sink":
            body = await _body(receive)
            self.deliveries.append(Delivery(headers, body))
            return await _json(send, 200, {"ok": True})
        if path == "/_emulator/stats":
            return await _json(send, 200, self.stats())
        if headers.get("authorization") != f"Bearer {self.api_key}":
            given = headers.get("authorization", "").removeprefix("Bearer ")
            # Echoes the key it got, as some APIs do: the adapter must never pass that on.
            return await _json(send, 401, {"code": 401, "message": f"invalid authentication: key {given!r} unknown"})
        if path == "/api/v3/balance" and method == "GET":
            return await _json(send, 200, _envelope({"balance": float(self.balance)}))
        if path == "/api/v3/billings/search" and method == "POST":
            return await self._billings(await _body(receive), send)
        if path == "/api/v3/media/uploads" and method == "POST":
            return await self._ticket(await _body(receive), send)
        if path == "/api/v3/media/upload/binary" and method == "POST":
            return await self._binary_upload(headers, await _body(receive), send)
        if path == "/api/v3/predictions" and method == "POST":
            return await self._history(await _body(receive), send)
        if path.startswith("/api/v3/predictions/"):
            rest = path.removeprefix("/api/v3/predictions/")
            if method == "GET" and (rest.endswith("/result") or "/" not in rest):  # both documented forms
                return await self._result(rest.removesuffix("/result"), send)
            if method == "DELETE" and "/" not in rest:
                return await self._delete(rest, send)
        if path.startswith("/api/v3/") and method == "POST":
            return await self._submit(path.removeprefix("/api/v3/"), query.get("webhook"), receive, send)
        await _json(send, 404, {"code": 404, "message": "not found"})

    async def _submit(self, model: str, webhook: str | None, receive: Receive, send: Send) -> None:
        body = await _body(receive)
        payload = json.loads(body or b"{}")
        with self._lock:
            self.submissions[model] += 1
            scenario = self._script.pop(0) if self._script else self.default
        if scenario.submit == "reject":
            return await _json(send, scenario.reject_status,
                               {"code": scenario.reject_status, "message": scenario.reject_message})
        task = Task(uuid.uuid4().hex, model, payload, scenario, time.monotonic(), webhook, body=body)
        self.tasks[task.id] = task
        charge = scenario.charge if scenario.charge is not None else self.prices.get(model)
        if charge is not None:
            self.add_billing(task.id, "deduct", charge)
        for _ in range(scenario.twins):
            twin = Task(uuid.uuid4().hex, model, payload, scenario, time.monotonic(), webhook, body=body)
            self.tasks[twin.id] = twin
            if charge is not None:
                self.add_billing(twin.id, "deduct", charge)
        if scenario.submit == "error_after_create":
            return await _json(send, scenario.reject_status,
                               {"code": scenario.reject_status, "message": scenario.reject_message})
        if scenario.after is not None:
            self._spawn(self._finish_later(task))
        if scenario.submit == "never_answer":
            while (await receive())["type"] != "http.disconnect":
                pass
            return None
        data = self._prediction(task, "created") if scenario.submit != "no_id" else {"status": "created"}
        body = json.dumps(_envelope(data)).encode()
        if scenario.submit == "drop":
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]})
            await send({"type": "http.response.body", "body": body[:10], "more_body": True})
            raise _BreakConnection("dropped after the task was created")
        await _respond(send, 200, body, "application/json")

    def _status(self, task: Task) -> str:
        if task.ended_as:
            return task.ended_as
        sc = task.scenario
        done = (time.monotonic() - task.created >= sc.after) if sc.after is not None else task.polls >= sc.polls
        if sc.kind == "hang" or not done:
            return "created" if task.polls <= 1 and sc.after is None else "processing"
        return {"succeed": "completed", "empty": "completed", "fail": "failed", "mystery": "warming-up"}.get(
            sc.kind, sc.kind)

    async def _history(self, body: bytes, send: Send) -> None:
        """`POST /api/v3/predictions`: the account's recent tasks, newest first, filtered by model
        and creation time, a page at a time. Items carry no inputs (as in WaveSpeed's own client
        types); a task's inputs are read from its prediction."""
        with self._lock:
            fault = self.faults.history.pop(0) if self.faults.history else None
        if fault is not None:
            return await _json(send, fault, {"code": fault, "message": "history unavailable"})
        query = json.loads(body or b"{}")
        page, size = int(query.get("page", 1)), int(query.get("page_size", 20))
        after, before = (_parse_time(query.get(k)) for k in ("created_after", "created_before"))
        shown = datetime.now(UTC) - timedelta(seconds=self.faults.history_lag)
        items = sorted((t for t in list(self.tasks.values())
                        if (not query.get("model") or t.model == query["model"]) and t.created_at <= shown
                        and (after is None or t.created_at >= after) and (before is None or t.created_at <= before)),
                       key=lambda t: t.created_at, reverse=True)
        chosen = items[(page - 1) * size:page * size]
        await _json(send, 200, _envelope({"page": page, "total": len(items), "items": [
            {"id": t.id, "model": t.model, "status": self._status(t), "outputs": [],
             "created_at": _iso(t.created_at), "execution_time": 0} for t in chosen]}))

    def _prediction(self, task: Task, status: str) -> dict[str, Any]:
        sc = task.scenario
        completed = status == "completed"
        return {
            "id": task.id, "model": task.model, "status": status, "input": task.payload,
            "outputs": [self.output_url(task.id)] if completed and sc.kind != "empty" else [],
            "urls": {"get": f"{self.url}/api/v3/predictions/{task.id}/result"},
            "has_nsfw_contents": [False] if completed else [], "created_at": _iso(task.created_at),
            "error": sc.error if status == "failed" else "",
            **({"code": sc.task_code} if status == "failed" and sc.task_code else {}),
            "timings": {"inference": 1000 if completed else 0},
        }

    async def _result(self, task_id: str, send: Send) -> None:
        with self._lock:
            fault = self.faults.reads.pop(0) if self.faults.reads else None
        if isinstance(fault, float):
            await asyncio.sleep(fault)
        elif isinstance(fault, int):
            extra = [(b"retry-after", self.retry_after.encode())] if self.retry_after else []
            return await _respond(send, fault, b"<html>upstream trouble</html>", "text/html", extra)
        task = self.tasks.get(task_id)
        if task is None:
            return await _json(send, 404, {"code": 404, "message": "prediction not found"})
        self.polls[task_id] += 1
        task.polls += 1
        status = self._status(task)
        self._refund_if_failed(task, status)
        if status in ("completed", "failed") and task.webhook and not task.delivered:
            self._spawn(self._deliver(task, status))
        hint = task.scenario.poll_after
        unfinished = status in ("created", "processing")
        extra = [(b"retry-after", str(hint).encode())] if hint is not None and unfinished else []
        await _respond(send, 200, json.dumps(_envelope(self._prediction(task, status))).encode(), "application/json",
                       extra)

    def _refund_if_failed(self, task: Task, status: str) -> None:
        if status != "failed" or task.refunded or not task.scenario.refund:
            return
        task.refunded = True
        for record in [b for b in self.billings if b.get("prediction", {}).get("uuid") == task.id]:
            if record["billing_type"] == "deduct":
                self.add_billing(task.id, "refund", str(record["price"]))

    async def _billings(self, body: bytes, send: Send) -> None:
        query = json.loads(body or b"{}")
        page, size = int(query.get("page", 1)), int(query.get("page_size", 20))
        since, until = (_instant(query.get(k)) for k in ("start_time", "end_time"))
        with self._lock:
            found = [b for b in self.billings
                     if (since is None or _instant(b["created_at"]) >= since)
                     and (until is None or _instant(b["created_at"]) < until)
                     and query.get("billing_type") in (None, b["billing_type"])]
        items = found[(page - 1) * size:page * size]
        await _json(send, 200, _envelope({"page": page, "has_more": page * size < len(found), "items": items}))

    async def _delete(self, task_id: str, send: Send) -> None:
        task = self.tasks.get(task_id)
        if task is None:
            return await _json(send, 404, {"code": 404, "message": "prediction not found"})
        # A running task is stopped (it reads `cancelled` from then on); a finished one is removed.
        task.ended_as = "cancelled" if self._status(task) in ("created", "processing") else "deleted"
        await _json(send, 200, _envelope({"id": task_id, "status": "deleted"}))

    async def _output(self, task_id: str, send: Send) -> None:
        task = self.tasks.get(task_id)
        if task is None or task.scenario.output_status != 200:
            status = 404 if task is None else task.scenario.output_status
            return await _respond(send, status, b"<Error>AccessDenied: Request has expired</Error>", "application/xml")
        sc, params = task.scenario, task.payload
        duration = float(params.get("duration") or 5.0)
        if "size" in params:
            width, height = (int(v) for v in str(params["size"]).split("*"))
        else:
            width, height = dimensions(params.get("resolution") or params.get("target_resolution") or "720p", None)
        has_audio = bool(params.get("audio") or params.get("generate_audio"))
        head = (self._real_video(duration, width, height, has_audio) if self.real_media
                else fake_video(duration, width, height, has_audio=has_audio))
        total = max(len(head), sc.output_size)
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"video/mp4"), (b"content-length", str(total).encode())]})
        sent, limit = 0, sc.truncate_at if sc.truncate_at is not None else total
        zeros = bytes(CHUNK)
        while sent < total:
            piece = head[sent:sent + CHUNK] if sent < len(head) else zeros[:min(CHUNK, total - sent)]
            if sent + len(piece) > limit:
                await send({"type": "http.response.body", "body": piece[:limit - sent], "more_body": True})
                raise _BreakConnection("the download breaks off")
            sent += len(piece)
            await send({"type": "http.response.body", "body": piece, "more_body": sent < total})

    def _real_video(self, duration: float, width: int, height: int, has_audio: bool) -> bytes:
        key = (duration, width, height, has_audio)
        if key not in self._real:
            import tempfile
            from pathlib import Path

            from tests.samples import mp4

            with tempfile.TemporaryDirectory() as work:
                self._real[key] = mp4(Path(work) / "out.mp4", duration, width, height, audio=has_audio).read_bytes()
        return self._real[key]

    async def _ticket(self, body: bytes, send: Send) -> None:
        if self.faults.ticket_status is not None:
            return await _json(send, self.faults.ticket_status, {"code": self.faults.ticket_status,
                                                                 "message": "not available"})
        request = json.loads(body)
        token = uuid.uuid4().hex
        name = f"{token}-{request['filename']}"
        await _json(send, 200, _envelope({
            "type": request.get("content_type", "").split("/")[0] or "file", "filename": request["filename"],
            "size": request["size"], "download_url": f"{self.url}/_media/{name}",
            "upload": {"method": "PUT", "url": f"{self.url}/_storage/{name}",
                       "headers": {"Content-Type": request.get("content_type", "application/octet-stream"),
                                   "x-upload-token": token}},
        }))

    async def _put_upload(self, name: str, headers: dict[str, str], receive: Receive, send: Send) -> None:
        body = await _body(receive)
        token = name.split("-", 1)[0]
        if self.faults.put_status is not None:
            return await _respond(send, self.faults.put_status, b"<Error>SignatureDoesNotMatch</Error>", "text/xml")
        if "authorization" in headers or headers.get("x-upload-token") != token:
            return await _respond(send, 400, b"<Error>unexpected or missing headers</Error>", "text/xml")
        self.uploads[name] = body
        await _respond(send, 200, b"", "text/plain")

    async def _binary_upload(self, headers: dict[str, str], body: bytes, send: Send) -> None:
        boundary = headers.get("content-type", "").partition("boundary=")[2].encode()
        start = body.find(b"\r\n\r\n")
        end = body.rfind(b"\r\n--" + boundary + b"--")
        if not boundary or start < 0 or end < 0 or b'name="file"' not in body[:start]:
            return await _json(send, 400, {"code": 400, "message": "a multipart field `file` is required"})
        name = f"{uuid.uuid4().hex}-binary"
        self.uploads[name] = body[start + 4:end]
        await _json(send, 200, _envelope({"type": "file", "download_url": f"{self.url}/_media/{name}",
                                          "filename": name, "size": end - start - 4}))

    # -- webhooks --------------------------------------------------------------------------------

    async def _finish_later(self, task: Task) -> None:
        await asyncio.sleep(task.scenario.after or 0)
        status = self._status(task)
        if task.webhook and status in ("completed", "failed") and not task.delivered:
            await self._deliver(task, status)

    async def _deliver(self, task: Task, status: str) -> None:
        task.delivered = True
        body = json.dumps(self._prediction(task, status)).encode()
        webhook_id, timestamp = f"msg_{uuid.uuid4().hex}", str(int(time.time()))
        headers = {"content-type": "application/json", "webhook-id": webhook_id, "webhook-timestamp": timestamp,
                   "webhook-signature": "v3," + signature(self.signing_secret, webhook_id, timestamp, body)}
        async with httpx.AsyncClient(timeout=5) as client:
            with contextlib.suppress(httpx.HTTPError):
                await client.post(task.webhook, content=body, headers=headers)

    def _spawn(self, coroutine: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def stats(self) -> dict[str, Any]:
        return {"submissions": self.submission_count, "polls": dict(self.polls), "connections": len(self.connections)}

    def with_default(self, **changes: Any) -> WaveSpeedEmulator:
        self.default = replace(self.default, **changes)
        return self


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse_time(value: Any) -> datetime | None:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None


def _instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def _envelope(data: dict[str, Any]) -> dict[str, Any]:
    return {"code": 200, "message": "success", "data": data}


async def _body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


async def _respond(send: Send, status: int, body: bytes, content_type: str,
                   headers: list[tuple[bytes, bytes]] | None = None) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type.encode()), (b"content-length", b"%d" % len(body)),
                            *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


async def _json(send: Send, status: int, body: dict[str, Any]) -> None:
    await _respond(send, status, json.dumps(body).encode(), "application/json")


def emulator_environment(emulator: WaveSpeedEmulator, **extra: str) -> dict[str, str]:
    """The environment that points videoforge (the container, later the CLI) at the emulator."""
    return {"WAVESPEED_API_KEY": emulator.api_key, "VIDEOFORGE_WAVESPEED_BASE_URL": emulator.url,
            "VIDEOFORGE_ALLOW_PRIVATE_URLS": "true", "VIDEOFORGE_FAKE_PROVIDERS": "false",
            "VIDEOFORGE_POLL_INTERVAL": "0.02", "VIDEOFORGE_WAVESPEED_READ_ATTEMPTS": "3",
            "VIDEOFORGE_WAVESPEED_READ_TIMEOUT": "1", **extra}


def main() -> None:
    """`python -m tests.emulators.wavespeed [--after S] [--polls N] [--output-size B] [--real-media] [--submit HOW]`:
    serve on an
    ephemeral loopback port, print the URL, stop when stdin closes. Counts at GET /_emulator/stats."""
    import argparse
    import sys

    parser = argparse.ArgumentParser()
    parser.add_argument("--api-key", default="ws-emulator-key")
    parser.add_argument("--after", type=float, default=None, help="tasks complete this many seconds after submit")
    parser.add_argument("--polls", type=int, default=1, help="or after this many result reads")
    parser.add_argument("--output-size", type=int, default=0)
    parser.add_argument("--real-media", action="store_true", help="serve real H.264 MP4s (made once per shape)")
    parser.add_argument("--submit", default="answer", help="how submissions are answered (Scenario.submit)")
    args = parser.parse_args()
    emulator = WaveSpeedEmulator(api_key=args.api_key)
    emulator.keep_requests = False
    emulator.real_media = args.real_media
    emulator.default = Scenario.succeed(args.polls, after=args.after, output_size=args.output_size,
                                        submit=args.submit)
    with emulator:
        print(emulator.url, flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
