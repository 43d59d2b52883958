from typing import Any

from fastapi import APIRouter

from videoforge.adapters.http.schemas import UsageOut, errors, usage_out
from videoforge.application.use_cases import UseCases


def usage_router(use_cases: UseCases, User: Any) -> APIRouter:
    """The caller's usage and plan limits."""
    router = APIRouter()

    @router.get("/usage", response_model=UsageOut, responses=errors(401, 500, 503),
                summary="Your usage this billing period")
    async def usage(user_id: User) -> UsageOut:
        return usage_out(await use_cases.get_usage()(user_id))

    return router
