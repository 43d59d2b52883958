from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from videoforge.domain.catalog import ModelSpec
from videoforge.domain.job import VideoJob
from videoforge.domain.money import Cost
from videoforge.domain.quota import QuotaCheck
from videoforge.domain.records import Asset


@dataclass(frozen=True, slots=True)
class VideoResult:
    """A finished video. Field names are the legacy generation result's (minus raw bytes),
    plus where the file is."""

    job_id: str
    asset_id: str
    prompt: str | None
    duration: float | None
    model_name: str
    cost: Cost
    provider: str
    resolution: str
    width: int | None
    height: int | None
    file_url: str
    file_path: str
    file_size: int
    sha256: str
    thumbnail_key: str | None
    source_video_url: str | None
    prediction_id: str | None
    metadata: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, job: VideoJob, asset: Asset) -> VideoResult:
        return cls(
            job_id=job.id, asset_id=asset.id, prompt=job.request.prompt, duration=asset.duration,
            model_name=job.model, cost=asset.cost, provider=job.provider,
            resolution=job.request.resolution or "", width=asset.width, height=asset.height,
            file_url=asset.file_url, file_path=asset.storage_key, file_size=asset.file_size, sha256=asset.sha256,
            thumbnail_key=asset.thumbnail_key, source_video_url=job.output_url, prediction_id=job.provider_job_id,
            metadata=dict(asset.metadata),
        )

    def legacy_dict(self) -> dict[str, Any]:
        """The keys `ai_video_generate` callers read."""
        return {
            "prompt": self.prompt, "duration": self.duration, "model_name": self.model_name,
            "cost": self.cost.as_float(), "provider": self.provider, "resolution": self.resolution,
            "width": self.width, "height": self.height, "metadata": self.metadata,
            "source_video_url": self.source_video_url, "prediction_id": self.prediction_id,
            "asset_id": self.asset_id, "file_url": self.file_url, "file_path": self.file_path,
            "file_size": self.file_size, "job_id": self.job_id,
        }


@dataclass(frozen=True, slots=True)
class CostEstimate:
    """A dry run: what a request would cost and whether the user's plan admits it now."""

    model: ModelSpec
    cost: Cost
    billed_seconds: float
    resolution: str
    duration: int | None
    quota: QuotaCheck

    @property
    def allowed(self) -> bool:
        return self.quota.allowed
