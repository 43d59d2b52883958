"""`GET /api/video/jobs/{id}/events`: a job's changes as Server-Sent Events (and
`GET /api/video/jobs/{id}/callback`: how its callback delivery went).

Each event is named `status` (the job changed status), `progress`, or at the end `result` /
`error` (carrying the whole task shape); its `id` is the job's version after that change, so a
client that reconnects with `Last-Event-ID` gets every change after the last one it saw. The
events come from the database (each save of the job writes one), so they follow a job whichever
process runs it. A comment line is sent when nothing changed for a while (keeps proxies open)."""

import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header
from fastapi.responses import StreamingResponse

from videoforge.adapters.http.routes.jobs import task
from videoforge.adapters.http.schemas import AUTHENTICATED, CallbackOut, errors, legacy_status
from videoforge.application.use_cases import UseCases
from videoforge.domain.errors import InvalidRequestError
from videoforge.domain.events import JobEvent

RECONNECT_MS = 1000
HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def events_router(use_cases: UseCases, User: Any) -> APIRouter:
    router = APIRouter()

    @router.get("/jobs/{task_id}/events", response_class=StreamingResponse,
                responses={200: {"content": {"text/event-stream": {}},
                                 "description": "progress, status changes, then the result or error"},
                           **errors(*AUTHENTICATED, 404)},
                summary="Follow a job as Server-Sent Events (resumable with Last-Event-ID)")
    async def job_events(task_id: str, user_id: User,
                         last_event_id: Annotated[str | None, Header()] = None) -> StreamingResponse:
        stream = await use_cases.watch_job()(task_id, user_id, after=_version(last_event_id))
        return StreamingResponse(_sse(use_cases, user_id, stream), media_type="text/event-stream", headers=HEADERS)

    @router.get("/jobs/{task_id}/callback", response_model=CallbackOut | None, responses=errors(*AUTHENTICATED, 404),
                summary="The job's callback delivery (null before it ends, or without a callback_url)")
    async def job_callback(task_id: str, user_id: User) -> CallbackOut | None:
        d = await use_cases.get_callback_delivery()(task_id, user_id)
        return None if d is None else CallbackOut(
            url=d.url, webhook_id=d.message_id, state=d.state.value, attempts=d.attempts, last_status=d.last_status,
            last_error=d.last_error, created_at=d.created_at, updated_at=d.updated_at)

    return router


def _version(last_event_id: str | None) -> int:
    if last_event_id is None or last_event_id.strip() == "":
        return 0
    try:
        return max(int(last_event_id), 0)
    except ValueError:
        raise InvalidRequestError("Last-Event-ID", "must be the id of an event of this stream (a number)",
                                  value=last_event_id) from None


async def _sse(use_cases: UseCases, user_id: str, stream: AsyncIterator[JobEvent | None]) -> AsyncIterator[str]:
    yield f"retry: {RECONNECT_MS}\n\n"
    previous: JobEvent | None = None
    async for event in stream:
        if event is None:
            yield ": still running\n\n"
            continue
        kind = event.kind(previous)
        data = await _data(use_cases, user_id, event) if event.final else _change(event)
        yield f"id: {event.version}\nevent: {kind}\ndata: {json.dumps(data, default=str)}\n\n"
        previous = event


def _change(event: JobEvent) -> dict[str, Any]:
    return {"task_id": event.job_id, "status": legacy_status(event.status), "state": event.status.value,
            "progress": event.progress, "message": event.message, "updated_at": event.at.isoformat()}


async def _data(use_cases: UseCases, user_id: str, event: JobEvent) -> dict[str, Any]:
    """The end: the task shape, as `GET /jobs/{id}` shows it."""
    return (await task(use_cases, await use_cases.get_job()(event.job_id, user_id))).model_dump(mode="json")
