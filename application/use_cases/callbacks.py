"""Calling the caller back when its job ends: one delivery per job, retried for a bounded time."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from videoforge.application.ports.assets import AssetLibraryError
from videoforge.application.ports.callbacks import (
    CallbackDeliveries,
    CallbackDeliveriesError,
    CallbackError,
    CallbackSender,
)
from videoforge.application.ports.clock import Clock
from videoforge.application.ports.jobs import JobRepository
from videoforge.application.use_cases.queries import GetJob
from videoforge.domain.callbacks import CallbackDelivery, DeliveryState
from videoforge.domain.job import VideoJob

log = logging.getLogger("videoforge.callbacks")
Describe = Callable[[VideoJob], Awaitable[dict[str, Any]]]


class NotifyCaller:
    """Posts a finished job (the task shape `describe` gives) to its `callback_url`, once: the
    delivery is claimed first, so a second runner of the same job sends nothing. A failed attempt
    (no answer, or not 2xx) is tried again after 1, 2, 4... s (at most `backoff_max`) for
    `retry_for` seconds in all; every attempt is recorded."""

    def __init__(self, deliveries: CallbackDeliveries, sender: CallbackSender, clock: Clock, describe: Describe,
                 retry_for: float = 600.0, backoff_initial: float = 1.0, backoff_max: float = 60.0):
        self._deliveries = deliveries
        self._sender = sender
        self._clock = clock
        self._describe = describe
        self._retry_for = retry_for
        self._backoff = (backoff_initial, backoff_max)

    async def __call__(self, job: VideoJob) -> CallbackDelivery | None:
        """Never raises for the callback's sake: the job has ended whatever becomes of its delivery."""
        if not job.request.callback_url or not job.terminal:
            return None
        try:
            return await self._deliver(job, job.request.callback_url)
        except (CallbackDeliveriesError, AssetLibraryError) as e:
            log.error("the callback of job %s could not be recorded or described: %s", job.id, e)
            return None

    async def _deliver(self, job: VideoJob, url: str) -> CallbackDelivery | None:
        now = self._clock.now()
        delivery = CallbackDelivery(job.id, url, f"msg_{uuid.uuid4().hex}", DeliveryState.PENDING, now, now)
        if not await self._deliveries.claim(delivery):
            return None
        body = json.dumps(await self._describe(job), default=str, separators=(",", ":")).encode()
        return await self._attempts(delivery, body)

    async def _attempts(self, delivery: CallbackDelivery, body: bytes) -> CallbackDelivery:
        started, wait = self._clock.monotonic(), self._backoff[0]
        while delivery.state is DeliveryState.PENDING:
            status, error = await self._send(delivery, body)
            last = self._clock.monotonic() - started + wait > self._retry_for
            delivery = delivery.attempted(status, error, self._clock.now(), last=last)
            await self._deliveries.save(delivery)
            if delivery.state is DeliveryState.PENDING:
                await self._clock.sleep(wait)
                wait = min(wait * 2, self._backoff[1])
        if delivery.state is DeliveryState.FAILED:
            log.warning("callback of job %s failed after %d attempts: %s", delivery.job_id, delivery.attempts,
                        delivery.last_error)
        return delivery

    async def _send(self, delivery: CallbackDelivery, body: bytes) -> tuple[int | None, str | None]:
        try:
            status = await self._sender.send(delivery.url, delivery.message_id, body, self._clock.now())
        except CallbackError as e:
            return None, str(e)
        return status, None if 200 <= status < 300 else f"the receiver answered HTTP {status}"


class GetCallbackDelivery:
    """A user's job's callback delivery (None before the job ends or without a callback URL)."""

    def __init__(self, jobs: JobRepository, deliveries: CallbackDeliveries):
        self._jobs = jobs
        self._deliveries = deliveries

    async def __call__(self, job_id: str, user_id: str) -> CallbackDelivery | None:
        await GetJob(self._jobs)(job_id, user_id)
        return await self._deliveries.get(job_id)
