"""Fallback to another provider of the family (domain/routing.py, application/use_cases/run/fallback.py)
on the fakes: one scripted fake per provider, so what each provider was asked is seen apart."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests.contracts.builders import text_request
from tests.reservations import reservation_of
from videoforge.adapters.fakes import (
    FakeClock,
    FakeMediaProbe,
    FakeVideoProvider,
    InMemoryAssetLibrary,
    InMemoryJobRepository,
    InMemoryQuotaGuard,
    InMemoryStorage,
    InMemoryUsageMeter,
    Outcome,
)
from videoforge.application.errors import JobFailedError, JobNotFinishedError
from videoforge.application.use_cases import GenerateVideo, PollPolicy, Preflight, RunJob, SubmitVideo
from videoforge.domain import DEFAULT_PLANS, Cost, JobStatus, Plan, Routing, default_catalog
from videoforge.domain.quota import ReservationState

WS_WAN, FAL_WAN = "alibaba/wan-2.5/text-to-video", "fal-ai/wan-25-preview/text-to-video"
FAL_PRICE = Cost("0.60")  # 5 s at 720p at the $0.12 a second set below (WaveSpeed's is $0.10: $0.50)


@dataclass
class Providers:
    plan: Plan = field(default_factory=lambda: DEFAULT_PLANS["pro"])
    fal_rate: str = "0.12"  # fal's WAN 2.5 at 720p, a second: differs from WaveSpeed's, so re-pricing shows
    wavespeed: FakeVideoProvider = field(default_factory=lambda: FakeVideoProvider(name="wavespeed"))
    fal: FakeVideoProvider = field(default_factory=lambda: FakeVideoProvider(name="fal"))
    clock: FakeClock = field(default_factory=FakeClock)
    jobs: InMemoryJobRepository = field(default_factory=InMemoryJobRepository)
    usage: InMemoryUsageMeter = field(default_factory=InMemoryUsageMeter)

    def __post_init__(self) -> None:
        self.quota = InMemoryQuotaGuard({"u1": self.plan}, clock=self.clock)
        catalog = default_catalog().with_prices({FAL_WAN: {"rule": "per_second", "rates": {
            "480p": "0.05", "720p": self.fal_rate, "1080p": "0.15"}}})
        registry = {"wavespeed": self.wavespeed, "fal": self.fal}
        routing = Routing(fallbacks={"wan-2.5": ("fal",)})
        preflight = Preflight(catalog, FakeMediaProbe(), registry.keys(), "wavespeed", routing)
        assets = InMemoryAssetLibrary()
        self.run = RunJob(self.jobs, registry, catalog, InMemoryStorage(), FakeMediaProbe(), assets,
                          self.usage, self.quota, self.clock, PollPolicy(interval=2.0, deadline=60.0),
                          routing=routing)
        self.generate = GenerateVideo(SubmitVideo(preflight, self.quota, self.jobs, self.clock), self.run, assets)

    async def job(self):
        [job] = await self.jobs.list_for_user("u1")
        return job


async def test_a_submit_refused_with_proof_moves_to_the_next_provider_and_pays_once():
    p = Providers()
    p.wavespeed.script(Outcome.reject("the model is overloaded", provider_code=400))

    result = await p.generate(text_request(model=WS_WAN))

    assert result.provider == "fal" and result.model_name == FAL_WAN
    assert len(p.wavespeed.submissions) == 1 and len(p.fal.submissions) == 1 and not p.wavespeed.tasks
    [record] = await p.usage.records("u1", p.clock.now().strftime("%Y-%m"))
    assert record.provider == "fal" and record.cost == FAL_PRICE
    reservation = await reservation_of(p.quota, result.job_id)
    assert reservation.state == ReservationState.SETTLED and reservation.actual == FAL_PRICE
    job = await p.job()
    assert [(a.provider, a.outcome, a.cost) for a in job.history] == [
        ("wavespeed", "refused", Cost(0)), ("fal", "completed", FAL_PRICE)]
    assert job.history[1].provider_job_id == result.prediction_id


async def test_a_task_queued_at_the_deadline_is_cancelled_and_confirmed_before_the_next_provider_starts():
    p = Providers()
    p.wavespeed.script(Outcome.queued(cancel_lag=3))
    original_submit = p.fal.submit

    async def submit_after_confirmation(task):
        [first] = p.wavespeed.tasks.values()
        assert first.cancelled and first.polls_since_cancel > 3  # the provider said cancelled
        return await original_submit(task)

    p.fal.submit = submit_after_confirmation

    result = await p.generate(text_request(model=WS_WAN))

    assert result.provider == "fal" and len(p.fal.submissions) == 1
    [cancelled] = p.wavespeed.cancel_requests
    job = await p.job()
    assert [(a.provider, a.provider_job_id, a.outcome) for a in job.history] == [
        ("wavespeed", cancelled, "cancelled_before_start"), ("fal", result.prediction_id, "completed")]
    assert len(await p.usage.records("u1", p.clock.now().strftime("%Y-%m"))) == 1


@pytest.mark.parametrize("first", [Outcome.queued(cancel_lag=50), Outcome.hang()], ids=["unconfirmed", "running"])
async def test_no_second_task_while_the_first_may_still_run(first):
    p = Providers()
    p.wavespeed.script(first)

    with pytest.raises(JobNotFinishedError):
        await p.generate(text_request(model=WS_WAN))

    assert not p.fal.submissions
    job = await p.job()
    assert job.status is JobStatus.PROCESSING and job.provider == "wavespeed" and len(job.history) == 1
    assert (await reservation_of(p.quota, job.id)).state == ReservationState.RESERVED
    if first.kind == "hang":
        assert not p.wavespeed.cancel_requests  # a running task may be billed: never cancelled to fall back


async def test_a_refused_cancel_keeps_the_job_waiting_on_its_first_provider():
    p = Providers()
    p.wavespeed.script(Outcome.queued())
    p.wavespeed.accept_cancel = False
    with pytest.raises(JobNotFinishedError):
        await p.generate(text_request(model=WS_WAN))
    assert p.wavespeed.cancel_requests and not p.fal.submissions


async def test_an_unknown_outcome_never_falls_back():
    p = Providers()
    p.wavespeed.script(Outcome.outcome_unknown())
    with pytest.raises(JobFailedError):
        await p.generate(text_request(model=WS_WAN))
    assert not p.fal.submissions and (await p.job()).status is JobStatus.UNKNOWN_OUTCOME


async def test_a_plan_that_does_not_allow_the_fallback_price_fails_the_job_as_refused_and_frees_it():
    p = Providers(plan=Plan("tight", 0, Cost("0.60")), fal_rate="0.20")  # fal would cost $1.00
    p.wavespeed.script(Outcome.reject("no"))

    with pytest.raises(JobFailedError) as failed:
        await p.generate(text_request(model=WS_WAN))

    assert failed.value.code == "provider_rejected" and not p.fal.submissions
    job = await p.job()
    assert job.provider == "wavespeed" and len(job.history) == 1
    assert (await reservation_of(p.quota, job.id)).state == ReservationState.RELEASED


@pytest.mark.parametrize(("end", "outcome"), [(Outcome.cancelled(charged=False), "aborted"),
                                              (Outcome.expired(charged=False), "expired")])
async def test_a_task_the_provider_ends_without_charge_moves_to_the_next_provider_and_pays_once(end, outcome):
    p = Providers()
    p.wavespeed.script(end)

    result = await p.generate(text_request(model=WS_WAN))

    assert result.provider == "fal" and len(p.wavespeed.submissions) == 1 and len(p.fal.submissions) == 1
    job = await p.job()
    [first] = p.wavespeed.tasks
    assert [(a.provider, a.provider_job_id, a.outcome, a.cost) for a in job.history] == [
        ("wavespeed", first, outcome, Cost(0)), ("fal", result.prediction_id, "completed", FAL_PRICE)]
    [record] = await p.usage.records("u1", p.clock.now().strftime("%Y-%m"))
    assert record.provider == "fal" and record.cost == FAL_PRICE
    reservation = await reservation_of(p.quota, result.job_id)
    assert reservation.state == ReservationState.SETTLED and reservation.actual == FAL_PRICE


@pytest.mark.parametrize("end", [Outcome.cancelled(), Outcome.expired(), Outcome.fail()],
                         ids=["cancelled", "expired", "failed"])
async def test_an_end_without_proof_of_no_charge_never_falls_back(end):
    p = Providers()
    p.wavespeed.script(end)
    with pytest.raises(JobFailedError):
        await p.generate(text_request(model=WS_WAN))
    assert not p.fal.submissions
    job = await p.job()
    assert job.status is JobStatus.FAILED and job.provider == "wavespeed" and len(job.history) == 1
    assert (await reservation_of(p.quota, job.id)).state == ReservationState.RELEASED
