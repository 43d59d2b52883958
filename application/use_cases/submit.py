from __future__ import annotations

import uuid
from contextlib import nullcontext

from videoforge.application.ports.callbacks import CallbackSender
from videoforge.application.ports.clock import Clock
from videoforge.application.ports.jobs import DuplicateJobError, JobRepository
from videoforge.application.ports.quota import QuotaGuard
from videoforge.application.ports.unit_of_work import UnitOfWork
from videoforge.application.use_cases.billing import BalanceCheck
from videoforge.application.use_cases.preflight import Preflight
from videoforge.domain.errors import InvalidRequestError
from videoforge.domain.job import VideoJob
from videoforge.domain.quota import billing_period
from videoforge.domain.request import VideoRequest


def _refuse_reuse(job: VideoJob) -> InvalidRequestError:
    return InvalidRequestError("idempotency_key", f"was already used for a different request (job {job.id})",
                               value=job.idempotency_key)


def new_id() -> str:
    return uuid.uuid4().hex


class SubmitVideo:
    """Validates, prices and reserves a request and records its job, without running it.

    Returns the job at once (pending); RunJob drives it. The same idempotency key from the
    same user returns the same job and reserves nothing new. On a backend with transactions the
    reservation and the job's record are one unit of work (`together`): both or neither.
    """

    def __init__(self, preflight: Preflight, quota: QuotaGuard, jobs: JobRepository, clock: Clock,
                 balance: BalanceCheck | None = None, callbacks: CallbackSender | None = None,
                 together: UnitOfWork = nullcontext):
        self._together = together
        self._preflight = preflight
        self._callbacks = callbacks
        self._balance = balance
        self._quota = quota
        self._jobs = jobs
        self._clock = clock

    async def __call__(self, request: VideoRequest) -> VideoJob:
        fingerprint = request.fingerprint()
        if request.idempotency_key:
            existing = await self._jobs.find_by_idempotency_key(request.user_id, request.idempotency_key)
            if existing is not None:
                return self._same(existing, fingerprint)
        quote = await self._preflight(request)
        if request.callback_url:
            await self._check_callback(request)
        if self._balance is not None:
            await self._balance(quote.plan.spec.provider, quote.cost)
        now = self._clock.now()
        job = VideoJob(
            id=new_id(), user_id=request.user_id, request=quote.plan.request, provider=quote.plan.spec.provider,
            model=quote.plan.spec.id, estimated_cost=quote.cost, billed_seconds=quote.billed_seconds,
            created_at=now, updated_at=now, idempotency_key=request.idempotency_key, request_fingerprint=fingerprint,
        )
        reserved = False
        try:
            async with self._together():  # the reservation and the job commit at once
                reservation = await self._quota.reserve(job.user_id, job.id, quote.cost, billing_period(now))
                reserved = True
                job.attach_reservation(reservation.job_id)
                return await self._jobs.add(job)
        except DuplicateJobError as duplicate:  # a concurrent request with the same key won
            await self._quota.release(job.id)  # (a unit of work has already undone it)
            return self._same(await self._jobs.get(duplicate.existing_job_id), fingerprint)
        except BaseException:
            if reserved:
                await self._quota.release(job.id)
            raise

    async def _check_callback(self, request: VideoRequest) -> None:
        if self._callbacks is None:
            raise InvalidRequestError("callback_url", "callbacks are not set up here")
        await self._callbacks.check(request.callback_url or "", request.user_id)

    @staticmethod
    def _same(job: VideoJob, fingerprint: str) -> VideoJob:
        if not job.asked_for(fingerprint):
            raise _refuse_reuse(job)
        return job
