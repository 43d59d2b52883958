from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from videoforge.adapters.http.schemas import WITH_BODY, Usd, errors
from videoforge.application.use_cases import UseCases, UserPlan
from videoforge.domain import Plan


class PlanOut(BaseModel):
    name: str
    video_calls_limit: int = Field(description="videos per billing period; 0 = unlimited")
    monthly_cost_limit: Usd = Field(description="US dollars per billing period; 0 = unlimited")
    concurrent_jobs: int = Field(description="jobs in flight at once; 0 = unlimited")
    upload_count_limit: int = Field(0, description="uploads kept at once; 0 = unlimited")
    upload_bytes_limit: int = Field(0, description="bytes of uploads kept at once; 0 = unlimited")


class PlansOut(BaseModel):
    default: str = Field(description="the plan of a user nobody assigned one")
    plans: list[PlanOut]


class UserPlanOut(BaseModel):
    user_id: str
    plan: PlanOut
    assigned: bool | None = Field(description="true: assigned; false: the default plan; null: the host decides")


class AssignPlanIn(BaseModel):
    plan: str = Field(description="a plan name of GET /admin/plans")


def plan_out(plan: Plan) -> PlanOut:
    return PlanOut(name=plan.name, video_calls_limit=plan.video_calls_limit,
                   monthly_cost_limit=plan.monthly_cost_limit.usd,
                   concurrent_jobs=plan.concurrent_jobs, upload_count_limit=plan.upload_count_limit,
                   upload_bytes_limit=plan.upload_bytes_limit)


def user_plan_out(found: UserPlan) -> UserPlanOut:
    return UserPlanOut(user_id=found.user_id, plan=plan_out(found.plan), assigned=found.assigned)


def plans_router(use_cases: UseCases, Admin: Any) -> APIRouter:
    """Plans and who is on which, for admins (a token claim or a configured subject; others get 403)."""
    router = APIRouter(prefix="/admin", tags=["admin"])

    @router.get("/plans", response_model=PlansOut, responses=errors(401, 403, 409, 500, 503),
                summary="Every plan, and the default")
    async def list_plans(admin: Admin) -> PlansOut:
        found = await use_cases.list_plans()()
        return PlansOut(default=found.default.name, plans=[plan_out(p) for p in found.plans])

    @router.get("/users/{user_id}/plan", response_model=UserPlanOut, responses=errors(401, 403, 422, 500, 503),
                summary="A user's plan now")
    async def show_plan(user_id: str, admin: Admin) -> UserPlanOut:
        return user_plan_out(await use_cases.show_plan()(user_id))

    @router.put("/users/{user_id}/plan", response_model=UserPlanOut,
                responses=errors(401, 403, 409, 422, 500, 503, *WITH_BODY), summary="Put a user on a plan")
    async def assign_plan(user_id: str, body: AssignPlanIn, admin: Admin) -> UserPlanOut:
        return user_plan_out(await use_cases.assign_plan()(user_id, body.plan, by=admin))

    return router
