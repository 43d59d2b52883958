from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from videoforge.application.use_cases import UsageReport
from videoforge.domain import Asset, JobStatus, ModelSpec, VideoJob


class InputRef(BaseModel):
    """An input file: an earlier upload, one of your assets (a video to enhance or extend), or inline base64."""

    upload_id: str | None = None
    asset_id: str | None = None
    data_base64: str | None = Field(None, description="small files only; prefer uploads")
    content_type: str | None = None


class Inputs(BaseModel):
    image: InputRef | None = None
    audio: InputRef | None = None
    video: InputRef | None = None


class CreateJobIn(BaseModel):
    operation: str = Field(description="text_to_video, image_to_video, avatar, enhance, extend, edit, face_swap, "
                                       "translate, remove_background, add_audio (legacy spellings too)")
    model: str | None = None
    prompt: str | None = None
    negative_prompt: str | None = None
    duration: int | None = None
    resolution: str | None = None
    aspect_ratio: str | None = None
    seed: int | None = None
    generate_audio: bool | None = None
    enable_prompt_expansion: bool | None = None
    options: dict[str, Any] = Field(default_factory=dict, description=(
        "the model's own settings (GET /models lists them): e.g. language for translate, start_time/end_time "
        "and replace for edit, target_gender/target_index for video-face-swap"))
    idempotency_key: str | None = None
    source_module: str = Field("api", description="your module asking: letters, digits, _ - . (at most 64)")
    callback_url: str | None = Field(None, description=(
        "https URL POSTed the task shape when the job ends, signed per Standard Webhooks (webhook-id, "
        "webhook-timestamp, webhook-signature); a public host, in your allow-list if the deployment sets one"))
    inputs: Inputs = Field(default_factory=Inputs)


class TaskCreatedOut(BaseModel):
    task_id: str
    status: Literal["pending"] = "pending"
    message: str


class TaskResult(BaseModel):
    video_url: str
    thumbnail_url: str | None
    asset_id: str
    cost: float
    duration: float | None
    model: str
    provider: str
    resolution: str | None
    width: int | None
    height: int | None


class AttemptOut(BaseModel):
    """One provider's try at the job, the current one last."""

    provider: str
    model: str
    provider_job_id: str | None
    # refused | cancelled_before_start | aborted | expired for earlier ones; the job's state for the current one
    outcome: str
    cost: float
    at: datetime


class TaskOut(BaseModel):
    """The legacy task shape, plus `state` (our exact job status) and the job's figures."""

    task_id: str
    status: Literal["pending", "processing", "completed", "failed", "cancelled", "unknown_outcome"] = Field(
        description="the legacy statuses, plus unknown_outcome: the submission's answer was lost; held for a person "
                    "to reconcile, never resubmitted")
    state: JobStatus = Field(description="our exact job status")
    progress: int
    message: str
    created_at: datetime
    updated_at: datetime
    model: str
    estimated_cost: float
    result: TaskResult | None = None
    error: str | None = None
    error_status: int | None = None
    error_data: dict[str, Any] | None = None
    attempts: list[AttemptOut] = []


_LEGACY_STATUS = {
    JobStatus.PENDING: "pending", JobStatus.SUBMITTING: "processing", JobStatus.PROCESSING: "processing",
    JobStatus.SAVING: "processing", JobStatus.COMPLETED: "completed", JobStatus.FAILED: "failed",
    JobStatus.CANCELLED: "cancelled", JobStatus.UNKNOWN_OUTCOME: "unknown_outcome",
}


def task_out(job: VideoJob, asset: Asset | None, base: str) -> TaskOut:
    out = TaskOut(task_id=job.id, status=_LEGACY_STATUS[job.status], state=job.status.value, progress=job.progress,
                  message=job.message, created_at=job.created_at, updated_at=job.updated_at, model=job.model,
                  estimated_cost=float(job.estimated_cost.usd),
                  attempts=[AttemptOut(provider=a.provider, model=a.model, provider_job_id=a.provider_job_id,
                                       outcome=a.outcome, cost=a.cost.as_float(), at=a.at) for a in job.history])
    if asset is not None:
        out.result = TaskResult(
            video_url=f"{base}/assets/{asset.id}/video",
            thumbnail_url=f"{base}/assets/{asset.id}/thumbnail" if asset.thumbnail_key else None,
            asset_id=asset.id, cost=asset.cost.as_float(), duration=asset.duration, model=asset.model,
            provider=asset.provider, resolution=job.request.resolution, width=asset.width, height=asset.height)
    elif job.error is not None:
        out.error = job.error.message
        out.error_status = 502
        out.error_data = {"code": job.error.code, "provider_code": job.error.provider_code,
                          "prediction_id": job.provider_job_id, "money_spent": job.money_spent}
    elif job.status is JobStatus.UNKNOWN_OUTCOME:
        out.error = job.message
        out.error_status = 409
        out.error_data = {"code": "unknown_outcome", "resume_available": False, "held_for_reconciliation": True}
    return out


class AssetOut(BaseModel):
    id: str
    job_id: str
    asset_type: str
    source_module: str
    filename: str
    file_url: str
    thumbnail_url: str | None
    file_size: int
    sha256: str
    mime_type: str
    prompt: str | None
    operation: str
    provider: str
    model: str
    cost: float
    duration: float | None
    width: int | None
    height: int | None
    fps: float | None
    codec: str | None
    has_audio: bool
    generation_time: float | None
    title: str | None
    tags: list[str]
    parent_asset_ids: list[str] = Field(default_factory=list, description="the assets this video was made from")
    created_at: datetime


def asset_out(asset: Asset, base: str) -> AssetOut:
    return AssetOut(
        id=asset.id, job_id=asset.job_id, asset_type=asset.asset_type, source_module=asset.source_module,
        filename=asset.filename, file_url=f"{base}/assets/{asset.id}/video",
        thumbnail_url=f"{base}/assets/{asset.id}/thumbnail" if asset.thumbnail_key else None,
        file_size=asset.file_size, sha256=asset.sha256, mime_type=asset.mime_type, prompt=asset.prompt,
        operation=asset.operation, provider=asset.provider, model=asset.model, cost=asset.cost.as_float(),
        duration=asset.duration, width=asset.width, height=asset.height, fps=asset.fps, codec=asset.codec,
        has_audio=asset.has_audio, generation_time=asset.generation_time, title=asset.title, tags=list(asset.tags),
        parent_asset_ids=list(asset.parent_asset_ids), created_at=asset.created_at)


class ModelOut(BaseModel):
    id: str
    name: str
    provider: str
    operation: str
    aliases: list[str]
    durations: list[int]
    resolutions: list[str]
    aspect_ratios: list[str]
    billed_from: str
    pricing: str
    inputs: list[str] = []
    options: dict[str, dict[str, Any]] = {}  # the model's own settings: type, choices, range, default
    verified: bool
    price_verified: bool
    source: str


def model_out(spec: ModelSpec) -> ModelOut:
    return ModelOut(**spec.summary())


class EstimateOut(BaseModel):
    model: str
    cost: float
    billed_seconds: float
    resolution: str
    duration: int | None
    allowed: bool
    usage_info: dict[str, Any] | None


class PreflightOut(BaseModel):
    allowed: bool
    cost: float
    message: str | None = None
    usage_info: dict[str, Any] | None = None


class UsageVideoOut(BaseModel):
    """One billed video of the period (a legacy `api_usage_logs` row)."""

    job_id: str
    model: str
    provider: str
    operation: str
    source_module: str
    cost: float
    billed_seconds: float
    created_at: datetime


class UsageOut(BaseModel):
    period: str
    video_calls: int
    video_cost: float
    total_calls: int
    total_cost: float
    plan: str
    video_calls_limit: int
    monthly_cost_limit: float
    reserved_calls: int
    reserved_cost: float
    videos: list[UsageVideoOut]


def usage_out(report: UsageReport) -> UsageOut:
    s, q = report.summary, report.quota
    return UsageOut(period=s.period, video_calls=s.video_calls, video_cost=s.video_cost.as_float(),
                    total_calls=s.total_calls, total_cost=s.total_cost.as_float(), plan=q.plan.name,
                    video_calls_limit=q.plan.video_calls_limit,
                    monthly_cost_limit=q.plan.monthly_cost_limit.as_float(), reserved_calls=q.usage.reserved_calls,
                    reserved_cost=q.usage.reserved_cost.as_float(),
                    videos=[UsageVideoOut(job_id=r.job_id, model=r.model, provider=r.provider, operation=r.operation,
                                          source_module=r.source_module, cost=r.cost.as_float(),
                                          billed_seconds=r.billed_seconds, created_at=r.created_at)
                            for r in report.videos])


class UploadOut(BaseModel):
    upload_id: str
    kind: str
    content_type: str
    size: int


class ErrorOut(BaseModel):
    error: str
    message: str
    field: str | None = None
    allowed: list[Any] | None = None


class QuotaErrorOut(BaseModel):
    error: str
    message: str
    provider: str
    usage_info: dict[str, Any]


class WebhookOut(BaseModel):
    accepted: bool
    duplicate: bool = False
    job_id: str | None = None


PREFIX = "/api/video"
"""Where the API lives; the URLs it hands out (task results, asset files) start with it."""

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "no valid bearer token"},
    404: {"model": ErrorOut, "description": "no such job or asset of yours"},
    422: {"model": ErrorOut, "description": "a field is not allowed; names it and what is allowed"},
}
"""The error answers every route of the API documents."""


def legacy_status(status: JobStatus) -> str:
    """The legacy task shape's `status` word for a job status."""
    return _LEGACY_STATUS[status]


class CallbackOut(BaseModel):
    """A job's callback delivery: one per finished job, its attempts recorded."""

    url: str
    webhook_id: str
    state: Literal["pending", "delivered", "failed"]
    attempts: int
    last_status: int | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime
