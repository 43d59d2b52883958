from __future__ import annotations

from collections.abc import Mapping
from contextlib import nullcontext

from videoforge.application.ports.assets import AssetLibrary
from videoforge.application.ports.clock import Clock
from videoforge.application.ports.jobs import JobRepository
from videoforge.application.ports.observe import RunObserver, Unobserved
from videoforge.application.ports.probe import MediaProbe
from videoforge.application.ports.provider import VideoProvider
from videoforge.application.ports.quota import QuotaGuard
from videoforge.application.ports.storage import Storage
from videoforge.application.ports.unit_of_work import UnitOfWork
from videoforge.application.ports.usage import UsageMeter
from videoforge.application.progress import ProgressCallback, ProgressReporter
from videoforge.application.use_cases.callbacks import NotifyCaller
from videoforge.application.use_cases.run import (
    DeliverOutput,
    FallBack,
    FollowTask,
    JobKeeper,
    KeepOutput,
    PollPolicy,
    RecoverSubmission,
    RunStep,
    SavingElsewhere,
    SubmitJob,
    Superseded,
)
from videoforge.domain.catalog import ModelCatalog
from videoforge.domain.job import Step, VideoJob
from videoforge.domain.routing import Routing

__all__ = ["PollPolicy", "RunJob"]


class RunJob:
    """Drives a job to its end, one step at a time, each chosen by the job itself (`next_step`):
    submit, recover a submission, follow at the provider, deliver the output. Safe to call again
    on a job interrupted at any point: it goes on from the job's state and never submits twice. A
    runner that loses a save to another (a cancel, a worker, a webhook) watches the job to its end
    instead of racing it; with `watch_others` off it returns the job as it is then (a queue's
    worker hands it back to look again later, rather than hold a slot while another drives it)."""

    def __init__(self, jobs: JobRepository, providers: Mapping[str, VideoProvider], catalog: ModelCatalog,
                 storage: Storage, probe: MediaProbe, assets: AssetLibrary, usage: UsageMeter,
                 quota: QuotaGuard, clock: Clock, policy: PollPolicy | None = None,
                 together: UnitOfWork = nullcontext, notify: NotifyCaller | None = None,
                 watch_others: bool = True, routing: Routing | None = None, observe: RunObserver | None = None):
        policy = policy or PollPolicy()
        self._observe = observe or Unobserved()
        self._notify = notify
        self._watch_others = watch_others
        self._keeper = JobKeeper(jobs, quota, clock, policy)
        self._recover = RecoverSubmission(self._keeper, clock, policy, providers)
        fallback = FallBack(self._keeper, quota, catalog, routing or Routing(), providers.keys(), clock, policy)
        self._steps: dict[Step, RunStep] = {
            Step.SUBMIT: SubmitJob(self._keeper, providers, catalog, clock, policy, fallback),
            Step.RECOVER_SUBMISSION: self._recover,
            Step.FOLLOW: FollowTask(self._keeper, providers, clock, policy, fallback),
            Step.SAVE: DeliverOutput(self._keeper, KeepOutput(providers, storage, probe), catalog, assets, usage,
                                     together),
        }

    async def __call__(self, job_id: str, progress: ProgressCallback | None = None) -> VideoJob:
        return await self.run(await self._keeper.get(job_id), progress)

    async def run(self, job: VideoJob, progress: ProgressCallback | None = None) -> VideoJob:
        """The same, from the job as its caller just read or recorded it (no read of it first)."""
        async with self._observe.run(job) as watch:
            job = await self._drive(job, ProgressReporter(progress, shown=job.progress))
            watch.ended(job)
        return job

    async def _drive(self, job: VideoJob, reporter: ProgressReporter) -> VideoJob:
        while job.next_step is not Step.NONE:
            try:
                job = await self._steps[job.next_step](job, reporter)
            except SavingElsewhere as other:  # another runner downloads the output: wait, never again
                if not self._watch_others:
                    return other.job
                job = await self._keeper.saved_elsewhere(other.job)
            except Superseded as superseded:
                return await self._keeper.watch(superseded.job) if self._watch_others else superseded.job
        if self._notify is not None:  # once per job: whoever finishes it claims the delivery
            await self._notify(job)
        return job

    def in_flight(self, job: VideoJob) -> bool:
        """Whether a job in `submitting` may still be waiting for the provider's answer elsewhere."""
        return self._recover.in_flight(job)
