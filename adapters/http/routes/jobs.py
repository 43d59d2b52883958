from typing import Annotated, Any

from fastapi import APIRouter, Query

from videoforge.adapters.http.inputs import video_request
from videoforge.adapters.http.schemas import (
    AUTHENTICATED,
    PREFIX,
    WITH_BODY,
    CreateJobIn,
    TaskCreatedOut,
    TaskOut,
    errors,
    task_out,
)
from videoforge.application.ports import JobDispatcher
from videoforge.application.use_cases import UseCases
from videoforge.domain import VideoJob
from videoforge.domain.text import OFFSET_MAX


def jobs_router(use_cases: UseCases, dispatcher: JobDispatcher, User: Any) -> APIRouter:
    """Create, follow and cancel jobs; created jobs run in the background of this process."""
    router = APIRouter()

    @router.post("/jobs", status_code=202, response_model=TaskCreatedOut,
                 responses=errors(*AUTHENTICATED, *WITH_BODY, 402, 429),
                 summary="Create a video job (any operation); it runs in the background")
    async def create_job(body: CreateJobIn, user_id: User) -> TaskCreatedOut:
        job = await use_cases.submit_video()(await video_request(body, user_id, use_cases.load_input))
        await dispatcher.dispatch(job.id)
        return TaskCreatedOut(task_id=job.id, message=f"Video generation started. Poll {PREFIX}/jobs/{job.id}.")

    @router.get("/jobs", response_model=list[TaskOut], responses=errors(*AUTHENTICATED),
                summary="Your jobs, newest first")
    async def list_jobs(user_id: User, limit: Annotated[int, Query(ge=1, le=200)] = 50,
                        offset: Annotated[int, Query(ge=0, le=OFFSET_MAX)] = 0) -> list[TaskOut]:
        jobs = await use_cases.list_jobs()(user_id, limit=limit, offset=offset)
        return [await task(use_cases, job) for job in jobs]

    @router.get("/jobs/{task_id}", response_model=TaskOut, responses=errors(*AUTHENTICATED, 404),
                summary="A job's status (legacy task shape)")
    async def get_job(task_id: str, user_id: User) -> TaskOut:
        return await task(use_cases, await use_cases.get_job()(task_id, user_id))

    @router.post("/jobs/{task_id}/cancel", response_model=TaskOut,
                 responses=errors(*AUTHENTICATED, 404, 409))
    async def cancel_job(task_id: str, user_id: User) -> TaskOut:
        return await task(use_cases, await use_cases.cancel_job()(task_id, user_id))

    return router


async def task(use_cases: UseCases, job: VideoJob) -> TaskOut:
    """A job in the legacy task shape, with its video's links once it has one."""
    asset = await use_cases.get_asset()(job.asset_id, job.user_id) if job.asset_id else None
    return task_out(job, asset, PREFIX)
