from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, PlainSerializer, WithJsonSchema

from videoforge.application.use_cases import UsageReport
from videoforge.domain import Asset, BilledDuration, JobStatus, MediaKind, ModelSpec, OperationType, VideoJob
from videoforge.domain.callbacks import DeliveryState
from videoforge.domain.catalog import Resolution
from videoforge.domain.job import AttemptOutcome

MONEY_PATTERN = r"^[0-9]+(\.[0-9]{1,6})?$"
"""US dollars as the API writes them: a decimal string, at most six places, never a JSON number."""


def usd_text(amount: Decimal) -> str:
    """An exact amount as the API and the CLI write it: "0.2", "25", "0.005"."""
    return f"{amount.normalize():f}"


Usd = Annotated[Decimal, PlainSerializer(usd_text, return_type=str), WithJsonSchema(
    {"type": "string", "pattern": MONEY_PATTERN, "examples": ["0.25"],
     "description": "US dollars, exact: a decimal string (never a float)"})]
"""Money in the HTTP contract: a `Decimal` here, a decimal string on the wire."""


def _operation(value: Any) -> Any:
    # Our names and the legacy spellings ("text-to-video", "talking-avatar", "t2v"...) are the
    # domain's to read; what it refuses is a 422 naming `operation` and the allowed names.
    return OperationType.parse(value) if isinstance(value, str) else value


def _trimmed(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


OperationIn = Annotated[OperationType, BeforeValidator(_operation)]
"""An operation: the enum's names, and (for callers of today) the legacy spellings the domain reads."""
ResolutionIn = Annotated[Resolution, BeforeValidator(_trimmed)]

AttemptOutcomeOut = StrEnum("AttemptOutcomeOut", {v.name: v.value for v in (*AttemptOutcome, *JobStatus)})
"""How an attempt ended: refused or cancelled_before_start for the earlier ones, the job's status
for the current one."""


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
    operation: OperationIn = Field(description=(
        "what to make; the legacy spellings (text-to-video, image-to-video, talking-avatar, upscale, ...) are "
        "accepted too and read as these names"))
    model: str | None = None
    prompt: str | None = None
    negative_prompt: str | None = None
    duration: int | None = None
    resolution: ResolutionIn | None = Field(None, description="one of the model's resolutions (GET /models)")
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
    cost: Usd
    duration: float | None
    model: str
    provider: str
    resolution: Resolution | None
    width: int | None
    height: int | None


class AttemptOut(BaseModel):
    """One provider's try at the job, the current one last."""

    provider: str
    model: str
    provider_job_id: str | None
    # refused | cancelled_before_start | aborted | expired for earlier ones; the job's state for the current one
    outcome: AttemptOutcomeOut  # type: ignore[valid-type]
    cost: Usd
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
    estimated_cost: Usd
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
                  estimated_cost=job.estimated_cost.usd,
                  attempts=[AttemptOut(provider=a.provider, model=a.model, provider_job_id=a.provider_job_id,
                                       outcome=a.outcome, cost=a.cost.usd, at=a.at) for a in job.history])
    if asset is not None:
        out.result = TaskResult(
            video_url=f"{base}/assets/{asset.id}/video",
            thumbnail_url=f"{base}/assets/{asset.id}/thumbnail" if asset.thumbnail_key else None,
            asset_id=asset.id, cost=asset.cost.usd, duration=asset.duration, model=asset.model,
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
    asset_type: Literal["video"]
    source_module: str
    filename: str
    file_url: str
    thumbnail_url: str | None
    file_size: int
    sha256: str
    mime_type: str
    prompt: str | None
    operation: OperationType
    provider: str
    model: str
    cost: Usd
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
        operation=asset.operation, provider=asset.provider, model=asset.model, cost=asset.cost.usd,
        duration=asset.duration, width=asset.width, height=asset.height, fps=asset.fps, codec=asset.codec,
        has_audio=asset.has_audio, generation_time=asset.generation_time, title=asset.title, tags=list(asset.tags),
        parent_asset_ids=list(asset.parent_asset_ids), created_at=asset.created_at)


class PriceOut(BaseModel):
    """A model's price rule as data: `rates` per resolution ("*": any; "<resolution>+audio": with sound)."""

    rule: Literal["per_second", "per_block", "flat"]
    rates: dict[str, Usd]
    min_seconds: int | None = Field(None, description="per_second: seconds billed at least")
    max_seconds: int | None = Field(None, description="seconds billed at most (none: no cap)")
    block_seconds: int | None = Field(None, description="per_block: the length of a block")
    min_blocks: int | None = Field(None, description="per_block: blocks billed at least")


class ModelOut(BaseModel):
    id: str
    name: str
    provider: str
    operation: OperationType
    aliases: list[str]
    family: str | None = None
    durations: list[int]
    resolutions: list[Resolution]
    aspect_ratios: list[str]
    billed_from: BilledDuration
    pricing: str = Field(description="the price rule in words")
    price: PriceOut
    inputs: list[MediaKind] = []
    options: dict[str, dict[str, Any]] = {}  # the model's own settings: type, choices, range, default
    verified: bool
    price_verified: bool
    source: str


def model_out(spec: ModelSpec) -> ModelOut:
    return ModelOut(**spec.summary(), price=PriceOut(**spec.price.terms()))


class UsageInfoOut(BaseModel):
    """The figures behind a quota decision (the legacy `usage_info`), money as decimal strings: a
    job's (calls, cost, jobs in flight) or an upload's (files and bytes kept)."""

    error_type: Literal["video_limit", "cost_limit", "concurrency_limit", "upload_count_limit", "upload_bytes_limit"]
    plan: str
    operation_type: Literal["video_generation", "upload"] = "video_generation"
    provider: Literal["video"] | None = None
    current_calls: int | None = Field(None, description="videos used or reserved this billing period")
    limit: int | None = Field(None, description="videos per billing period; 0 = unlimited")
    current_cost: Usd | None = Field(None, description="used or reserved this billing period")
    cost_limit: Usd | None = Field(None, description="per billing period; 0 = unlimited")
    requested_cost: Usd | None = None
    running_jobs: int | None = Field(None, description="concurrency_limit: the jobs in flight")
    concurrent_jobs: int | None = Field(None, description="concurrency_limit: the plan's cap")
    uploads: int | None = Field(None, description="uploads: the files kept now")
    upload_bytes: int | None = Field(None, description="uploads: their bytes")
    requested_bytes: int | None = Field(None, description="uploads: this file's bytes (so far)")
    upload_count_limit: int | None = Field(None, description="uploads: files kept at most; 0 = unlimited")
    upload_bytes_limit: int | None = Field(None, description="uploads: bytes kept at most; 0 = unlimited")


def usage_info_out(info: dict[str, Any] | None) -> UsageInfoOut | None:
    return None if info is None else UsageInfoOut(**info)


class EstimateOut(BaseModel):
    model: str
    cost: Usd
    billed_seconds: float
    resolution: Resolution
    duration: int | None
    allowed: bool
    usage_info: UsageInfoOut | None


class PreflightOut(BaseModel):
    allowed: bool
    cost: Usd
    message: str | None = None
    usage_info: UsageInfoOut | None = None


class UsageVideoOut(BaseModel):
    """One billed video of the period (a legacy `api_usage_logs` row)."""

    job_id: str
    model: str
    provider: str
    operation: OperationType
    source_module: str
    cost: Usd
    billed_seconds: float
    created_at: datetime


class UsageOut(BaseModel):
    period: str = Field(description="the billing period, YYYY-MM (UTC)")
    video_calls: int
    video_cost: Usd
    total_calls: int
    total_cost: Usd
    plan: str
    video_calls_limit: int = Field(description="0 = unlimited")
    monthly_cost_limit: Usd = Field(description="0 = unlimited")
    reserved_calls: int
    reserved_cost: Usd
    videos: list[UsageVideoOut]


def usage_out(report: UsageReport) -> UsageOut:
    s, q = report.summary, report.quota
    return UsageOut(period=s.period, video_calls=s.video_calls, video_cost=s.video_cost.usd,
                    total_calls=s.total_calls, total_cost=s.total_cost.usd, plan=q.plan.name,
                    video_calls_limit=q.plan.video_calls_limit,
                    monthly_cost_limit=q.plan.monthly_cost_limit.usd, reserved_calls=q.usage.reserved_calls,
                    reserved_cost=q.usage.reserved_cost.usd,
                    videos=[UsageVideoOut(job_id=r.job_id, model=r.model, provider=r.provider, operation=r.operation,
                                          source_module=r.source_module, cost=r.cost.usd,
                                          billed_seconds=r.billed_seconds, created_at=r.created_at)
                            for r in report.videos])


class UploadOut(BaseModel):
    upload_id: str
    kind: MediaKind
    content_type: str
    size: int


class ErrorName(StrEnum):
    """The `error` of an error body: stable, for programs (the `message` is for people)."""

    INVALID_REQUEST = "invalid_request"  # 422: `field` names what is wrong, `allowed` what would do
    UNAUTHORIZED = "unauthorized"  # 401
    FORBIDDEN = "forbidden"  # 403: the token is not an admin's
    NOT_FOUND = "not_found"  # 404: no such job, asset or webhook provider of yours
    NOT_CANCELLABLE = "not_cancellable"  # 409
    PLANS_NOT_ASSIGNABLE = "plans_not_assignable"  # 409: the host's resolver decides plans
    INSUFFICIENT_BALANCE = "insufficient_balance"  # 402: the provider account cannot cover the price
    INVALID_WEBHOOK = "invalid_webhook"  # 400
    REQUEST_TIMEOUT = "request_timeout"  # 408: the body stopped arriving
    BODY_TOO_LARGE = "body_too_large"  # 413
    RANGE_NOT_SATISFIABLE = "range_not_satisfiable"  # 416
    PLANS_UNAVAILABLE = "plans_unavailable"  # 503: the plans cannot be told now; nothing was reserved
    BUSY = "busy"  # 503 with Retry-After: try again in a moment
    INTERNAL_ERROR = "internal_error"  # 500


class ValidationIssue(BaseModel):
    """One thing the schema refused (the values given are never echoed)."""

    loc: list[str]
    msg: str
    type: str


class ErrorOut(BaseModel):
    """Every error answer but the quota's: a stable name and a sentence; a 422 names the field."""

    error: ErrorName
    message: str
    field: str | None = None
    allowed: list[str] | None = None
    detail: list[ValidationIssue] | None = Field(None, description="a body or parameter the schema refused")


class QuotaErrorOut(BaseModel):
    """The legacy quota refusal (429): `error` and `message` both say it, `usage_info` holds the figures."""

    error: str
    message: str
    provider: Literal["video"] = "video"
    usage_info: UsageInfoOut


class WebhookOut(BaseModel):
    accepted: bool
    duplicate: bool = False
    job_id: str | None = None


PREFIX = "/api/video"
"""Where the API lives; the URLs it hands out (task results, asset files) start with it."""

_ERROR_ANSWERS: dict[int, tuple[type[BaseModel], str]] = {
    400: (ErrorOut, "not a genuine delivery (invalid_webhook)"),
    401: (ErrorOut, "no valid bearer token (unauthorized)"),
    402: (ErrorOut, "the provider account cannot cover this job's price now (insufficient_balance); "
                    "nothing was reserved"),
    403: (ErrorOut, "your token is not an admin's (forbidden)"),
    404: (ErrorOut, "no such job, asset or provider of yours (not_found)"),
    408: (ErrorOut, "the body stopped arriving (request_timeout)"),
    409: (ErrorOut, "the job can no longer be cancelled (not_cancellable), or plans are the host's to assign "
                    "(plans_not_assignable)"),
    413: (ErrorOut, "the body is larger than this route takes (body_too_large)"),
    416: (ErrorOut, "the range starts past the end (range_not_satisfiable)"),
    422: (ErrorOut, "a field is not allowed (invalid_request): `field` names it, `allowed` says what is"),
    429: (QuotaErrorOut, "the plan's quota would be exceeded: videos, cost, jobs in flight, or uploads kept "
                         "(the legacy quota body)"),
    500: (ErrorOut, "the request could not be completed (internal_error); names no internals"),
    503: (ErrorOut, "try again later: the service is busy (busy, with Retry-After) or the plans cannot be told "
                    "now (plans_unavailable); nothing was reserved"),
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The documented error answers of a route: each code with its model, for typed clients."""
    return {code: {"model": _ERROR_ANSWERS[code][0], "description": _ERROR_ANSWERS[code][1]} for code in codes}


AUTHENTICATED = (401, 422, 500, 503)
"""What any route behind the bearer token can answer: no token, a refused parameter, a store that
failed (500) or is busy (503)."""
WITH_BODY = (408, 413)
"""What `RequestLimits` answers for a route that takes a body."""


def legacy_status(status: JobStatus) -> str:
    """The legacy task shape's `status` word for a job status."""
    return _LEGACY_STATUS[status]


class CallbackOut(BaseModel):
    """A job's callback delivery: one per finished job, its attempts recorded."""

    url: str
    webhook_id: str
    state: DeliveryState
    attempts: int
    last_status: int | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime
