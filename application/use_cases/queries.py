from __future__ import annotations

from collections.abc import Collection

from videoforge.application.ports.clock import Clock
from videoforge.application.ports.jobs import JobNotFoundError, JobRepository
from videoforge.application.ports.quota import QuotaGuard
from videoforge.application.results import CostEstimate
from videoforge.application.use_cases.preflight import Preflight
from videoforge.domain.catalog import ModelCatalog, ModelSpec
from videoforge.domain.job import VideoJob
from videoforge.domain.operations import OperationType
from videoforge.domain.quota import billing_period
from videoforge.domain.request import VideoRequest
from videoforge.domain.text import exact_id


class GetJob:
    """A user's job; another user's job is not found, never shown."""

    def __init__(self, jobs: JobRepository):
        self._jobs = jobs

    async def __call__(self, job_id: str, user_id: str) -> VideoJob:
        job = await self._jobs.get(exact_id("task_id", job_id))
        if job.user_id != user_id:
            raise JobNotFoundError(f"no job {job_id}")
        return job


class ListJobs:
    def __init__(self, jobs: JobRepository):
        self._jobs = jobs

    async def __call__(self, user_id: str, *, limit: int = 50, offset: int = 0) -> list[VideoJob]:
        return await self._jobs.list_for_user(user_id, limit=limit, offset=offset)


class EstimateCost:
    """A dry run: the price of a request and whether the user's quota allows it now.
    Validates exactly as a real request would; reserves and sends nothing."""

    def __init__(self, preflight: Preflight, quota: QuotaGuard, clock: Clock):
        self._preflight = preflight
        self._quota = quota
        self._clock = clock

    async def __call__(self, request: VideoRequest) -> CostEstimate:
        quote = await self._preflight(request)
        check = await self._quota.check(request.user_id, quote.cost, billing_period(self._clock.now()))
        return CostEstimate(quote.plan.spec, quote.cost, quote.billed_seconds, quote.plan.resolution,
                            quote.plan.duration, check)


class ListModels:
    """The models that can run here (their provider is configured), optionally for one operation."""

    def __init__(self, catalog: ModelCatalog, providers: Collection[str]):
        self._catalog = catalog
        self._providers = providers

    async def __call__(self, operation: OperationType | str | None = None) -> list[ModelSpec]:
        op = OperationType.parse(operation) if operation is not None else None
        return self._catalog.models(op, self._providers)
