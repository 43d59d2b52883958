from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from videoforge.domain.money import ZERO, Cost


@dataclass(frozen=True, slots=True)
class StoredObject:
    """A file in storage: where, how big, its checksum."""

    key: str
    size: int
    sha256: str
    content_type: str


@dataclass(frozen=True, slots=True)
class Asset:
    """A video in the user's library (legacy `content_assets`, asset_type video)."""

    id: str
    user_id: str
    job_id: str
    source_module: str
    storage_key: str
    file_url: str
    filename: str
    file_size: int
    sha256: str
    mime_type: str
    operation: str
    provider: str
    model: str
    cost: Cost
    created_at: datetime
    asset_type: str = "video"
    prompt: str | None = None
    duration: float | None = None
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    codec: str | None = None
    has_audio: bool = False
    thumbnail_key: str | None = None
    generation_time: float | None = None
    parent_asset_ids: tuple[str, ...] = ()
    title: str | None = None
    tags: tuple[str, ...] = ()
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class UsageRecord:
    """One completed, billed video (legacy `api_usage_logs` row, provider video)."""

    job_id: str
    user_id: str
    period: str
    provider: str
    model: str
    operation: str
    cost: Cost
    billed_seconds: float
    response_time: float
    created_at: datetime
    source_module: str = "main_video_generation"
    request_size: int = 0
    response_size: int = 0


@dataclass(frozen=True, slots=True)
class UsageSummary:
    """A user's totals for one period (legacy `usage_summaries` names)."""

    user_id: str
    period: str
    video_calls: int = 0
    video_cost: Cost = ZERO
    total_calls: int = 0
    total_cost: Cost = ZERO
