"""The JSON the browser console needs beyond the other routes: who the caller is, where an asset
came from, and (admins) every user's spend against their plan. Proper API routes: documented in
the OpenAPI like the rest, usable by any client."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from videoforge.adapters.http.auth import AdminPolicy, Credentials, JwtVerifier, bearer_header
from videoforge.adapters.http.routes.plans import PlanOut, plan_out
from videoforge.adapters.http.schemas import (
    AUTHENTICATED,
    PREFIX,
    AssetOut,
    Usd,
    asset_out,
    errors,
)
from videoforge.application.use_cases import Lineage, UseCases, UserSpend
from videoforge.domain import JobStatus, MediaKind, OperationType
from videoforge.domain.catalog import Resolution
from videoforge.domain.text import OFFSET_MAX


class MeOut(BaseModel):
    user_id: str
    admin: bool = Field(description="whether the admin routes (/admin/...) answer this token")


class LineageInputOut(BaseModel):
    kind: MediaKind
    content_type: str
    size: int
    filename: str | None
    asset_id: str | None = Field(description="the library asset this input was, if it was one")


class LineageJobOut(BaseModel):
    task_id: str
    operation: OperationType
    provider: str
    model: str
    status: JobStatus
    prompt: str | None
    duration: int | None
    resolution: Resolution | None
    estimated_cost: Usd
    created_at: datetime


class LineageOut(BaseModel):
    """An asset, the job that made it (null when its record is gone), its inputs and, for inputs
    that were your assets, their own lineage (a few generations deep)."""

    asset: AssetOut
    job: LineageJobOut | None
    inputs: list[LineageInputOut]
    parents: list["LineageOut"]


class UserSpendOut(BaseModel):
    user_id: str
    video_calls: int
    video_cost: Usd
    plan: PlanOut


class SpendOut(BaseModel):
    period: str
    users: list[UserSpendOut] = Field(description="users billed in the period, the largest spend first")


def lineage_out(found: Lineage) -> LineageOut:
    job = found.job
    return LineageOut(
        asset=asset_out(found.asset, PREFIX),
        job=None if job is None else LineageJobOut(
            task_id=job.id, operation=job.request.operation.value, provider=job.provider, model=job.model,
            status=job.status.value, prompt=job.request.prompt, duration=job.request.duration,
            resolution=job.request.resolution, estimated_cost=job.estimated_cost.usd,
            created_at=job.created_at),
        inputs=[LineageInputOut(kind=m.kind.value, content_type=m.content_type, size=m.size, filename=m.filename,
                                asset_id=m.asset_id) for m in found.inputs],
        parents=[lineage_out(p) for p in found.parents])


def spend_out(row: UserSpend) -> UserSpendOut:
    return UserSpendOut(user_id=row.summary.user_id, video_calls=row.summary.video_calls,
                        video_cost=row.summary.video_cost.usd, plan=plan_out(row.plan))


def console_api_router(use_cases: UseCases, verifier: JwtVerifier, policy: AdminPolicy, User: Any,
                       Admin: Any) -> APIRouter:
    router = APIRouter()

    @router.get("/me", response_model=MeOut, tags=["session"], responses=errors(401),
                summary="Who your token is, and whether an admin")
    async def me(credentials: Credentials) -> MeOut:
        claims = verifier.claims(bearer_header(credentials))
        return MeOut(user_id=claims["sub"], admin=policy.admits(claims))

    @router.get("/assets/{asset_id}/lineage", response_model=LineageOut, tags=["assets"],
                responses=errors(*AUTHENTICATED, 404),
                summary="Where your asset came from: its job, inputs, model, cost and parent assets")
    async def asset_lineage(asset_id: str, user_id: User) -> LineageOut:
        return lineage_out(await use_cases.trace_lineage()(asset_id, user_id))

    @router.get("/admin/spend", response_model=SpendOut, tags=["admin"],
                responses=errors(401, 403, 422, 500, 503),
                summary="Every user's spend in a billing period (the current one by default), with their plan")
    async def list_spend(admin: Admin, period: str | None = None,
                         limit: Annotated[int, Query(ge=1, le=200)] = 50,
                         offset: Annotated[int, Query(ge=0, le=OFFSET_MAX)] = 0) -> SpendOut:
        report = await use_cases.list_spend()(period, limit=limit, offset=offset)
        return SpendOut(period=report.period, users=[spend_out(u) for u in report.users])

    return router
