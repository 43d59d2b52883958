from collections.abc import Awaitable, Callable, Mapping

from fastapi import APIRouter, Request

from videoforge.adapters.http.schemas import ErrorOut, WebhookOut
from videoforge.application.ports import JobDispatcher, JobNotFoundError
from videoforge.application.use_cases import UseCases

WebhookVerify = Callable[[Mapping[str, str], bytes], Awaitable[str | None]]
"""Checks a provider's delivery; returns the provider's task id, None for a repeat, or raises
WebhookRejectedError."""


class WebhookRejectedError(Exception):
    """A delivery that is not genuine (signature, age, body)."""


def webhooks_router(use_cases: UseCases, dispatcher: JobDispatcher, verify: WebhookVerify | None) -> APIRouter:
    """Providers' signed task notifications: the job owning the task is driven now, not at its next poll."""
    router = APIRouter()

    @router.post("/webhooks/wavespeed", response_model=WebhookOut, summary="WaveSpeed task notifications (signed)",
                 responses={400: {"model": ErrorOut, "description": "not a genuine delivery"},
                            404: {"model": ErrorOut, "description": "webhooks are not configured"}})
    async def wavespeed_webhook(request: Request) -> WebhookOut:
        if verify is None:
            raise JobNotFoundError("webhooks are not configured here (VIDEOFORGE_WAVESPEED_WEBHOOK_SECRET)")
        task_id = await verify(dict(request.headers), await request.body())
        if task_id is None:
            return WebhookOut(accepted=True, duplicate=True)
        owner = await use_cases.handle_webhook().owner("wavespeed", task_id)
        if owner is not None:
            await dispatcher.dispatch(owner.id)  # drive it now rather than at its next poll
        return WebhookOut(accepted=True, job_id=owner.id if owner else None)

    return router
