from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import pytest

from videoforge.application.ports.dispatch import JobDispatcher


@dataclass
class Runs:
    """What the dispatched runs did: job ids in the order they started, and per-job gates a run
    waits on (so a test can hold a job running)."""

    started: list[str] = field(default_factory=list)
    gates: dict[str, asyncio.Event] = field(default_factory=dict)
    failing: set[str] = field(default_factory=set)

    async def __call__(self, job_id: str) -> None:
        self.started.append(job_id)
        if job_id in self.gates:
            await self.gates[job_id].wait()
        if job_id in self.failing:
            raise RuntimeError(f"run of {job_id} failed")


class JobDispatcherContract:
    """A subclass provides `dispatched`: (dispatcher running `runs`, a coroutine function that
    returns once every dispatched job has run)."""

    @pytest.fixture
    def runs(self) -> Runs:
        return Runs()

    @pytest.fixture
    def dispatched(self, runs: Runs) -> tuple[JobDispatcher, Callable[[], Awaitable[None]]]:
        raise NotImplementedError

    async def test_a_dispatched_job_runs(self, dispatched, runs):
        dispatcher, settle = dispatched
        await dispatcher.dispatch("job-1")
        await settle()
        assert runs.started == ["job-1"]

    async def test_a_job_waiting_or_running_is_not_run_twice(self, dispatched, runs):
        dispatcher, settle = dispatched
        runs.gates["job-1"] = asyncio.Event()
        await dispatcher.dispatch("job-1")
        await asyncio.sleep(0)
        await dispatcher.dispatch("job-1")
        runs.gates["job-1"].set()
        await settle()
        assert runs.started == ["job-1"]

    async def test_a_failing_run_does_not_stop_the_others(self, dispatched, runs):
        dispatcher, settle = dispatched
        runs.failing.add("bad")
        await dispatcher.dispatch("bad")
        await dispatcher.dispatch("good")
        await settle()
        assert sorted(runs.started) == ["bad", "good"]

    async def test_a_job_dispatched_again_after_its_run_runs_again(self, dispatched, runs):
        dispatcher, settle = dispatched
        await dispatcher.dispatch("job-1")
        await settle()
        await dispatcher.dispatch("job-1")
        await settle()
        assert runs.started == ["job-1", "job-1"]

    async def test_many_jobs_run_concurrently(self, dispatched, runs):
        dispatcher, settle = dispatched
        gate = asyncio.Event()
        ids = [f"job-{i}" for i in range(20)]
        for job_id in ids:
            runs.gates[job_id] = gate
            await dispatcher.dispatch(job_id)
        for _ in range(100):
            if len(runs.started) == len(ids):
                break
            await asyncio.sleep(0.01)
        assert sorted(runs.started) == sorted(ids)  # all started while none has finished
        gate.set()
        await settle()
