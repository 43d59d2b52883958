from __future__ import annotations

import logging
from collections.abc import Collection

from videoforge.application.ports.clock import Clock
from videoforge.application.ports.provider import VideoProvider
from videoforge.application.ports.quota import QuotaGuard
from videoforge.application.use_cases.run.keeper import JobKeeper
from videoforge.application.use_cases.run.policy import PollPolicy
from videoforge.domain.catalog import ModelCatalog
from videoforge.domain.errors import QuotaExceededError
from videoforge.domain.job import AttemptOutcome, VideoJob
from videoforge.domain.outcome import ProviderState
from videoforge.domain.routing import Routing

log = logging.getLogger("videoforge.run")

CONFIRM_POLLS = 10  # reads of a cancelled task, at the poll interval, before waiting instead


class FallBack:
    """Moves a job whose provider provably created nothing to the next provider of its family's
    fallback list (the domain's `Routing.fallback`), its reservation re-priced first. None when
    there is no next provider, or the plan does not allow its price: the caller goes on as
    without a fallback."""

    def __init__(self, keeper: JobKeeper, quota: QuotaGuard, catalog: ModelCatalog, routing: Routing,
                 configured: Collection[str], clock: Clock, policy: PollPolicy):
        self._keeper, self._quota, self._catalog = keeper, quota, catalog
        self._routing, self._configured, self._clock, self._policy = routing, configured, clock, policy

    def available(self, job: VideoJob) -> bool:
        return self._routing.fallback(self._catalog, job, self._configured) is not None

    async def __call__(self, job: VideoJob, outcome: AttemptOutcome) -> VideoJob | None:
        following = self._routing.fallback(self._catalog, job, self._configured)
        if following is None:
            return None
        try:
            await self._quota.reprice(job.id, following.cost)
        except QuotaExceededError as e:
            log.info("job %s: no fallback to %s, the plan refuses its price: %s", job.id,
                     following.plan.spec.provider, e)
            return None
        spec = following.plan.spec
        job.fall_back(spec.provider, spec.id, following.plan.request, following.cost, following.billed_seconds,
                      outcome, self._keeper.now())
        return await self._keeper.store(job)

    async def after_cancelling(self, job: VideoJob, provider: VideoProvider) -> VideoJob | None:
        """A task still queued at the deadline: cancelled, and only once the provider confirms it
        cancelled is the next provider tried. None (the job waits) when the cancel is refused or
        not confirmed in time: a second task never runs beside a first that may still start."""
        if not await provider.cancel(job.provider_job_id):
            return None
        for _ in range(CONFIRM_POLLS):
            status = await provider.poll(job.provider_job_id)
            if status.state is ProviderState.CANCELLED:
                return await self(await self._keeper.current(job), AttemptOutcome.CANCELLED_BEFORE_START)
            if status.state is not ProviderState.QUEUED:
                return None  # it started or ended meanwhile: followed as any task
            await self._clock.sleep(self._policy.interval)
        return None
