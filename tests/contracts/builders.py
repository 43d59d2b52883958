"""Small builders of domain objects for the contract suites and the unit tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from videoforge.domain import Asset, Cost, MediaInput, MediaKind, OperationType, UsageRecord, VideoJob, VideoRequest

T0 = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def text_request(user_id: str = "u1", **changes) -> VideoRequest:
    fields = {"operation": OperationType.TEXT_TO_VIDEO, "user_id": user_id, "prompt": "a cat on a boat",
              "model": "wavespeed-ai/hunyuan-video-1.5/text-to-video", "duration": 5, "resolution": "720p",
              "aspect_ratio": "16:9"}
    return VideoRequest(**(fields | changes))


def job(user_id: str = "u1", *, job_id: str | None = None, created_at: datetime = T0, key: str | None = None,
        request: VideoRequest | None = None, fingerprint: str | None = None, provider: str = "wavespeed") -> VideoJob:
    return VideoJob(
        id=job_id or uuid.uuid4().hex, user_id=user_id, request=request or text_request(user_id),
        provider=provider, model="wavespeed-ai/hunyuan-video-1.5/text-to-video", estimated_cost=Cost("0.20"),
        billed_seconds=5.0, created_at=created_at, updated_at=created_at, idempotency_key=key,
        request_fingerprint=fingerprint,
    )


def asset(user_id: str = "u1", *, job_id: str | None = None, created_at: datetime = T0,
          source_module: str = "video_studio", cost: str = "0.20") -> Asset:
    job_id = job_id or uuid.uuid4().hex
    return Asset(
        id=uuid.uuid4().hex, user_id=user_id, job_id=job_id, source_module=source_module,
        storage_key=f"videos/{user_id}/2026/01/{job_id}.mp4", file_url=f"/media/videos/{user_id}/{job_id}.mp4",
        filename=f"{job_id}.mp4", file_size=1234, sha256="ab" * 32, mime_type="video/mp4",
        operation="text_to_video", provider="wavespeed", model="wavespeed-ai/hunyuan-video-1.5/text-to-video",
        cost=Cost(cost), created_at=created_at, prompt="a cat", duration=5.0, width=1280, height=720, fps=24.0,
        codec="h264", has_audio=False, thumbnail_key=f"thumbnails/{user_id}/2026/01/{job_id}.jpg",
        generation_time=42.5, title="a cat", tags=("video_studio", "text_to_video"),
        metadata={"resolution": "720p", "duration": 5.0},
    )


def usage(user_id: str = "u1", *, job_id: str | None = None, period: str = "2026-01", cost: str = "0.20",
          at: datetime = T0) -> UsageRecord:
    return UsageRecord(job_id=job_id or uuid.uuid4().hex, user_id=user_id, period=period, provider="wavespeed",
                       model="wavespeed-ai/hunyuan-video-1.5/text-to-video", operation="text_to_video",
                       cost=Cost(cost), billed_seconds=5.0, response_time=42.0, created_at=at,
                       request_size=15, response_size=1234)


def later(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def image_input(data: bytes) -> MediaInput:
    return MediaInput.from_bytes(MediaKind.IMAGE, data, "image/png", "face.png")
