from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from videoforge.domain.catalog import ModelSpec
from videoforge.domain.job import VideoJob
from videoforge.domain.media import MediaInfo
from videoforge.domain.money import Cost
from videoforge.domain.quota import billing_period
from videoforge.domain.records import Asset, StoredObject, UsageRecord


def actual_cost(job: VideoJob, spec: ModelSpec) -> Cost:
    """What a delivered job costs: the seconds the provider reports billing, priced by the
    model's rule, else the estimate the job was reserved at."""
    if job.provider_billed_seconds:
        return spec.estimate(job.request.resolution, job.provider_billed_seconds, job.request.generate_audio)
    return job.estimated_cost


@dataclass(frozen=True, slots=True)
class KeptOutput:
    """A provider's output, kept: the stored file, what probing found in it, where it is
    served from, and its poster frame when one could be made."""

    stored: StoredObject
    info: MediaInfo
    url: str
    thumbnail_key: str | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """A job's kept output at its actual cost, at the time it is delivered: what the user's
    library entry and the usage record are made of."""

    job: VideoJob
    output: KeptOutput
    cost: Cost
    at: datetime

    @property
    def generation_time(self) -> float:
        return (self.at - self.job.created_at).total_seconds()

    def asset(self, asset_id: str) -> Asset:
        job, request, stored, info = self.job, self.job.request, self.output.stored, self.output.info
        operation = request.operation.value
        return Asset(
            id=asset_id, user_id=job.user_id, job_id=job.id, source_module=request.source_module,
            storage_key=stored.key, file_url=self.output.url, filename=stored.key.rsplit("/", 1)[-1],
            file_size=stored.size, sha256=stored.sha256, mime_type=stored.content_type, operation=operation,
            provider=job.provider, model=job.model, cost=self.cost, created_at=self.at, prompt=request.prompt,
            duration=info.duration, width=info.width, height=info.height, fps=info.fps, codec=info.codec,
            has_audio=info.has_audio, thumbnail_key=self.output.thumbnail_key, generation_time=self.generation_time,
            parent_asset_ids=request.parent_asset_ids,
            title=(request.prompt or operation)[:80], tags=(request.source_module, operation, request.resolution or ""),
            metadata={"resolution": request.resolution, "duration": info.duration, "operation": operation,
                      "width": info.width, "height": info.height, "provider_job_id": job.provider_job_id},
        )

    def usage_record(self) -> UsageRecord:
        """One billed video. Its billed seconds are the provider's where it reported them."""
        job, request = self.job, self.job.request
        return UsageRecord(
            job_id=job.id, user_id=job.user_id, period=billing_period(job.created_at), provider=job.provider,
            model=job.model, operation=request.operation.value, cost=self.cost,
            billed_seconds=float(job.provider_billed_seconds or job.billed_seconds),
            response_time=self.generation_time, created_at=self.at, source_module=request.source_module,
            request_size=len((request.prompt or "").encode()) + sum(m.size for m in request.inputs.values()),
            response_size=self.output.stored.size)
