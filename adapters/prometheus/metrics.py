"""The metrics of one process (`prometheus_client`, a registry of its own) and the wrappers that
feed them. Each wrapper delegates every call to the adapter it wraps and records on the way:

- `MeteredProvider`: submit and poll latencies, the download's (the output streamed to its end),
  provider errors by code (raised errors and failed task statuses);
- `MeteredStorage`: the save latency (the video streamed into storage);
- `MeteredJobs`: jobs that ended, by status, provider and model (counted on the save that ends them);
- `MeteredQuota`: money reserved and settled; reservations held and the money they hold are read
  from the quota guard when scraped (`VideoMetrics.refresh`), so they are true for every process.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from videoforge.application.ports.provider import ProviderError, ProviderOutput, ProviderStatus, ProviderTask
from videoforge.domain.job import VideoJob
from videoforge.domain.money import Cost

_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)


class VideoMetrics:
    def __init__(self, registry: CollectorRegistry | None = None):
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.jobs = Counter("videoforge_jobs_finished", "Jobs that ended, by status, provider and model",
                            ["status", "provider", "model"], registry=r)
        self.latency = Histogram("videoforge_stage_seconds", "Latency of submit, poll, download and save",
                                 ["stage", "provider"], buckets=_BUCKETS, registry=r)
        self.provider_errors = Counter("videoforge_provider_errors", "Provider errors by code",
                                       ["provider", "code"], registry=r)
        self.reserved = Counter("videoforge_money_reserved_usd", "Money reserved for jobs (USD)", registry=r)
        self.settled = Counter("videoforge_money_settled_usd", "Money settled at the actual cost (USD)", registry=r)
        self.held = Gauge("videoforge_reservations_held", "Reservations held now", registry=r)
        self.held_usd = Gauge("videoforge_money_held_usd", "Money held by reservations now (USD)", registry=r)

    async def refresh(self, quota: Any) -> bytes:
        """The exposition text, with what the quota guard holds read now."""
        held = await quota.held()
        self.held.set(len(held))
        self.held_usd.set(float(sum((r.amount.usd for r in held), Cost(0).usd)))
        return generate_latest(self.registry)


class _Proxy:
    def __init__(self, inner: Any, metrics: VideoMetrics):
        self._inner = inner
        self._metrics = metrics

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class MeteredProvider(_Proxy):
    """`name`: the provider's name in the registry (its label), by default the adapter's own."""

    def __init__(self, inner: Any, metrics: VideoMetrics, name: str | None = None):
        super().__init__(inner, metrics)
        self._label = name or inner.name

    async def submit(self, task: ProviderTask) -> str:
        with self._timed("submit"):
            return await self._inner.submit(task)

    async def poll(self, provider_job_id: str) -> ProviderStatus:
        with self._timed("poll"):
            status = await self._inner.poll(provider_job_id)
        if status.error_code is not None:
            self._metrics.provider_errors.labels(self._label, str(status.error_code)).inc()
        return status

    async def stream_output(self, output: ProviderOutput) -> AsyncIterator[bytes]:
        with self._timed("download"):
            async for chunk in self._inner.stream_output(output):
                yield chunk

    def _timed(self, stage: str) -> _Timer:
        return _Timer(self._metrics, stage, self._label)


class _Timer:
    def __init__(self, metrics: VideoMetrics, stage: str, provider: str):
        self._metrics, self._stage, self._provider = metrics, stage, provider

    def __enter__(self) -> None:
        self._started = time.perf_counter()

    def __exit__(self, kind: Any, error: Any, _: Any) -> None:
        self._metrics.latency.labels(self._stage, self._provider).observe(time.perf_counter() - self._started)
        if isinstance(error, ProviderError):
            self._metrics.provider_errors.labels(self._provider, str(error.code)).inc()


class MeteredStorage(_Proxy):
    async def save(self, key: str, chunks: Any, content_type: str) -> Any:
        with _Timer(self._metrics, "save", "storage"):
            return await self._inner.save(key, chunks, content_type)


class MeteredJobs(_Proxy):
    async def save(self, job: VideoJob) -> VideoJob:
        stored = await self._inner.save(job)
        if stored.terminal:
            self._metrics.jobs.labels(stored.status.value, stored.provider, stored.model).inc()
        return stored


class MeteredQuota(_Proxy):
    async def reserve(self, user_id: str, job_id: str, amount: Cost, period: str) -> Any:
        reservation = await self._inner.reserve(user_id, job_id, amount, period)
        self._metrics.reserved.inc(float(amount.usd))
        return reservation

    async def settle(self, job_id: str, actual: Cost) -> Any:
        reservation = await self._inner.settle(job_id, actual)
        self._metrics.settled.inc(float(actual.usd))
        return reservation
