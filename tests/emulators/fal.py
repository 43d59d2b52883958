"""A fal queue API emulator: a real HTTP server on 127.0.0.1 (uvicorn, in a thread), serving both
ways in (adapters/fal/provider.py documents the protocol and its sources):

- direct: `Authorization: Key <fal_key>`, paths `/{model id}` and `/{owner}/{app}/requests/{id}[...]`;
- Hugging Face's router: `Authorization: Bearer <hf_token>`, the same paths under `/fal-ai`, with
  `?_subdomain=queue`.

Scenarios, scripted per submission: succeed (IN_QUEUE for `queue_polls` reads with a falling
queue position, then IN_PROGRESS with logs for `progress_polls`, then COMPLETED), error
(COMPLETED with `error`/`error_type` in the body), reject (422 on submit, nothing created),
submit_5xx_created / submit_5xx_nothing (503 on submit, after or without creating a request),
hang (IN_PROGRESS until cancelled), aborted (fal cancels the request itself once out of the queue),
server_error (COMPLETED, its result a 500: a server error fal never charges).
Webhooks: a submission's `fal_webhook` URL is kept, the emulator serves its own JWKS at
`/.well-known/jwks.json` and `delivery(request id)` builds the delivery fal would POST there,
signed with the emulator's ED25519 test key (or another key, an old timestamp, for the refusal
tests). A cancelled request reads COMPLETED and its result answers
HTTP 499 with status CANCELLED: an ASSUMPTION of this emulator (fal documents the cancel
answers, not what a cancelled request's result looks like), noted in the issue 13 report.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from videoforge.adapters.fakes import fake_video

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class FalScenario:
    # succeed | error | reject | submit_5xx_created | submit_5xx_nothing | hang | aborted (fal cancels it
    # itself after its queue polls: its result answers 499 CANCELLED) | server_error (its result is a 500)
    kind: str = "succeed"
    queue_polls: int = 0
    progress_polls: int = 1
    error: str = "content_policy_violation: the output was flagged"
    error_type: str = "content_policy_violation"


@dataclass
class FalRequest:
    id: str
    app: str
    model: str
    payload: dict[str, Any]
    scenario: FalScenario
    reads: int = 0
    cancelled: bool = False
    completed: bool = False
    webhook: str | None = None


class FalEmulator:
    def __init__(self, fal_key: str = "fal-test-key", hf_token: str = "hf_test_token"):
        self.fal_key = fal_key
        self.hf_token = hf_token
        self._script: list[FalScenario] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.requests: dict[str, FalRequest] = {}
        self.submissions = 0
        self.cancels: list[tuple[str, int, str]] = []
        self.routes: list[str] = []  # "direct" or "router", per authorised call
        self.real_media = False  # outputs are real MP4s (for the PyAV probe) instead of stand-ins
        self.signing_key = Ed25519PrivateKey.generate()
        self.user_id = "emulated-user"
        self.jwks_reads = 0
        self._real: bytes | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    def script(self, *scenarios: FalScenario) -> FalEmulator:
        with self._lock:
            self._script.extend(scenarios)
        return self

    def reset(self) -> None:
        with self._lock:
            self._script.clear()
            self.requests.clear()
            self.submissions = 0
            self.cancels.clear()
            self.routes.clear()
            self.real_media = False
            self.jwks_reads = 0

    @property
    def router_queue(self) -> str:
        return self.url + "/fal-ai"

    def start(self) -> FalEmulator:
        config = uvicorn.Config(self, host="127.0.0.1", port=0, log_level="critical", lifespan="off", http="h11",
                                loop="asyncio", timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="fal-emulator", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fal emulator did not start")
            time.sleep(0.01)
        self.url = f"http://127.0.0.1:{self._server.servers[0].sockets[0].getsockname()[1]}"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> FalEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the ASGI application ------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        method, path = scope["method"], scope["path"]
        query = {k: v[0] for k, v in parse_qs(scope.get("query_string", b"").decode()).items()}
        if path.startswith("/_outputs/"):
            return await _respond(send, 200, self._output(), "video/mp4")
        if path == "/.well-known/jwks.json":
            self.jwks_reads += 1
            return await _json(send, 200, jwks(self.signing_key))
        auth = headers.get("authorization", "")
        if auth == f"Key {self.fal_key}":
            route = "direct"
        elif auth == f"Bearer {self.hf_token}" and path.startswith("/fal-ai/") and query.get("_subdomain") == "queue":
            route, path = "router", path.removeprefix("/fal-ai")
        else:
            return await _json(send, 401, {"detail": "Unauthorized"})
        with self._lock:
            self.routes.append(route)
        parts = path.strip("/").split("/")
        if len(parts) >= 4 and parts[2] == "requests":
            return await self._request_call(method, "/".join(parts[:2]), parts[3], parts[4:], send)
        if method == "POST":
            return await self._submit("/".join(parts), await _body(receive), query.get("fal_webhook"), send)
        return await _json(send, 404, {"detail": "Not Found"})

    @property
    def jwks_url(self) -> str:
        return self.url + "/.well-known/jwks.json"

    def finish(self, request_id: str) -> None:
        """End a request now (as if its model finished), as a delivery would announce."""
        with self._lock:
            self.requests[request_id].completed = True

    def delivery(self, request_id: str, *, status: str = "OK", sent_at: float | None = None,
                 key: Ed25519PrivateKey | None = None, signed: bool = True) -> tuple[dict[str, str], bytes]:
        """The headers and body fal would POST to the request's webhook URL, signed as fal signs."""
        request = self.requests.get(request_id)
        payload = ({"video": {"url": f"{self.url}/_outputs/{request_id}.mp4", "content_type": "video/mp4"}}
                   if status == "OK" else {"detail": "the model failed"})
        body = json.dumps({"request_id": request_id, "gateway_request_id": request_id, "status": status,
                           "payload": payload, "error": None if status == "OK" else "the model failed"}).encode()
        stamp = str(int(sent_at if sent_at is not None else time.time()))
        message = "\n".join((request_id, self.user_id, stamp, hashlib.sha256(body).hexdigest())).encode()
        headers = {"x-fal-webhook-request-id": request_id, "x-fal-webhook-user-id": self.user_id,
                   "x-fal-webhook-timestamp": stamp,
                   "x-fal-webhook-signature": (key or self.signing_key).sign(message).hex()}
        if not signed:
            del headers["x-fal-webhook-signature"]
        assert request is None or request.webhook, "the submission named no webhook URL"
        return headers, body

    def _output(self) -> bytes:
        if not self.real_media:
            return fake_video(1.0, 64, 36)
        if self._real is None:
            import tempfile
            from pathlib import Path

            from tests.samples import mp4

            with tempfile.TemporaryDirectory() as work:
                self._real = mp4(Path(work) / "out.mp4", 1.0, 160, 90, audio=False).read_bytes()
        return self._real

    async def _submit(self, model: str, body: bytes, webhook: str | None, send: Send) -> None:
        with self._lock:
            self.submissions += 1
            scenario = self._script.pop(0) if self._script else FalScenario()
        if scenario.kind == "reject":
            return await _json(send, 422, {"detail": [{"loc": ["body", "prompt"], "msg": "field required"}]})
        if scenario.kind == "submit_5xx_nothing":
            return await _json(send, 503, {"detail": "Service Unavailable"})
        app = "/".join(model.split("/")[:2])
        request = FalRequest(f"req-{next(self._ids)}", app, model, json.loads(body or b"{}"), scenario,
                             webhook=webhook)
        with self._lock:
            self.requests[request.id] = request
        if scenario.kind == "submit_5xx_created":
            return await _json(send, 503, {"detail": "Service Unavailable"})
        base = f"{self.url}/{app}/requests/{request.id}"
        return await _json(send, 200, {"request_id": request.id, "status_url": base + "/status",
                                       "response_url": base, "cancel_url": base + "/cancel"})

    async def _request_call(self, method: str, app: str, request_id: str, rest: list[str], send: Send) -> None:
        request = self.requests.get(request_id)
        if request is None or request.app != app:
            if rest == ["cancel"]:
                self.cancels.append((request_id, 404, "NOT_FOUND"))
            return await _json(send, 404, {"status": "NOT_FOUND", "detail": "Request not found"})
        if method == "PUT" and rest == ["cancel"]:
            return await self._cancel(request, send)
        if method == "GET" and rest == ["status"]:
            return await _json(send, 200, self._status(request))
        if method == "GET" and not rest:
            return await self._result(request, send)
        return await _json(send, 405, {"detail": "Method Not Allowed"})

    def _status(self, request: FalRequest) -> dict[str, Any]:
        s = request.scenario
        if request.cancelled or request.completed:
            return {"status": "COMPLETED", "logs": []}
        request.reads += 1
        if request.reads <= s.queue_polls:
            return {"status": "IN_QUEUE", "queue_position": s.queue_polls - request.reads, "logs": None}
        if s.kind == "aborted":
            request.cancelled = True
            return {"status": "COMPLETED", "logs": []}
        step = request.reads - s.queue_polls
        logs = [{"message": f"generating frames ({step}/{s.progress_polls + 1})", "level": "INFO"},
                {"message": f"progress: {min(1.0, step / (s.progress_polls + 1)):.2f}", "level": "INFO"}]
        if s.kind == "hang" or request.reads <= s.queue_polls + s.progress_polls:
            return {"status": "IN_PROGRESS", "logs": logs}
        request.completed = True
        if s.kind == "error":
            return {"status": "COMPLETED", "logs": logs, "error": s.error, "error_type": s.error_type}
        return {"status": "COMPLETED", "logs": logs}

    async def _result(self, request: FalRequest, send: Send) -> None:
        if request.cancelled:
            return await _json(send, 499, {"status": "CANCELLED", "detail": "Request was cancelled"})
        if not request.completed:
            return await _json(send, 400, {"detail": "Request is still in progress"})
        if request.scenario.kind == "error":
            return await _json(send, 422, {"detail": request.scenario.error})
        if request.scenario.kind == "server_error":
            return await _json(send, 500, {"detail": "the runner crashed"})
        return await _json(send, 200, {"video": {"url": f"{self.url}/_outputs/{request.id}.mp4",
                                                 "content_type": "video/mp4"}, "seed": 42})

    async def _cancel(self, request: FalRequest, send: Send) -> None:
        if request.completed:
            self.cancels.append((request.id, 400, "ALREADY_COMPLETED"))
            return await _json(send, 400, {"status": "ALREADY_COMPLETED"})
        request.cancelled = True
        self.cancels.append((request.id, 202, "CANCELLATION_REQUESTED"))
        return await _json(send, 202, {"status": "CANCELLATION_REQUESTED"})


def jwks(*keys: Ed25519PrivateKey) -> dict[str, Any]:
    """A JWKS as fal publishes it: ED25519 public keys, base64url without padding."""
    def x(key: Ed25519PrivateKey) -> str:
        raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    return {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": x(k), "kid": f"test-{i}", "use": "sig"}
                     for i, k in enumerate(keys)]}


def fal_environment(emulator: FalEmulator, way: str = "router", **extra: str) -> dict[str, str]:
    """The environment that points videoforge at the emulator: through the router (HF_TOKEN) or direct."""
    credential = {"HF_TOKEN": emulator.hf_token} if way == "router" else {"FAL_KEY": emulator.fal_key}
    queue = emulator.router_queue if way == "router" else emulator.url
    return {**credential, "VIDEOFORGE_FAL_QUEUE_URL": queue, "VIDEOFORGE_ALLOW_PRIVATE_URLS": "true",
            "VIDEOFORGE_FAKE_PROVIDERS": "false", "VIDEOFORGE_POLL_INTERVAL": "0.02", **extra}


async def _body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if message["type"] == "http.disconnect" or not message.get("more_body"):
            return b"".join(chunks)


async def _respond(send: Send, status: int, body: bytes, content_type: str) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type.encode()), (b"content-length", b"%d" % len(body))]})
    await send({"type": "http.response.body", "body": body})


async def _json(send: Send, status: int, body: dict[str, Any]) -> None:
    await _respond(send, status, json.dumps(body).encode(), "application/json")


