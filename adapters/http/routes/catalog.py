from typing import Any

from fastapi import APIRouter

from videoforge.adapters.http.inputs import video_request
from videoforge.adapters.http.schemas import (
    AUTHENTICATED,
    WITH_BODY,
    CreateJobIn,
    EstimateOut,
    ModelOut,
    OperationIn,
    PreflightOut,
    errors,
    model_out,
    usage_info_out,
)
from videoforge.application.use_cases import UseCases


def catalog_router(use_cases: UseCases, User: Any) -> APIRouter:
    """What can run here and what a job would cost; nothing is reserved or sent."""
    router = APIRouter()

    @router.get("/models", response_model=list[ModelOut], responses=errors(422),
                summary="The model catalog with prices")
    async def models(operation: OperationIn | None = None) -> list[ModelOut]:
        return [model_out(m) for m in await use_cases.list_models()(operation)]

    @router.post("/estimate", response_model=EstimateOut, responses=errors(*AUTHENTICATED, *WITH_BODY),
                 summary="What a job would cost (nothing is reserved)")
    async def estimate(body: CreateJobIn, user_id: User) -> EstimateOut:
        e = await use_cases.estimate_cost()(await video_request(body, user_id, use_cases.load_input))
        return EstimateOut(model=e.model.id, cost=e.cost.usd, billed_seconds=e.billed_seconds,
                           resolution=e.resolution, duration=e.duration, allowed=e.allowed,
                           usage_info=usage_info_out(e.quota.usage_info))

    @router.post("/preflight", response_model=PreflightOut, responses=errors(*AUTHENTICATED, *WITH_BODY),
                 summary="Whether your plan allows a job now")
    async def preflight(body: CreateJobIn, user_id: User) -> PreflightOut:
        e = await use_cases.estimate_cost()(await video_request(body, user_id, use_cases.load_input))
        return PreflightOut(allowed=e.allowed, cost=e.cost.usd, message=e.quota.reason,
                            usage_info=usage_info_out(e.quota.usage_info))

    return router
