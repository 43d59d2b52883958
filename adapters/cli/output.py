from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from videoforge.application.errors import JobFailedError, JobNotFinishedError
from videoforge.domain import Asset, Cost, VideoJob


class ProgressBar:
    """A Rich bar on stderr that appears with the first progress report, so that a refused
    request prints nothing but its one-line error."""

    def __init__(self, enabled: bool):
        self._enabled = enabled
        self._progress = Progress(TextColumn("{task.description:<40}"), BarColumn(),
                                  TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn(),
                                  console=Console(stderr=True))
        self._task = None

    def __enter__(self) -> "ProgressBar":
        return self

    def __call__(self, percent: float, message: str) -> None:
        if not self._enabled:
            return
        if self._task is None:
            self._progress.start()
            self._task = self._progress.add_task(message, total=100)
        self._progress.update(self._task, completed=percent, description=message[:40])

    def __exit__(self, *exc: object) -> None:
        if self._task is not None:
            self._progress.stop()


def failure_json(error: JobFailedError | JobNotFinishedError) -> dict[str, Any]:
    return {"error": str(error), "code": getattr(error, "code", "not_finished"), "job": job_json(error.job)}


def job_json(job: VideoJob) -> dict[str, Any]:
    return {"id": job.id, "user_id": job.user_id, "status": job.status.value, "progress": job.progress,
            "message": job.message, "model": job.model, "provider": job.provider,
            "estimated_cost": usd(job.estimated_cost),
            "actual_cost": usd(job.actual_cost) if job.actual_cost else None,
            "provider_job_id": job.provider_job_id, "asset_id": job.asset_id,
            "error": {"code": job.error.code, "message": job.error.message} if job.error else None,
            "attempts": [{"provider": a.provider, "model": a.model, "provider_job_id": a.provider_job_id,
                          "outcome": a.outcome, "cost": usd(a.cost), "at": a.at.isoformat()} for a in job.history],
            "created_at": job.created_at.isoformat(), "updated_at": job.updated_at.isoformat()}


def asset_json(asset: Asset) -> dict[str, Any]:
    return {"id": asset.id, "job_id": asset.job_id, "file_url": asset.file_url, "storage_key": asset.storage_key,
            "file_size": asset.file_size, "sha256": asset.sha256, "duration": asset.duration, "width": asset.width,
            "height": asset.height, "fps": asset.fps, "codec": asset.codec, "has_audio": asset.has_audio,
            "model": asset.model, "provider": asset.provider, "cost": usd(asset.cost),
            "source_module": asset.source_module, "prompt": asset.prompt, "operation": asset.operation,
            "parent_asset_ids": list(asset.parent_asset_ids), "created_at": asset.created_at.isoformat()}


def durations(values: list[int]) -> str:
    if not values:
        return "from input"
    if len(values) > 3 and values == list(range(values[0], values[-1] + 1)):
        return f"{values[0]}-{values[-1]}"
    return ", ".join(map(str, values))


def usd(cost: Cost) -> str:
    """Dollars as plain digits: 0.2, 500 (never 5E+2)."""
    return f"{cost.usd.normalize():f}"
