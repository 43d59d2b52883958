import asyncio
import base64
import binascii
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, File, Form, Header, Query, Request, UploadFile
from fastapi.responses import JSONResponse, StreamingResponse

from videoforge.adapters.http.auth import AuthError, JwtVerifier
from videoforge.adapters.http.runner import BackgroundRunner
from videoforge.adapters.http.schemas import (
    AssetOut,
    CreateJobIn,
    ErrorOut,
    EstimateOut,
    ModelOut,
    PreflightOut,
    QuotaErrorOut,
    TaskCreatedOut,
    TaskOut,
    UploadOut,
    UsageOut,
    WebhookOut,
    asset_out,
    model_out,
    task_out,
    usage_out,
)
from videoforge.application.errors import JobNotCancellableError
from videoforge.application.ports import AssetNotFoundError, JobNotFoundError
from videoforge.application.use_cases import (
    CancelJob,
    EstimateCost,
    GetAsset,
    GetJob,
    GetUsage,
    HandleProviderWebhook,
    ListAssets,
    ListJobs,
    ListModels,
    LoadInput,
    OpenAssetFile,
    ResumeJobs,
    RunJob,
    SaveUpload,
    SubmitVideo,
)
from videoforge.domain import InvalidRequestError, MediaInput, MediaKind, QuotaExceededError, VideoRequest
from videoforge.domain.media import sniff_content_type

PREFIX = "/api/video"
log = logging.getLogger("videoforge.http")
WebhookVerify = Callable[[Mapping[str, str], bytes], Awaitable[str | None]]
"""Checks a provider's delivery; returns the provider's task id, None for a repeat, or raises
WebhookRejectedError."""


class WebhookRejectedError(Exception):
    """A delivery that is not genuine (signature, age, body)."""


@dataclass(frozen=True)
class ApiUseCases:
    """Factories of the use cases the API calls (bootstrap passes the container's)."""

    submit: Callable[[], SubmitVideo]
    run: Callable[[], RunJob]
    resume: Callable[[], ResumeJobs]
    get_job: Callable[[], GetJob]
    list_jobs: Callable[[], ListJobs]
    cancel: Callable[[], CancelJob]
    estimate: Callable[[], EstimateCost]
    list_models: Callable[[], ListModels]
    get_asset: Callable[[], GetAsset]
    list_assets: Callable[[], ListAssets]
    open_file: Callable[[], OpenAssetFile]
    save_upload: Callable[[], SaveUpload]
    load_input: Callable[[], LoadInput]
    usage: Callable[[], GetUsage]
    webhook: Callable[[], HandleProviderWebhook]


ERRORS = {401: {"model": ErrorOut, "description": "no valid bearer token"},
          404: {"model": ErrorOut, "description": "no such job or asset of yours"},
          422: {"model": ErrorOut, "description": "a field is not allowed; names it and what is allowed"}}


def create_app(api: ApiUseCases, verifier: JwtVerifier, *, webhook: WebhookVerify | None = None,
               resume_on_startup: bool = False, resume_every: float | None = None,
               resources: Callable[[], AbstractAsyncContextManager[Any]] | None = None) -> FastAPI:
    """The HTTP API. Jobs created here run in the background of this process. With
    `resume_on_startup`, unfinished jobs are resumed when the app starts, and with
    `resume_every` (seconds) again and again, so that a job left unfinished by a passing fault
    (a deadline, an unreadable provider) is finished without a restart. `resources` is entered
    for the app's lifetime (the container's clients and pools)."""
    runner = BackgroundRunner(lambda job_id: api.run()(job_id))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            if resources is not None:
                await stack.enter_async_context(resources())
            if resume_on_startup:
                runner.spawn(resume_loop(), "videoforge-resume")
            try:
                yield
            finally:
                await runner.stop()

    async def resume_loop() -> None:
        while True:
            report = await api.resume()(exclude=runner.job_ids)
            if report.errors:
                log.warning("resume left %d job(s) unfinished", len(report.errors))
            if not resume_every:
                return
            await asyncio.sleep(resume_every)

    app = FastAPI(title="videoforge", version="0.1.0", lifespan=lifespan,
                  description="Every AI video generation through one pipeline: priced, reserved, durable, stored.")
    app.state.runner = runner

    def user(authorization: Annotated[str | None, Header()] = None) -> str:
        return verifier.user_id(authorization)

    User = Annotated[str, Depends(user)]
    router = APIRouter(prefix=PREFIX, responses=ERRORS)

    async def build_request(body: CreateJobIn, user_id: str) -> VideoRequest:
        inputs: dict[str, MediaInput] = {}
        for kind in MediaKind:
            ref = getattr(body.inputs, kind.value)
            if ref is None:
                continue
            if ref.data_base64 is not None:
                try:
                    data = base64.b64decode(ref.data_base64, validate=True)
                except (binascii.Error, ValueError):
                    raise InvalidRequestError(f"inputs.{kind.value}.data_base64", "is not valid base64") from None
                inputs[kind.value] = MediaInput.from_bytes(kind, data, ref.content_type or sniff_content_type(data))
            else:
                inputs[kind.value] = await api.load_input()(user_id, kind, upload_id=ref.upload_id,
                                                            asset_id=ref.asset_id)
        fields = body.model_dump(exclude={"inputs"})
        return VideoRequest(user_id=user_id, source_module="api", **fields, **inputs)

    @router.post("/jobs", status_code=202, response_model=TaskCreatedOut,
                 responses={429: {"model": QuotaErrorOut, "description": "the plan's quota would be exceeded"}},
                 summary="Create a video job (any operation); it runs in the background")
    async def create_job(body: CreateJobIn, user_id: User) -> TaskCreatedOut:
        job = await api.submit()(await build_request(body, user_id))
        runner.start(job.id)
        return TaskCreatedOut(task_id=job.id, message=f"Video generation started. Poll {PREFIX}/jobs/{job.id}.")

    @router.get("/jobs", response_model=list[TaskOut], summary="Your jobs, newest first")
    async def list_jobs(user_id: User, limit: Annotated[int, Query(ge=1, le=200)] = 50,
                        offset: Annotated[int, Query(ge=0)] = 0) -> list[TaskOut]:
        return [await _task(job) for job in await api.list_jobs()(user_id, limit=limit, offset=offset)]

    async def _task(job) -> TaskOut:
        asset = await api.get_asset()(job.asset_id, job.user_id) if job.asset_id else None
        return task_out(job, asset, PREFIX)

    @router.get("/jobs/{task_id}", response_model=TaskOut, summary="A job's status (legacy task shape)")
    async def get_job(task_id: str, user_id: User) -> TaskOut:
        return await _task(await api.get_job()(task_id, user_id))

    @router.post("/jobs/{task_id}/cancel", response_model=TaskOut,
                 responses={409: {"model": ErrorOut, "description": "the job can no longer be cancelled"}})
    async def cancel_job(task_id: str, user_id: User) -> TaskOut:
        return await _task(await api.cancel()(task_id, user_id))

    @router.post("/uploads", response_model=UploadOut, status_code=201, summary="Upload an input file")
    async def upload(user_id: User, kind: Annotated[MediaKind, Form()],
                     file: Annotated[UploadFile, File()]) -> UploadOut:
        async def chunks() -> AsyncIterator[bytes]:
            while chunk := await file.read(1024 * 1024):
                yield chunk

        saved = await api.save_upload()(user_id, kind, chunks(), file.content_type or "application/octet-stream")
        return UploadOut(upload_id=saved.id, kind=saved.kind.value, content_type=saved.content_type, size=saved.size)

    @router.get("/assets", response_model=list[AssetOut], summary="Your video library, newest first")
    async def list_assets(user_id: User, limit: Annotated[int, Query(ge=1, le=200)] = 50,
                          offset: Annotated[int, Query(ge=0)] = 0,
                          source_module: str | None = None) -> list[AssetOut]:
        assets = await api.list_assets()(user_id, limit=limit, offset=offset, source_module=source_module)
        return [asset_out(a, PREFIX) for a in assets]

    @router.get("/assets/{asset_id}", response_model=AssetOut)
    async def get_asset(asset_id: str, user_id: User) -> AssetOut:
        return asset_out(await api.get_asset()(asset_id, user_id), PREFIX)

    @router.get("/assets/{asset_id}/video", response_class=StreamingResponse,
                responses={200: {"content": {"video/mp4": {}}}, 206: {"description": "the requested byte range"},
                           416: {"model": ErrorOut}}, summary="The video file; supports Range")
    async def video(asset_id: str, user_id: User, range: Annotated[str | None, Header()] = None):
        return await _file(asset_id, user_id, range, thumbnail=False)

    @router.get("/assets/{asset_id}/thumbnail", response_class=StreamingResponse,
                responses={200: {"content": {"image/jpeg": {}}}})
    async def thumbnail(asset_id: str, user_id: User):
        return await _file(asset_id, user_id, None, thumbnail=True)

    async def _file(asset_id: str, user_id: str, range_header: str | None, *, thumbnail: bool):
        asset = await api.get_asset()(asset_id, user_id)
        size = asset.file_size
        wanted = parse_range(range_header, size) if range_header and not thumbnail else None
        start, end = wanted or (0, None)
        opened = await api.open_file()(asset_id, user_id, thumbnail=thumbnail, start=start, end=end)
        headers = {"Accept-Ranges": "bytes", "Content-Length": str(opened.end - opened.start)}
        if wanted is not None:
            headers["Content-Range"] = f"bytes {opened.start}-{opened.end - 1}/{opened.size}"
            return StreamingResponse(opened.chunks, status_code=206, media_type=opened.content_type, headers=headers)
        return StreamingResponse(opened.chunks, media_type=opened.content_type, headers=headers)

    @router.get("/models", response_model=list[ModelOut], summary="The model catalog with prices")
    async def models(operation: str | None = None) -> list[ModelOut]:
        return [model_out(m) for m in await api.list_models()(operation)]

    @router.post("/estimate", response_model=EstimateOut, summary="What a job would cost (nothing is reserved)")
    async def estimate(body: CreateJobIn, user_id: User) -> EstimateOut:
        e = await api.estimate()(await build_request(body, user_id))
        return EstimateOut(model=e.model.id, cost=e.cost.as_float(), billed_seconds=e.billed_seconds,
                           resolution=e.resolution, duration=e.duration, allowed=e.allowed,
                           usage_info=e.quota.usage_info)

    @router.post("/preflight", response_model=PreflightOut, summary="Whether your plan allows a job now")
    async def preflight(body: CreateJobIn, user_id: User) -> PreflightOut:
        e = await api.estimate()(await build_request(body, user_id))
        return PreflightOut(allowed=e.allowed, cost=e.cost.as_float(), message=e.quota.reason,
                            usage_info=e.quota.usage_info)

    @router.get("/usage", response_model=UsageOut, summary="Your usage this billing period")
    async def usage(user_id: User) -> UsageOut:
        return usage_out(await api.usage()(user_id))

    @router.post("/webhooks/wavespeed", response_model=WebhookOut, summary="WaveSpeed task notifications (signed)",
                 responses={400: {"model": ErrorOut, "description": "not a genuine delivery"},
                            404: {"model": ErrorOut, "description": "webhooks are not configured"}})
    async def wavespeed_webhook(request: Request) -> WebhookOut:
        if webhook is None:
            raise JobNotFoundError("webhooks are not configured here (VIDEOFORGE_WAVESPEED_WEBHOOK_SECRET)")
        task_id = await webhook(dict(request.headers), await request.body())
        if task_id is None:
            return WebhookOut(accepted=True, duplicate=True)
        owner = await api.webhook().owner("wavespeed", task_id)
        if owner is not None:
            runner.start(owner.id)  # drive it now rather than at its next poll
        return WebhookOut(accepted=True, job_id=owner.id if owner else None)

    app.include_router(router)

    @app.get("/health", summary="Liveness")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "running_jobs": runner.running}

    install_error_handlers(app)
    return app


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """One `bytes=a-b`, `bytes=a-` or `bytes=-n` range -> (start, end exclusive). Anything else
    (other units, several ranges, last < first) is ignored and the whole file is served, as
    RFC 9110 says; a valid range wholly past the end is 416."""
    match = _RANGE.match(header.strip())
    if not match or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if first == "":
        if int(last) == 0:
            raise RangeNotSatisfiableError(header, size)
        return max(size - int(last), 0), size
    start = int(first)
    if last != "" and int(last) < start:
        return None
    if start >= size:
        raise RangeNotSatisfiableError(header, size)
    return start, size if last == "" else min(int(last) + 1, size)


class RangeNotSatisfiableError(Exception):
    def __init__(self, header: str, size: int):
        self.size = size
        super().__init__(f"range {header} is outside the {size}-byte file")


def install_error_handlers(app: FastAPI) -> None:
    def body(error: str, message: str, **extra: Any) -> dict[str, Any]:
        return {"error": error, "message": message, **extra}

    @app.exception_handler(AuthError)
    async def unauthorised(_: Request, e: AuthError) -> JSONResponse:
        return JSONResponse(body("unauthorized", str(e)), status_code=401, headers={"WWW-Authenticate": "Bearer"})

    @app.exception_handler(InvalidRequestError)
    async def invalid(_: Request, e: InvalidRequestError) -> JSONResponse:
        allowed = [str(a) for a in e.allowed] if e.allowed is not None else None
        return JSONResponse(body("invalid_request", str(e), field=e.field, allowed=allowed), status_code=422)

    @app.exception_handler(QuotaExceededError)
    async def quota(_: Request, e: QuotaExceededError) -> JSONResponse:
        return JSONResponse(body(str(e), str(e), provider="video", usage_info=e.usage_info), status_code=429)

    @app.exception_handler(JobNotFoundError)
    @app.exception_handler(AssetNotFoundError)
    async def not_found(_: Request, e: Exception) -> JSONResponse:
        return JSONResponse(body("not_found", str(e)), status_code=404)

    @app.exception_handler(WebhookRejectedError)
    async def rejected(_: Request, e: WebhookRejectedError) -> JSONResponse:
        return JSONResponse(body("invalid_webhook", str(e)), status_code=400)

    @app.exception_handler(JobNotCancellableError)
    async def conflict(_: Request, e: JobNotCancellableError) -> JSONResponse:
        return JSONResponse(body("not_cancellable", str(e)), status_code=409)

    @app.exception_handler(RangeNotSatisfiableError)
    async def bad_range(_: Request, e: RangeNotSatisfiableError) -> JSONResponse:
        return JSONResponse(body("range_not_satisfiable", str(e)), status_code=416,
                            headers={"Content-Range": f"bytes */{e.size}"})
