"""What the browser console shows beyond the plain records: where an asset came from, and every
user's spend against their plan for an admin."""

from __future__ import annotations

from dataclasses import dataclass

from videoforge.application.ports.assets import AssetLibrary, AssetNotFoundError
from videoforge.application.ports.clock import Clock
from videoforge.application.ports.jobs import JobNotFoundError, JobRepository
from videoforge.application.ports.plans import PlanSource
from videoforge.application.ports.usage import UsageMeter
from videoforge.application.use_cases.library import GetAsset
from videoforge.domain import Asset, MediaInput, UsageSummary, VideoJob
from videoforge.domain.quota import Plan, billing_period, period_key

LINEAGE_DEPTH = 8  # ancestors followed at most (a chain of enhance / extend / edit on one video)


@dataclass(frozen=True, slots=True)
class Lineage:
    """An asset, the job that made it (None when its record is gone), that job's inputs, and
    the lineage of each input that was one of the user's assets (up to LINEAGE_DEPTH)."""

    asset: Asset
    job: VideoJob | None
    inputs: tuple[MediaInput, ...]
    parents: tuple[Lineage, ...]


class TraceLineage:
    """A user's asset and where it came from: inputs, model, provider, cost, parents."""

    def __init__(self, assets: AssetLibrary, jobs: JobRepository):
        self._get_asset = GetAsset(assets)
        self._jobs = jobs

    async def __call__(self, asset_id: str, user_id: str) -> Lineage:
        return await self._trace(await self._get_asset(asset_id, user_id), user_id, LINEAGE_DEPTH, set())

    async def _trace(self, asset: Asset, user_id: str, depth: int, seen: set[str]) -> Lineage:
        seen.add(asset.id)
        try:
            job: VideoJob | None = await self._jobs.get(asset.job_id)
        except JobNotFoundError:
            job = None
        inputs = tuple(job.request.inputs.values()) if job is not None else ()
        parents: list[Lineage] = []
        for parent_id in asset.parent_asset_ids:
            if depth <= 1 or parent_id in seen:
                continue
            try:
                parent = await self._get_asset(parent_id, user_id)
            except AssetNotFoundError:  # deleted since, or never this user's: shown by id only
                continue
            parents.append(await self._trace(parent, user_id, depth - 1, seen))
        return Lineage(asset, job, inputs, tuple(parents))


@dataclass(frozen=True, slots=True)
class UserSpend:
    summary: UsageSummary
    plan: Plan


@dataclass(frozen=True, slots=True)
class SpendReport:
    period: str
    users: list[UserSpend]


class ListSpend:
    """Every user's spend in a billing period (the current one by default), each with their plan now."""

    def __init__(self, usage: UsageMeter, plans: PlanSource, clock: Clock):
        self._usage = usage
        self._plans = plans
        self._clock = clock

    async def __call__(self, period: str | None = None, *, limit: int = 50, offset: int = 0) -> SpendReport:
        period = billing_period(self._clock.now()) if period is None else period_key(period)
        found = await self._usage.summaries(period, limit=limit, offset=offset)
        return SpendReport(period, [UserSpend(s, await self._plans.plan_for(s.user_id)) for s in found])
