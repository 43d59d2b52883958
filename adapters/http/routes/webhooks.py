from collections.abc import Awaitable, Callable, Mapping

from fastapi import APIRouter, Request

from videoforge.adapters.http.schemas import WITH_BODY, WebhookOut, errors
from videoforge.application.ports import JobDispatcher, JobNotFoundError
from videoforge.application.use_cases import UseCases

WebhookVerify = Callable[[Mapping[str, str], bytes, Mapping[str, str]], Awaitable[str | None]]
"""Checks a provider's delivery (headers, raw body, query parameters); returns the provider's task
id, None for a delivery already handled, or raises WebhookRejectedError."""

_RESPONSES = errors(400, 404, *WITH_BODY, 500, 503)


class WebhookRejectedError(Exception):
    """A delivery that is not genuine (signature, age, replay, body)."""


def webhooks_router(use_cases: UseCases, dispatcher: JobDispatcher,
                    verifiers: Mapping[str, WebhookVerify]) -> APIRouter:
    """Providers' signed task notifications, one verifier per provider: the job owning the task is
    driven now, not at its next poll. A delivery for a finished or unknown task changes nothing."""
    router = APIRouter()

    async def receive(provider: str, request: Request) -> WebhookOut:
        verify = verifiers.get(provider)
        if verify is None:
            raise JobNotFoundError(f"no webhooks for {provider!r} here (configured: "
                                   f"{', '.join(sorted(verifiers)) or 'none'})")
        task_id = await verify(dict(request.headers), await request.body(), dict(request.query_params))
        if task_id is None:
            return WebhookOut(accepted=True, duplicate=True)
        owner = await use_cases.handle_webhook().owner(provider, task_id)
        if owner is not None:
            await dispatcher.dispatch(owner.id)  # drive it now rather than at its next poll
        return WebhookOut(accepted=True, job_id=owner.id if owner else None)

    @router.post("/webhooks/wavespeed", response_model=WebhookOut, responses=_RESPONSES,
                 summary="WaveSpeed task notifications (signed; the path before the generic route)")
    async def wavespeed_webhook(request: Request) -> WebhookOut:
        return await receive("wavespeed", request)

    @router.post("/webhooks/{provider}", response_model=WebhookOut, responses={**_RESPONSES, **errors(422)},
                 summary="A provider's task notifications (signed), checked by that provider's verifier")
    async def provider_webhook(provider: str, request: Request) -> WebhookOut:
        return await receive(provider, request)

    return router
